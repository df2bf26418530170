/**
 * My messages still on their way, per conversation. Kept outside the query cache on purpose:
 * a resync refetches every query, and that must not drop what the user just typed.
 */
import { useSyncExternalStore } from 'react';
import type { LocalMessage, MessageRead } from './types';
import { markFailed, markRetrying, settlePending } from './messageCache';

type Listener = () => void;
const byConversation = new Map<number, LocalMessage[]>();
const listeners = new Set<Listener>();
const EMPTY: LocalMessage[] = [];

function set(conversationId: number, next: LocalMessage[]): void {
  if (next === byConversation.get(conversationId)) return;
  if (next.length === 0) byConversation.delete(conversationId);
  else byConversation.set(conversationId, next);
  listeners.forEach((l) => l());
}

export const pendingStore = {
  get: (conversationId: number): LocalMessage[] => byConversation.get(conversationId) ?? EMPTY,
  add(message: LocalMessage): void {
    set(message.conversation_id, [...pendingStore.get(message.conversation_id), message]);
  },
  settle(message: MessageRead): void {
    set(message.conversation_id, settlePending(pendingStore.get(message.conversation_id), message));
  },
  fail(conversationId: number, clientMsgId: string): void {
    set(conversationId, markFailed(pendingStore.get(conversationId), clientMsgId));
  },
  retrying(conversationId: number, clientMsgId: string): void {
    set(conversationId, markRetrying(pendingStore.get(conversationId), clientMsgId));
  },
  discard(conversationId: number, clientMsgId: string): void {
    set(conversationId, pendingStore.get(conversationId).filter((p) => p.client_msg_id !== clientMsgId));
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};

export function usePending(conversationId: number): LocalMessage[] {
  return useSyncExternalStore(pendingStore.subscribe, () => pendingStore.get(conversationId));
}
