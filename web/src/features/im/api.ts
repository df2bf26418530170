import { api } from '../../api/client';
import type {
  ConversationCreate,
  ConversationDetail,
  ConversationRead,
  DingRead,
  JoinPreview,
  MemberRead,
  MemberRole,
  MessageCreate,
  MessagePage,
  MessageRead,
  Receipts,
  SearchHit,
  SearchQuery,
  ThreadRead,
  WebhookRead,
} from './types';

export interface ConversationUpdate {
  name?: string;
  announcement?: string;
  join_by_link?: boolean;
  /** null takes the group's picture away. */
  avatar_file_id?: string | null;
}

export const imKeys = {
  all: ['im'] as const,
  conversations: ['im', 'conversations'] as const,
  conversation: (id: number) => ['im', 'conversation', id] as const,
  members: (id: number) => ['im', 'members', id] as const,
  messages: (id: number) => ['im', 'messages', id] as const,
  pending: (id: number) => ['im', 'pending', id] as const,
  thread: (id: number) => ['im', 'thread', id] as const,
  receipts: (id: number) => ['im', 'receipts', id] as const,
  pins: (id: number) => ['im', 'pins', id] as const,
  dings: ['im', 'dings', 'pending'] as const,
  ding: (id: number) => ['im', 'ding', id] as const,
  webhooks: (id: number) => ['im', 'webhooks', id] as const,
  search: (query: SearchQuery) => ['im', 'search', query] as const,
  join: (token: string) => ['im', 'join', token] as const,
};

const c = (id: number) => `/api/im/conversations/${id}`;
const m = (id: number) => `/api/im/messages/${id}`;

export interface MessageWindow {
  before_seq?: number;
  after_seq?: number;
  around_seq?: number;
  limit?: number;
}

export const imApi = {
  conversations: () => api.get<ConversationRead[]>('/api/im/conversations'),
  createConversation: (body: ConversationCreate) => api.post<ConversationRead>('/api/im/conversations', body),
  conversation: (id: number) => api.get<ConversationDetail>(c(id)),
  updateConversation: (id: number, body: ConversationUpdate) => api.patch<ConversationDetail>(c(id), body),
  resetLink: (id: number) => api.post<ConversationDetail>(`${c(id)}/link`),
  transferOwner: (id: number, personId: number) =>
    api.post<ConversationDetail>(`${c(id)}/owner`, { person_id: personId }),
  joinPreview: (token: string) => api.get<JoinPreview>(`/api/im/join/${encodeURIComponent(token)}`),
  join: (token: string) => api.post<ConversationDetail>(`/api/im/join/${encodeURIComponent(token)}`),
  createDepartmentGroup: (departmentId: number) =>
    api.post<ConversationDetail>('/api/im/conversations/department', { department_id: departmentId }),
  updateMine: (id: number, body: { muted?: boolean; pinned?: boolean; archived?: boolean }) =>
    api.patch<ConversationRead>(`${c(id)}/me`, body),
  members: (id: number) => api.get<MemberRead[]>(`${c(id)}/members`),
  addMembers: (id: number, personIds: number[]) => api.post<unknown>(`${c(id)}/members`, { person_ids: personIds }),
  removeMember: (id: number, personId: number) => api.delete(`${c(id)}/members/${personId}`),
  setRole: (id: number, personId: number, role: MemberRole) =>
    api.patch<unknown>(`${c(id)}/members/${personId}`, { role }),
  messages: (id: number, window: MessageWindow = {}) =>
    api.get<MessagePage>(`${c(id)}/messages`, { query: { limit: 50, ...window } }),
  send: (id: number, body: MessageCreate) => api.post<MessageRead>(`${c(id)}/messages`, body),
  edit: (id: number, body: string) => api.patch<MessageRead>(m(id), { body }),
  recall: (id: number) => api.post<MessageRead>(`${m(id)}/recall`),
  react: (id: number, emoji: string) => api.post<MessageRead>(`${m(id)}/reactions`, { emoji }),
  forward: (id: number, conversationIds: number[]) =>
    api.post<unknown>(`${m(id)}/forward`, { conversation_ids: conversationIds }),
  pin: (id: number) => api.post<unknown>(`${m(id)}/pin`),
  unpin: (id: number) => api.delete(`${m(id)}/pin`),
  pins: (id: number) => api.get<MessageRead[]>(`${c(id)}/pins`),
  thread: (id: number) => api.get<ThreadRead>(`${m(id)}/thread`),
  readThread: (id: number, seq: number) => api.post<unknown>(`${m(id)}/thread/read`, { seq }),
  markRead: (id: number, seq: number) =>
    api.post<{ read_seq: number; unread_count: number }>(`${c(id)}/read`, { seq }),
  receipts: (id: number) => api.get<Receipts>(`${m(id)}/receipts`),
  typing: (id: number) => api.post<void>(`${c(id)}/typing`),
  ding: (id: number, personIds: number[]) => api.post<DingRead>(`${m(id)}/ding`, { person_ids: personIds }),
  pendingDings: () => api.get<DingRead[]>('/api/im/dings', { query: { pending: true } }),
  ackDing: (id: number) => api.post<unknown>(`/api/im/dings/${id}/ack`),
  dingDetail: (id: number) => api.get<DingRead>(`/api/im/dings/${id}`),
  search: (query: SearchQuery) =>
    api.get<{ items: SearchHit[]; next_cursor: string | null }>('/api/im/search', { query: { ...query } }),
  webhooks: (id: number) => api.get<WebhookRead[]>(`${c(id)}/webhooks`),
  createWebhook: (id: number, name: string) => api.post<WebhookRead>(`${c(id)}/webhooks`, { name }),
  deleteWebhook: (id: number) => api.delete(`/api/im/webhooks/${id}`),
};

export const fileUrls = {
  thumbnail: (id: string) => `/api/files/${encodeURIComponent(id)}/thumbnail`,
  content: (id: string) => `/api/files/${encodeURIComponent(id)}/content`,
};
