import { csrfToken } from '../../api/client';
import type { StoredFile } from '../../api/types';

/** POST /api/files with the session's CSRF token; resolves to the stored file. */
export async function uploadFile(file: Blob, name: string): Promise<StoredFile> {
  const body = new FormData();
  body.append('file', file, name);
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = csrfToken();
  if (token) headers['X-CSRF-Token'] = token;
  const response = await fetch('/api/files', { method: 'POST', body, headers, credentials: 'include' });
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = data && typeof data === 'object' && 'message' in data ? String(data.message) : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return data as StoredFile;
}
