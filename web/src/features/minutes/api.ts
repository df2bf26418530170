import { api, csrfToken } from '../../api/client';
import type { StoredFile } from '../../api/types';
import type { MinutesLanguage, MinutesRead, MinutesSearchOut, MinutesSegmentRead, MinutesTranscriptOut } from './types';

export const minutesKeys = {
  all: ['minutes'] as const,
  list: ['minutes', 'list'] as const,
  one: (id: number) => ['minutes', 'one', id] as const,
  transcript: (id: number) => ['minutes', 'transcript', id] as const,
};

const m = (id: number) => `/api/minutes/${id}`;

export const minutesApi = {
  list: () => api.get<MinutesRead[]>('/api/minutes'),
  get: (id: number) => api.get<MinutesRead>(m(id)),
  create: (fileId: string, language: MinutesLanguage, title = '') =>
    api.post<MinutesRead>('/api/minutes', { file_id: fileId, language, title }),
  cancel: (id: number) => api.post<MinutesRead>(`${m(id)}/cancel`),
  retry: (id: number) => api.post<MinutesRead>(`${m(id)}/retry`),
  remove: (id: number) => api.delete(m(id)),
  transcript: (id: number) => api.get<MinutesTranscriptOut>(`${m(id)}/transcript`),
  search: (id: number, q: string) => api.get<MinutesSearchOut>(`${m(id)}/search`, { query: { q } }),
  correct: (id: number, segmentId: number, text: string) =>
    api.patch<MinutesSegmentRead>(`${m(id)}/segments/${segmentId}`, { text }),
};

/** POST /api/files with upload progress (fetch cannot report it; XMLHttpRequest can). */
export function uploadWithProgress(
  file: Blob,
  name: string,
  onProgress: (fraction: number) => void,
): { promise: Promise<StoredFile>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<StoredFile>((resolve, reject) => {
    xhr.open('POST', '/api/files');
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const token = csrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: reported below by status */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as StoredFile);
      else {
        const message =
          data && typeof data === 'object' && 'message' in data ? String(data.message) : `HTTP ${xhr.status}`;
        reject(new Error(message));
      }
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.onabort = () => reject(new Error('aborted'));
    const body = new FormData();
    body.append('file', file, name);
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}

export function formatTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
