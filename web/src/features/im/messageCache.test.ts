import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { imKeys } from './api';
import {
  addIncoming,
  applyReadByOther,
  bumpThreadUnread,
  clearThreadUnread,
  markFailed,
  mergeLatest,
  pendingMessage,
  replaceMessage,
  settlePending,
  visibleMessages,
  type Timeline,
} from './messageCache';
import { pendingStore } from './pendingStore';
import { messageFixture as msg } from './testFixtures';
import type { ConversationRead } from './types';
import { receiveMessage } from './useSendMessage';

const me = { id: 1, name: '刘锋' };
const timeline = (seqs: number[], more: Partial<Timeline> = {}): Timeline => ({
  items: seqs.map((s) => msg({ id: 100 + s, seq: s })),
  hasMoreBefore: false,
  hasMoreAfter: false,
  ...more,
});

describe('optimistic send', () => {
  afterEach(() => pendingStore.discard(10, 'c-1'));

  it('shows the pending message at once and replaces it when the answer comes', () => {
    const pending = [pendingMessage(10, { client_msg_id: 'c-1', body: 'hello' }, me)];
    const before = visibleMessages(timeline([1, 2]), pending);
    expect(before.map((m) => m.body)).toEqual(['hi', 'hi', 'hello']);
    expect(before[2].pending).toBe(true);

    const confirmed = msg({ id: 103, seq: 3, body: 'hello', client_msg_id: 'c-1', unread_count: 1 });
    const next = addIncoming(timeline([1, 2]), confirmed);
    // Even before the pending list is cleared, the confirmed copy hides the pending one.
    expect(visibleMessages(next, pending).map((m) => m.id)).toEqual([101, 102, 103]);
    expect(settlePending(pending, confirmed)).toEqual([]);
  });

  it('reconciles once whether the event or the answer arrives first', () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData(imKeys.messages(10), timeline([1, 2]));
    queryClient.setQueryData<ConversationRead[]>(imKeys.conversations, [
      { id: 10, kind: 'direct', name: '', avatar_file_id: null, peer: { id: 2, name: '韩雪' }, last_message: null, last_seq: 2,
        read_seq: 2, unread_count: 0, mention_count: 0, muted: false, pinned: false, archived: false, member_count: 2,
        my_role: 'member', updated_at: '2025-03-01T08:00:00Z' },
    ]);
    pendingStore.add(pendingMessage(10, { client_msg_id: 'c-1', body: 'hello' }, me));
    const confirmed = msg({ id: 103, seq: 3, body: 'hello', client_msg_id: 'c-1', unread_count: 1 });
    receiveMessage(queryClient, confirmed, me.id); // the im.message event
    receiveMessage(queryClient, confirmed, me.id); // then the POST answer
    const t = queryClient.getQueryData<Timeline>(imKeys.messages(10));
    expect(t?.items.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(pendingStore.get(10)).toEqual([]);
    const list = queryClient.getQueryData<ConversationRead[]>(imKeys.conversations);
    expect(list?.[0].last_seq).toBe(3);
    expect(list?.[0].unread_count).toBe(0);
  });

  it('counts a message from someone else as unread, and a mention', () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData<ConversationRead[]>(imKeys.conversations, [
      { id: 10, kind: 'group', name: 'g', avatar_file_id: null, peer: null, last_message: null, last_seq: 2, read_seq: 2,
        unread_count: 0, mention_count: 0, muted: false, pinned: false, archived: false, member_count: 3, my_role: 'member',
        updated_at: '2025-03-01T08:00:00Z' },
    ]);
    receiveMessage(queryClient, msg({ id: 103, seq: 3, sender: { id: 2, name: '韩雪' }, mentions: [1] }), me.id);
    const c = queryClient.getQueryData<ConversationRead[]>(imKeys.conversations)?.[0];
    expect(c?.unread_count).toBe(1);
    expect(c?.mention_count).toBe(1);
  });

  it('marks a failed send for retry with the same client_msg_id', () => {
    const pending = [pendingMessage(10, { client_msg_id: 'c-1', body: 'hello' }, me)];
    const failed = markFailed(pending, 'c-1');
    expect(failed[0]).toMatchObject({ failed: true, pending: false });
    expect(failed[0].draft?.client_msg_id).toBe('c-1');
  });
});

describe('timeline', () => {
  it('does not append past a gap when opened around an older message', () => {
    const t = timeline([10, 11], { hasMoreAfter: true });
    expect(addIncoming(t, msg({ id: 500, seq: 50 }))).toBe(t);
  });

  it('keeps loaded history when a refetch touches it, replaces it across a gap', () => {
    const held = timeline([1, 2, 3, 4], { hasMoreBefore: true });
    const touching = mergeLatest(held, { items: [msg({ id: 104, seq: 4 }), msg({ id: 105, seq: 5 })], has_more_before: true, has_more_after: false });
    expect(touching.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(touching.hasMoreBefore).toBe(true);
    const gap = mergeLatest(held, { items: [msg({ id: 190, seq: 90 })], has_more_before: true, has_more_after: false });
    expect(gap.items.map((m) => m.seq)).toEqual([90]);
  });

  it('counts a reader once for my messages between their old and new read position', () => {
    const t: Timeline = {
      items: [
        msg({ id: 1, seq: 1, unread_count: 1 }),
        msg({ id: 2, seq: 2, unread_count: 2 }),
        msg({ id: 3, seq: 3, sender: { id: 2, name: '韩雪' } }),
        msg({ id: 4, seq: 4, unread_count: 2 }),
      ],
      hasMoreBefore: false,
      hasMoreAfter: false,
    };
    const next = applyReadByOther(t, 1, 2, 1, 3);
    expect(next.items.map((m) => m.unread_count)).toEqual([1, 1, null, 2]);
    expect(applyReadByOther(t, 1, 2, 3, 3)).toBe(t);
  });

  it('keeps a thread\'s unread count through events, bumps it, and clears it', () => {
    const t: Timeline = { items: [msg({ id: 1, seq: 1, thread_reply_count: 2, thread_unread: 2 })], hasMoreBefore: false, hasMoreAfter: false };
    const edited = replaceMessage(t, msg({ id: 1, seq: 1, body: 'edited', thread_reply_count: 3, thread_unread: null }));
    expect(edited.items[0]).toMatchObject({ body: 'edited', thread_unread: 2 });
    expect(bumpThreadUnread(edited, 1).items[0].thread_unread).toBe(3);
    expect(bumpThreadUnread(edited, 99)).toBe(edited);
    expect(clearThreadUnread(edited, 1).items[0].thread_unread).toBe(0);
    const cleared = clearThreadUnread(edited, 1);
    expect(clearThreadUnread(cleared, 1)).toBe(cleared);
  });
});
