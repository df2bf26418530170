// Shapes of the messaging API, written by hand from the contract until `web/openapi.json`
// describes `/api/im` (then `npm run gen:api` and switch to the generated ones where they match).

export type ConversationKind = 'direct' | 'group' | 'department';
export type MemberRole = 'owner' | 'admin' | 'member';
export type MessageKind = 'text' | 'image' | 'file' | 'card' | 'system';

export interface PersonRef {
  id: number;
  name: string;
}

export interface MessageFile {
  id: string;
  name: string;
  size: number;
  content_type: string;
  has_thumbnail: boolean;
}

/** An object of another capability, described by that capability (src/tongban/im/cards.py). */
export interface MessageCard {
  type: string;
  ref: string;
  title: string;
  summary: string;
  /** An in-app path such as /approvals/12. */
  link: string;
  fields: { label: string; value: string }[];
  /** e.g. 审批中 / 已通过; the owner keeps it current. */
  status: string;
}

/** Names an object to show as a card; the server asks its owner for the rest. */
export interface CardRef {
  type: string;
  ref: string;
}

export interface ReplyRef {
  id: number;
  seq: number;
  sender_name: string;
  excerpt: string;
}

export interface Reaction {
  emoji: string;
  count: number;
  /** Right in REST answers only; events carry `person_ids` (the first 50) instead. */
  mine: boolean;
  person_ids?: number[];
}

export interface MessageRead {
  id: number;
  conversation_id: number;
  seq: number;
  sender: PersonRef | null;
  bot_name: string | null;
  kind: MessageKind;
  body: string;
  files: MessageFile[];
  card: MessageCard | null;
  reply_to: ReplyRef | null;
  thread_root_id: number | null;
  thread_reply_count: number;
  mentions: number[];
  mentions_all: boolean;
  reactions: Reaction[];
  edited_at: string | null;
  recalled: boolean;
  recalled_by_name: string | null;
  pinned: boolean;
  client_msg_id: string | null;
  created_at: string;
  /** Only on my own messages: how many members have not read it. */
  unread_count: number | null;
  /** On a thread's first message, in answers to me: replies by others since I last had it open. */
  thread_unread?: number | null;
}

/** A message as the page holds it: sent ones, plus mine still on their way. */
export interface LocalMessage extends MessageRead {
  pending?: boolean;
  failed?: boolean;
  /** What to send again on retry. */
  draft?: MessageCreate;
}

export interface ConversationRead {
  id: number;
  kind: ConversationKind;
  name: string;
  avatar_file_id: string | null;
  peer: PersonRef | null;
  last_message: MessageRead | null;
  last_seq: number;
  read_seq: number;
  unread_count: number;
  mention_count: number;
  muted: boolean;
  pinned: boolean;
  archived: boolean;
  member_count: number;
  my_role: MemberRole;
  updated_at: string;
}

export interface ConversationDetail extends ConversationRead {
  announcement: string;
  join_by_link: boolean;
  /** Owners and admins only: the join link's token and when it stops working. */
  link_token?: string | null;
  link_expires_at?: string | null;
}

/** What a join link shows before one joins. */
export interface JoinPreview {
  conversation_id: number;
  name: string;
  avatar_file_id: string | null;
  member_count: number;
  already_member: boolean;
}

export interface ConversationCreate {
  kind: 'direct' | 'group';
  person_id?: number;
  name?: string;
  member_ids?: number[];
}

export interface MemberRead {
  person_id: number;
  name: string;
  role: MemberRole;
  read_seq: number;
}

export interface MessagePage {
  items: MessageRead[];
  has_more_before: boolean;
  has_more_after: boolean;
}

export interface MessageCreate {
  client_msg_id: string;
  body: string;
  file_ids?: string[];
  reply_to_id?: number;
  thread_root_id?: number;
  card?: CardRef;
  /** A link to an in-app page in `body`: unfurled into a card if the sender may read it. */
  link_card?: CardRef;
}

export interface ThreadRead {
  root: MessageRead;
  items: MessageRead[];
}

export interface Receipts {
  read: PersonRef[];
  unread: PersonRef[];
}

export interface DingRecipient extends PersonRef {
  acknowledged_at: string | null;
}

export interface DingRead {
  id: number;
  message_id: number;
  conversation_id: number;
  sender: PersonRef | null;
  excerpt: string;
  recipients: DingRecipient[];
  created_at: string;
}

export interface SearchHit {
  message: MessageRead;
  conversation: { id: number; name: string };
  snippet: string;
}

export interface SearchQuery {
  q: string;
  conversation_id?: number;
  sender_id?: number;
  has_file?: boolean;
  date_from?: string;
  date_to?: string;
  cursor?: string;
}

export interface WebhookRead {
  id: number;
  name: string;
  url?: string;
  secret?: string;
}
