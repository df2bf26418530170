import { api, csrfToken } from '../../api/client';
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

interface UploadState {
  upload_id: string;
  chunk_bytes: number;
  chunks: number;
  received: number[];
}

function putChunk(url: string, body: Blob, onProgress: (loaded: number) => void): Promise<void> {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  const xhr = new XMLHttpRequest();
  return new Promise((resolve, reject) => {
    xhr.open('PUT', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    const token = csrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(`HTTP ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends a recording in chunks and queues its transcription. When the connection drops, it asks
 * the server which chunks arrived and sends only the rest (up to 8 tries, waiting longer each time).
 */
export async function uploadRecording(
  file: Blob,
  name: string,
  language: MinutesLanguage,
  onProgress: (fraction: number) => void,
): Promise<MinutesRead> {
  let state = await api.post<UploadState>('/api/minutes/uploads', { name, size: file.size });
  const base = `/api/minutes/uploads/${state.upload_id}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const have = new Set(state.received);
      let done = state.received.reduce((n, i) => n + Math.min(state.chunk_bytes, file.size - i * state.chunk_bytes), 0);
      for (let i = 0; i < state.chunks; i++) {
        if (have.has(i)) continue;
        const part = file.slice(i * state.chunk_bytes, (i + 1) * state.chunk_bytes);
        await putChunk(`${base}/chunks/${i}`, part, (loaded) => onProgress((done + loaded) / file.size));
        done += part.size;
        onProgress(done / file.size);
      }
      break;
    } catch (e) {
      if (attempt >= 7) throw e;
      await sleep(500 * 2 ** attempt);
      state = await api.get<UploadState>(base).catch(() => state);
    }
  }
  return api.post<MinutesRead>(`${base}/complete`, { language });
}

export function formatTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
