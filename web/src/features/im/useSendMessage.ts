import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { imApi, imKeys } from './api';
import { addIncoming, bumpThreadUnread, pendingMessage, type Timeline } from './messageCache';
import { pendingStore } from './pendingStore';
import type { ConversationRead, MessageCreate, MessageRead, PersonRef } from './types';
import { sortConversations } from './useConversations';

export function newClientMsgId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * Puts a message the server confirmed (send answer or `im.message` event) where it belongs:
 * the open timeline or thread, the conversation list; and drops its pending copy.
 */
export function receiveMessage(queryClient: QueryClient, message: MessageRead, myId: number | undefined): void {
  pendingStore.settle(message);
  if (message.thread_root_id !== null) {
    const rootId = message.thread_root_id;
    if (message.sender?.id !== myId) {
      // Counted here; the thread panel, when open, clears it again as it marks the thread read.
      queryClient.setQueryData<Timeline>(imKeys.messages(message.conversation_id), (t) =>
        t ? bumpThreadUnread(t, rootId) : t,
      );
    }
    void queryClient.invalidateQueries({ queryKey: imKeys.thread(rootId) });
    return;
  }
  const key = imKeys.messages(message.conversation_id);
  if (queryClient.getQueryData<Timeline>(key)) {
    queryClient.setQueryData<Timeline>(key, (t) => (t ? addIncoming(t, message) : t));
  }
  const list = queryClient.getQueryData<ConversationRead[]>(imKeys.conversations);
  const conversation = list?.find((c) => c.id === message.conversation_id);
  if (!list || !conversation) {
    void queryClient.invalidateQueries({ queryKey: imKeys.conversations });
    return;
  }
  if (conversation.last_seq >= message.seq) return; // already counted (event after the answer)
  const mine = message.sender?.id === myId;
  const mentioned = !mine && (message.mentions_all || (myId !== undefined && message.mentions.includes(myId)));
  const updated: ConversationRead = {
    ...conversation,
    last_message: message,
    last_seq: message.seq,
    read_seq: mine ? message.seq : conversation.read_seq,
    unread_count: mine ? 0 : conversation.unread_count + 1,
    mention_count: conversation.mention_count + (mentioned ? 1 : 0),
    archived: false,
    updated_at: message.created_at,
  };
  queryClient.setQueryData<ConversationRead[]>(
    imKeys.conversations,
    sortConversations(list.map((c) => (c.id === updated.id ? updated : c))),
  );
}

/** Optimistic send: shown at once as pending, reconciled by client_msg_id. */
export function useSendMessage(conversationId: number, me: PersonRef) {
  const queryClient = useQueryClient();

  const deliver = useCallback(
    async (draft: MessageCreate) => {
      try {
        const message = await imApi.send(conversationId, draft);
        receiveMessage(queryClient, message, me.id);
      } catch {
        pendingStore.fail(conversationId, draft.client_msg_id);
      }
    },
    [conversationId, me.id, queryClient],
  );

  const send = useCallback(
    (fields: Omit<MessageCreate, 'client_msg_id'>) => {
      const draft: MessageCreate = { ...fields, client_msg_id: newClientMsgId() };
      pendingStore.add(pendingMessage(conversationId, draft, me));
      void deliver(draft);
    },
    [conversationId, deliver, me],
  );

  const retry = useCallback(
    (draft: MessageCreate) => {
      pendingStore.retrying(conversationId, draft.client_msg_id);
      // The same client_msg_id: if the first try did reach the server, we get that message back.
      void deliver(draft);
    },
    [conversationId, deliver],
  );

  return { send, retry };
}
