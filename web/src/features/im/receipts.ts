import type { ConversationKind, LocalMessage } from './types';

export type ReceiptLabel =
  | { key: 'im.receipt.read' | 'im.receipt.unread' | 'im.receipt.allRead' }
  | { key: 'im.receipt.unreadCount'; count: number };

/**
 * What to show under one of my messages, or null when nothing should be (not mine, still
 * sending, recalled). In a 1:1 "read"/"unread"; in groups "N unread" or "all read".
 */
export function receiptLabel(message: LocalMessage, kind: ConversationKind): ReceiptLabel | null {
  if (message.pending || message.failed || message.recalled || message.unread_count === null) return null;
  const unread = Math.max(0, message.unread_count);
  if (kind === 'direct') return { key: unread > 0 ? 'im.receipt.unread' : 'im.receipt.read' };
  return unread > 0 ? { key: 'im.receipt.unreadCount', count: unread } : { key: 'im.receipt.allRead' };
}
