const START = '\u0002';
const END = '\u0003';

export interface SnippetPart {
  text: string;
  match: boolean;
}

/** Splits a search snippet whose matches the server wrapped in U+0002 … U+0003. */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let match = false;
  let buf = '';
  const push = () => {
    if (buf) {
      const last = parts[parts.length - 1];
      if (last && last.match === match) last.text += buf;
      else parts.push({ text: buf, match });
    }
    buf = '';
  };
  for (const ch of snippet) {
    if (ch === START || ch === END) {
      push();
      match = ch === START;
    } else {
      buf += ch;
    }
  }
  push();
  return parts;
}


/** The server's `<@id>` / `<@all>` mention tokens as the names people typed. */
export function readableMentions(text: string, label: (token: string) => string): string {
  return text.replace(/<@(\d+|all)>/g, (_whole, token: string) => label(token));
}
