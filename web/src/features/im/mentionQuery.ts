/** The "@partial" being typed just before the caret, or null when the caret is not in one. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && /[\p{L}\p{N}_.]/u.test(before[at - 1])) return null; // an e-mail address
  const query = before.slice(at + 1);
  if (/\s/.test(query) || query.length > 20) return null;
  return { start: at, query };
}

export function insertMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const inserted = `@${name} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}

/**
 * The body as the server wants it: "@韩雪" of a member becomes `<@id>` and "@所有人"/"@all"
 * becomes `<@all>` (the server reads mentions only from these tokens).
 */
export function encodeMentions(text: string, people: { id: number; name: string }[], allowAll: boolean): string {
  const targets = [
    ...people.filter((p) => p.name).map((p) => ({ name: p.name, token: `<@${p.id}>` })),
    ...(allowAll ? [{ name: '所有人', token: '<@all>' }, { name: 'all', token: '<@all>' }] : []),
  ].sort((a, b) => b.name.length - a.name.length);
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '@' && (i === 0 || !/[\p{L}\p{N}_.]/u.test(text[i - 1]))) {
      const hit = targets.find((x) => text.startsWith(x.name, i + 1));
      if (hit) {
        out += hit.token;
        i += hit.name.length + 1;
        continue;
      }
    }
    out += text[i];
    i += 1;
  }
  return out;
}
