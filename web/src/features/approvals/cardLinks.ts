import type { CardLink } from '../im/linkCards';

/** A pasted link to a request unfurls into its approval card. */
export const CARD_LINKS: CardLink[] = [{ type: 'approval', pattern: /^\/approvals\/requests\/(\d+)$/ }];
