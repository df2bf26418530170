import type { CardLink } from '../im/linkCards';

/** A pasted link to a document unfurls into its card in chats (src/tongban/docs/cards.py). */
export const CARD_LINKS: CardLink[] = [{ type: 'doc', pattern: /^\/docs\/(\d+)$/ }];
