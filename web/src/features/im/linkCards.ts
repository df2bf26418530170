import type { CardRef } from './types';

/** A capability's in-app page that unfurls into its card: `pattern` matches the path, group 1 is the ref. */
export interface CardLink {
  type: string;
  pattern: RegExp;
}

// Each capability lists its pages in features/<name>/cardLinks.ts (`export const CARD_LINKS`).
const declared = import.meta.glob<CardLink[]>('../*/cardLinks.ts', { eager: true, import: 'CARD_LINKS' });
const CARD_LINKS: CardLink[] = Object.values(declared).flat();

const URL_IN_TEXT = /https?:\/\/[^\s<>"')]+/g;

/** The first link in `body` to a page of this installation that some capability shows as a card. */
export function linkCardIn(body: string, origin: string, links: CardLink[] = CARD_LINKS): CardRef | null {
  for (const [raw] of body.matchAll(URL_IN_TEXT)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    if (url.origin !== origin) continue;
    for (const { type, pattern } of links) {
      const ref = pattern.exec(url.pathname)?.[1];
      if (ref) return { type, ref };
    }
  }
  return null;
}
