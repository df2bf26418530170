/**
 * A tiny Markdown subset for messages: the parser (Markdown.tsx builds React elements from it).
 *
 * Message text is written by other people, so nothing here ever becomes HTML: every piece of
 * text is a React text node (escaped by React), and the only attribute taken from the text is a
 * link's href, which must parse as an absolute http(s) or mailto URL. Supported: paragraphs and
 * line breaks, `-`/`*` and `1.` lists, **bold**, *italic* / _italic_, `code`, [text](url), bare
 * URLs, and mentions: the server's `<@id>` / `<@all>` tokens, and "@name" typed by hand.
 */
import { nameOf } from './nameRegistry';
export type Inline =
  | { t: 'text'; text: string }
  | { t: 'strong'; children: Inline[] }
  | { t: 'em'; children: Inline[] }
  | { t: 'code'; text: string }
  | { t: 'link'; href: string; children: Inline[] }
  | { t: 'mention'; text: string };

export type Block =
  | { t: 'p'; lines: string[] }
  | { t: 'ul'; items: string[] }
  | { t: 'ol'; items: string[]; start: number };

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
export const MENTION_ALL = ['所有人', 'all'];
const MENTION_TOKEN = /^<@(\d+|all)>/;

/** How a `<@id>` token reads: the person's name when known. */
export function mentionLabel(token: string, lookup: (id: number) => string | undefined = nameOf): string {
  if (token === 'all') return `@${MENTION_ALL[0]}`;
  return `@${lookup(Number(token)) ?? token}`;
}

/** The href to use for a link, or null when it is not an absolute http/https/mailto URL. */
export function safeHref(raw: string): string | null {
  const value = raw.trim();
  if (!/^(https?:\/\/|mailto:)/i.test(value)) return null;
  try {
    const url = new URL(value);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;

export function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet) {
      if (current?.t !== 'ul') blocks.push((current = { t: 'ul', items: [] }));
      current.items.push(bullet[1]);
    } else if (numbered) {
      if (current?.t !== 'ol') blocks.push((current = { t: 'ol', items: [], start: Number(numbered[1]) }));
      current.items.push(numbered[2]);
    } else if (line.trim() === '') {
      current = null;
    } else {
      if (current?.t !== 'p') blocks.push((current = { t: 'p', lines: [] }));
      current.lines.push(line);
    }
  }
  return blocks;
}

const LINK = /^\[([^\]\n]+)\]\(([^)\s]+)\)/;
const BARE_URL = /^(?:https?:\/\/|mailto:)[^\s<>"'`，。；：！？）】、]+/i;
const WORDISH = /[\p{L}\p{N}_]/u;

function isBoundary(s: string, i: number): boolean {
  return i === 0 || !WORDISH.test(s[i - 1]);
}

export function parseInline(
  s: string,
  mentionNames: readonly string[] = [],
  lookup: (id: number) => string | undefined = nameOf,
): Inline[] {
  // Longest names first so "@张三丰" is not taken as "@张三".
  const names = [...new Set([...mentionNames, ...MENTION_ALL])].filter(Boolean).sort((a, b) => b.length - a.length);
  const out: Inline[] = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push({ t: 'text', text: buf });
    buf = '';
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: 'code', text: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '*' && s[i + 1] === '*') {
      const end = s.indexOf('**', i + 2);
      if (end > i + 2) {
        flush();
        out.push({ t: 'strong', children: parseInline(s.slice(i + 2, end), mentionNames, lookup) });
        i = end + 2;
        continue;
      }
    }
    if ((ch === '*' || ch === '_') && s[i + 1] && s[i + 1] !== ' ' && s[i + 1] !== ch && (ch === '*' || isBoundary(s, i))) {
      const end = s.indexOf(ch, i + 1);
      const after = s[end + 1];
      if (end > i + 1 && s[end - 1] !== ' ' && (ch === '*' || !after || !WORDISH.test(after))) {
        flush();
        out.push({ t: 'em', children: parseInline(s.slice(i + 1, end), mentionNames, lookup) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '<' && s[i + 1] === '@') {
      const m = MENTION_TOKEN.exec(s.slice(i));
      if (m) {
        flush();
        out.push({ t: 'mention', text: mentionLabel(m[1], lookup) });
        i += m[0].length;
        continue;
      }
    }
    if (ch === '[') {
      const m = LINK.exec(s.slice(i));
      const href = m ? safeHref(m[2]) : null;
      if (m && href) {
        flush();
        out.push({ t: 'link', href, children: parseInline(m[1], mentionNames, lookup) });
        i += m[0].length;
        continue;
      }
    }
    if ((ch === 'h' || ch === 'H' || ch === 'm' || ch === 'M') && isBoundary(s, i)) {
      const m = BARE_URL.exec(s.slice(i));
      if (m) {
        // Trailing punctuation belongs to the sentence, not the URL.
        const raw = m[0].replace(/[.,;:!?)\]，。；：！？）】]+$/u, '');
        const href = safeHref(raw);
        if (href) {
          flush();
          out.push({ t: 'link', href, children: [{ t: 'text', text: raw }] });
          i += raw.length;
          continue;
        }
      }
    }
    if (ch === '@' && isBoundary(s, i)) {
      const name = names.find((n) => s.startsWith(n, i + 1));
      if (name) {
        flush();
        out.push({ t: 'mention', text: `@${name}` });
        i += name.length + 1;
        continue;
      }
    }
    buf += ch;
    i += 1;
  }
  flush();
  return out;
}

/** The message as one line of plain text (list previews, quotes, notifications). */
export function plainText(text: string): string {
  const flat = (nodes: Inline[]): string =>
    nodes.map((n) => ('children' in n ? flat(n.children) : n.text)).join('');
  return parseBlocks(text)
    .flatMap((b) => (b.t === 'p' ? b.lines : b.items))
    .map((line) => flat(parseInline(line)))
    .join(' ');
}
