import { createContext, useContext } from 'react';
import type { ConversationRead, LocalMessage, MessageCreate, PersonRef } from './types';

export type MessageAction =
  | 'reply'
  | 'thread'
  | 'copy'
  | 'edit'
  | 'recall'
  | 'forward'
  | 'pin'
  | 'ding'
  | 'receipts';

export interface PaneContextValue {
  conversation: ConversationRead;
  me: PersonRef;
  isAdmin: boolean;
  mentionNames: string[];
  onAction: (action: MessageAction, message: LocalMessage) => void;
  onReact: (message: LocalMessage, emoji: string) => void;
  onRetry: (draft: MessageCreate) => void;
  onOpenImage: (fileId: string) => void;
  observeRow: (el: HTMLElement | null) => (() => void) | undefined;
}

export const PaneContext = createContext<PaneContextValue | null>(null);

export function usePane(): PaneContextValue {
  const value = useContext(PaneContext);
  if (!value) throw new Error('usePane outside a conversation');
  return value;
}

export const RECALL_WINDOW_MS = 2 * 60_000;

export function canRecall(message: LocalMessage, me: PersonRef, isAdmin: boolean, now = Date.now()): boolean {
  if (message.recalled || message.pending || message.failed || message.kind === 'system') return false;
  if (isAdmin) return true;
  return message.sender?.id === me.id && now - new Date(message.created_at).getTime() < RECALL_WINDOW_MS;
}
