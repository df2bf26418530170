import { api } from '../../api/client';
import type { CommentRead, DiffLine, DocSearchHit, DocumentRead, GrantRead, GrantRole, Scope, VersionRead } from './types';

export type ExportFormat = 'markdown' | 'html' | 'text' | 'docx' | 'pdf';

export const docsKeys = {
  all: ['docs'] as const,
  list: (scope: Scope, parentId?: number | null, q?: string) => ['docs', 'list', scope, parentId ?? null, q ?? ''] as const,
  doc: (id: number) => ['docs', 'doc', id] as const,
  grants: (id: number) => ['docs', 'grants', id] as const,
  comments: (id: number) => ['docs', 'comments', id] as const,
  versions: (id: number) => ['docs', 'versions', id] as const,
  diff: (id: number, versionId: number) => ['docs', 'diff', id, versionId] as const,
};

const d = (id: number) => `/api/docs/${id}`;

async function bytes(path: string): Promise<Uint8Array> {
  const response = await fetch(path, { credentials: 'include' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export const docsApi = {
  list: (scope: Scope, parentId?: number | null, q?: string) =>
    api.get<DocumentRead[]>('/api/docs', { query: { scope, parent_id: parentId ?? undefined, q } }),
  search: (q: string) => api.get<DocSearchHit[]>('/api/docs/search', { query: { q } }),
  create: (title: string, parentId?: number | null) =>
    api.post<DocumentRead>('/api/docs', { title, parent_id: parentId ?? null }),
  importFile: (file: File) => {
    const form = new FormData();
    form.append('file', file);
    return api.post<DocumentRead>('/api/docs/import', undefined, { formData: form });
  },
  get: (id: number) => api.get<DocumentRead>(d(id)),
  open: (id: number) => api.post<void>(`${d(id)}/open`),
  update: (id: number, body: { title?: string; link_role?: GrantRole | 'none'; move?: boolean; parent_id?: number | null }) =>
    api.patch<DocumentRead>(d(id), body),
  remove: (id: number) => api.delete(d(id)),
  copy: (id: number) => api.post<DocumentRead>(`${d(id)}/copy`),
  star: (id: number, starred: boolean) => (starred ? api.put<void>(`${d(id)}/star`) : api.delete(`${d(id)}/star`)),
  grants: (id: number) => api.get<GrantRead[]>(`${d(id)}/access`),
  grant: (id: number, body: { role: GrantRole; person_id?: number; department_id?: number }) =>
    api.post<GrantRead>(`${d(id)}/access`, body),
  revoke: (id: number, grantId: number) => api.delete(`${d(id)}/access/${grantId}`),
  comments: (id: number) => api.get<CommentRead[]>(`${d(id)}/comments`),
  comment: (
    id: number,
    body: { body: string; parent_id?: number; anchor?: { start: string; end: string }; quote?: string; mention_ids?: number[] },
  ) => api.post<CommentRead>(`${d(id)}/comments`, body),
  resolve: (id: number, commentId: number, resolved: boolean) =>
    api.patch<CommentRead>(`${d(id)}/comments/${commentId}`, { resolved }),
  deleteComment: (id: number, commentId: number) => api.delete(`${d(id)}/comments/${commentId}`),
  versions: (id: number) => api.get<VersionRead[]>(`${d(id)}/versions`),
  createVersion: (id: number, name: string) => api.post<VersionRead>(`${d(id)}/versions`, { name }),
  versionState: (id: number, versionId: number) => bytes(`${d(id)}/versions/${versionId}/state`),
  diff: (id: number, versionId: number) => api.get<DiffLine[]>(`${d(id)}/versions/${versionId}/diff`),
  restore: (id: number, versionId: number) => api.post<void>(`${d(id)}/versions/${versionId}/restore`),
  exportUrl: (id: number, format: ExportFormat) => `${d(id)}/export?format=${format}`,
};

/** The socket base for y-websocket: the provider appends "/<room>" (the document id). */
export function socketBase(): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/api/docs/ws`;
}

