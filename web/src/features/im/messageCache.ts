/**
 * The page's copy of one conversation's timeline, and the pure steps that change it.
 *
 * `items` is a contiguous window of the server's timeline in ascending seq (it may not reach the
 * newest message when opened around a search hit: then `hasMoreAfter`). My messages still on
 * their way live in a separate pending list until the server's answer — or the `im.message`
 * event carrying the same client_msg_id, whichever comes first — replaces them.
 */
import type { LocalMessage, MessageCreate, MessagePage, MessageRead, PersonRef } from './types';

export interface Timeline {
  items: MessageRead[];
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
}

export function fromPage(page: MessagePage): Timeline {
  return { items: page.items, hasMoreBefore: page.has_more_before, hasMoreAfter: page.has_more_after };
}

function sortBySeq(items: MessageRead[]): MessageRead[] {
  return items.sort((a, b) => a.seq - b.seq);
}

/** Adds or replaces messages by id, keeping seq order. */
export function upsertMessages(items: MessageRead[], incoming: MessageRead[]): MessageRead[] {
  const byId = new Map(items.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return sortBySeq([...byId.values()]);
}

/**
 * Replaces a message we already hold (edit, recall, reactions…); unknown ids change nothing.
 * Events carry no `thread_unread` (it is per reader), so the count we hold survives them.
 */
export function replaceMessage(timeline: Timeline, message: MessageRead): Timeline {
  if (!timeline.items.some((m) => m.id === message.id)) return timeline;
  return {
    ...timeline,
    items: timeline.items.map((m) =>
      m.id === message.id ? { ...message, thread_unread: message.thread_unread ?? m.thread_unread } : m,
    ),
  };
}

/** A reply by someone else arrived in a thread: one more unread under its first message. */
export function bumpThreadUnread(timeline: Timeline, rootId: number): Timeline {
  if (!timeline.items.some((m) => m.id === rootId)) return timeline;
  return {
    ...timeline,
    items: timeline.items.map((m) => (m.id === rootId ? { ...m, thread_unread: (m.thread_unread ?? 0) + 1 } : m)),
  };
}

/** The thread is open on my screen: nothing in it is unread. */
export function clearThreadUnread(timeline: Timeline, rootId: number): Timeline {
  if (!timeline.items.some((m) => m.id === rootId && m.thread_unread)) return timeline;
  return { ...timeline, items: timeline.items.map((m) => (m.id === rootId ? { ...m, thread_unread: 0 } : m)) };
}

/**
 * A new message from the server (event or send answer). It is appended only when our window
 * reaches the newest message; otherwise adding it would leave a hole before it.
 */
export function addIncoming(timeline: Timeline, message: MessageRead): Timeline {
  if (timeline.items.some((m) => m.id === message.id)) return replaceMessage(timeline, message);
  if (timeline.hasMoreAfter) return timeline;
  return { ...timeline, items: upsertMessages(timeline.items, [message]) };
}

export function prependOlder(timeline: Timeline, page: MessagePage): Timeline {
  return { ...timeline, items: upsertMessages(timeline.items, page.items), hasMoreBefore: page.has_more_before };
}

export function appendNewer(timeline: Timeline, page: MessagePage): Timeline {
  return { ...timeline, items: upsertMessages(timeline.items, page.items), hasMoreAfter: page.has_more_after };
}

/**
 * A fresh fetch of the newest page merged with what we hold: kept together when they touch
 * (so scrolling back is not lost on a refetch), replaced when there is a gap between them.
 */
export function mergeLatest(previous: Timeline | undefined, page: MessagePage): Timeline {
  const fresh = fromPage(page);
  if (!previous || previous.items.length === 0 || page.items.length === 0) return fresh;
  const lastHeld = previous.items[previous.items.length - 1].seq;
  if (page.items[0].seq > lastHeld + 1 && page.has_more_before) return fresh;
  const firstFresh = page.items[0].seq;
  const older = previous.items.filter((m) => m.seq < firstFresh);
  return { items: [...older, ...page.items], hasMoreBefore: previous.hasMoreBefore, hasMoreAfter: false };
}

/** The message shown at once while the send is under way. */
export function pendingMessage(
  conversationId: number,
  draft: MessageCreate,
  me: PersonRef,
  now: Date = new Date(),
): LocalMessage {
  return {
    id: -Date.now() - Math.floor(Math.random() * 1000),
    conversation_id: conversationId,
    seq: Number.MAX_SAFE_INTEGER,
    sender: me,
    bot_name: null,
    kind: draft.file_ids?.length ? 'file' : draft.card ? 'card' : 'text',
    body: draft.body,
    files: [],
    card: null, // described by the server: it appears when the send is confirmed
    reply_to: null,
    thread_root_id: draft.thread_root_id ?? null,
    thread_reply_count: 0,
    mentions: [],
    mentions_all: false,
    reactions: [],
    edited_at: null,
    recalled: false,
    recalled_by_name: null,
    pinned: false,
    client_msg_id: draft.client_msg_id,
    created_at: now.toISOString(),
    unread_count: null,
    pending: true,
    draft,
  };
}

/** The pending list once the server's copy of a message has arrived. */
export function settlePending(pending: LocalMessage[], message: MessageRead): LocalMessage[] {
  if (!message.client_msg_id) return pending;
  const next = pending.filter((p) => p.client_msg_id !== message.client_msg_id);
  return next.length === pending.length ? pending : next;
}

export function markFailed(pending: LocalMessage[], clientMsgId: string): LocalMessage[] {
  return pending.map((p) => (p.client_msg_id === clientMsgId ? { ...p, pending: false, failed: true } : p));
}

export function markRetrying(pending: LocalMessage[], clientMsgId: string): LocalMessage[] {
  return pending.map((p) => (p.client_msg_id === clientMsgId ? { ...p, pending: true, failed: false } : p));
}

/** What the timeline shows: the server's messages, then mine not yet confirmed. */
export function visibleMessages(timeline: Timeline | undefined, pending: LocalMessage[]): LocalMessage[] {
  const items = timeline?.items ?? [];
  if (pending.length === 0) return items;
  const confirmed = new Set(items.map((m) => m.client_msg_id).filter(Boolean));
  return [...items, ...pending.filter((p) => !confirmed.has(p.client_msg_id))];
}

/**
 * Someone read up to `readSeq` (they had read up to `previousSeq`): each of my messages in
 * between, not sent by them, has one reader more.
 */
export function applyReadByOther(
  timeline: Timeline,
  myId: number,
  readerId: number,
  previousSeq: number,
  readSeq: number,
): Timeline {
  if (readSeq <= previousSeq) return timeline;
  let changed = false;
  const items = timeline.items.map((m) => {
    if (m.sender?.id !== myId || readerId === myId || m.unread_count === null || m.unread_count <= 0) return m;
    if (m.seq <= previousSeq || m.seq > readSeq) return m;
    changed = true;
    return { ...m, unread_count: m.unread_count - 1 };
  });
  return changed ? { ...timeline, items } : timeline;
}
