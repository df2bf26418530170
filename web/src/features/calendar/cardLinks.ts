import type { CardLink } from '../im/linkCards';

/** A pasted link to an event unfurls into its card in chats (src/tongban/calendar/cards.py). */
export const CARD_LINKS: CardLink[] = [{ type: 'calendar_event', pattern: /^\/calendar\/events\/(\d+)$/ }];
