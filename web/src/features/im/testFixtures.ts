import type { MessageRead } from './types';

export function messageFixture(over: Partial<MessageRead> = {}): MessageRead {
  return {
    id: 1,
    conversation_id: 10,
    seq: 1,
    sender: { id: 1, name: '刘锋' },
    bot_name: null,
    kind: 'text',
    body: 'hi',
    files: [],
    card: null,
    reply_to: null,
    thread_root_id: null,
    thread_reply_count: 0,
    mentions: [],
    mentions_all: false,
    reactions: [],
    edited_at: null,
    recalled: false,
    recalled_by_name: null,
    pinned: false,
    client_msg_id: null,
    created_at: '2025-03-01T08:00:00Z',
    unread_count: null,
    ...over,
  };
}
