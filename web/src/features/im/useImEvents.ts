import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { subscribeStream } from '../../realtime/streamListeners';
import { imKeys } from './api';
import { applyReadByOther, replaceMessage, type Timeline } from './messageCache';
import type { ConversationRead, MemberRead, MessageRead, ThreadRead } from './types';
import { receiveMessage } from './useSendMessage';

/** Events carry who reacted (`person_ids`), not `mine` for this reader: work it out here. */
export function forViewer(message: MessageRead, myId: number): MessageRead {
  return {
    ...message,
    reactions: message.reactions.map((r) => (r.person_ids ? { ...r, mine: r.person_ids.includes(myId) } : r)),
    // Events compute the unread count for the sender; it means nothing to anyone else.
    unread_count: message.sender?.id === myId ? message.unread_count : null,
  };
}

/** Turns `im.*` events from the tab's one stream into cache updates. Mounted once, in the shell. */
export function useImEvents(myId: number | undefined): void {
  const queryClient = useQueryClient();

  useEffect(() => {
    if (myId === undefined) return;
    return subscribeStream((event, { ephemeral }) => {
      if (ephemeral || !event.type.startsWith('im.')) return;
      switch (event.type) {
        case 'im.message': {
          receiveMessage(queryClient, forViewer(event.message as MessageRead, myId), myId);
          break;
        }
        case 'im.message_updated': {
          const message = forViewer(event.message as MessageRead, myId);
          queryClient.setQueryData<Timeline>(imKeys.messages(message.conversation_id), (t) =>
            t ? replaceMessage(t, message) : t,
          );
          const rootId = message.thread_root_id ?? message.id;
          queryClient.setQueryData<ThreadRead>(imKeys.thread(rootId), (thread) =>
            thread
              ? {
                  root: thread.root.id === message.id ? message : thread.root,
                  items: thread.items.map((m) => (m.id === message.id ? message : m)),
                }
              : thread,
          );
          queryClient.setQueryData<ConversationRead[]>(imKeys.conversations, (list) =>
            list?.map((c) => (c.last_message?.id === message.id ? { ...c, last_message: message } : c)),
          );
          // A list fetch already under way would land with the old text (a recalled message's,
          // say) over this update: start it again so it reads the change.
          if (queryClient.isFetching({ queryKey: imKeys.conversations }) > 0) {
            void queryClient.invalidateQueries({ queryKey: imKeys.conversations });
          }
          void queryClient.invalidateQueries({ queryKey: imKeys.pins(message.conversation_id) });
          void queryClient.invalidateQueries({ queryKey: imKeys.receipts(message.id) });
          break;
        }
        case 'im.read': {
          const conversationId = Number(event.conversation_id);
          const personId = Number(event.person_id);
          const readSeq = Number(event.read_seq);
          if (personId === myId) {
            // Read in another tab or device.
            void queryClient.invalidateQueries({ queryKey: imKeys.conversations });
            break;
          }
          const members = queryClient.getQueryData<MemberRead[]>(imKeys.members(conversationId));
          const member = members?.find((m) => m.person_id === personId);
          const timelineKey = imKeys.messages(conversationId);
          if (member) {
            queryClient.setQueryData<Timeline>(timelineKey, (t) =>
              t ? applyReadByOther(t, myId, personId, member.read_seq, readSeq) : t,
            );
            queryClient.setQueryData<MemberRead[]>(imKeys.members(conversationId), (list) =>
              list?.map((m) => (m.person_id === personId ? { ...m, read_seq: Math.max(m.read_seq, readSeq) } : m)),
            );
          } else if (queryClient.getQueryData(timelineKey)) {
            void queryClient.invalidateQueries({ queryKey: timelineKey });
          }
          void queryClient.invalidateQueries({ queryKey: ['im', 'receipts'] });
          break;
        }
        case 'im.conversation': {
          const conversationId = Number(event.conversation_id);
          void queryClient.invalidateQueries({ queryKey: imKeys.conversations });
          void queryClient.invalidateQueries({ queryKey: imKeys.conversation(conversationId) });
          void queryClient.invalidateQueries({ queryKey: imKeys.members(conversationId) });
          void queryClient.invalidateQueries({ queryKey: imKeys.webhooks(conversationId) });
          break;
        }
        case 'im.ding': {
          void queryClient.invalidateQueries({ queryKey: imKeys.dings });
          const ding = event.ding as { id?: number } | undefined;
          if (ding?.id) void queryClient.invalidateQueries({ queryKey: imKeys.ding(ding.id) });
          break;
        }
        default:
          void queryClient.invalidateQueries({ queryKey: imKeys.all });
      }
    });
  }, [myId, queryClient]);
}
