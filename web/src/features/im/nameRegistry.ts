/**
 * Names of people this tab has seen (members lists, senders), so a `<@id>` mention in a
 * message body can be shown as "@韩雪" even where no member list is loaded (list previews).
 */
const names = new Map<number, string>();

export function rememberNames(people: Iterable<{ id: number; name: string }>): void {
  for (const p of people) names.set(p.id, p.name);
}

export function nameOf(id: number): string | undefined {
  return names.get(id);
}
