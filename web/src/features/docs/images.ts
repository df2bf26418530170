import type { Editor } from '@tiptap/core';
import { csrfToken } from '../../api/client';

/** What the server takes (docs/images.py): judged again there from the bytes. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

export class ImageUploadError extends Error {}

/** POST the image with progress (fetch has none for uploads); resolves to its src. */
export function uploadImage(docId: number, file: File, onProgress: (percent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/docs/${docId}/images`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const token = csrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      const data = parseBody(xhr.responseText);
      if (xhr.status === 201 && data?.id) resolve(`/api/docs/images/${data.id}`);
      else reject(new ImageUploadError(data?.fields?.[0]?.message ?? data?.message ?? `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new ImageUploadError(`HTTP ${xhr.status || 0}`));
    const body = new FormData();
    body.append('file', file, file.name || 'image.png');
    xhr.send(body);
  });
}

interface UploadBody {
  id?: string;
  message?: string;
  fields?: { message: string }[];
}

function parseBody(text: string): UploadBody | null {
  try {
    return JSON.parse(text) as UploadBody;
  } catch {
    return null;
  }
}

export function imageFiles(list: FileList | null | undefined): File[] {
  return Array.from(list ?? []).filter((f) => f.type.startsWith('image/'));
}

export interface UploadFeedback {
  progress: (key: string, name: string, percent: number) => void;
  done: (key: string) => void;
  failed: (key: string, name: string, reason: string) => void;
}

/** Upload each file and insert it where the caret was (or at `pos`, for a drop). */
export async function insertImages(editor: Editor, docId: number, files: File[], feedback: UploadFeedback, pos?: number) {
  let at = pos;
  for (const file of files) {
    const key = `docs-image-${Math.random().toString(36).slice(2)}`;
    if (file.size > IMAGE_MAX_BYTES) {
      feedback.failed(key, file.name, 'size');
      continue;
    }
    try {
      feedback.progress(key, file.name, 0);
      const src = await uploadImage(docId, file, (p) => feedback.progress(key, file.name, p));
      feedback.done(key);
      const chain = editor.chain().focus();
      const node = { type: 'image', attrs: { src, alt: file.name.replace(/\.[^.]+$/, '') } };
      if (at !== undefined) chain.insertContentAt(at, node).run();
      else chain.insertContent(node).run();
      at = undefined;
    } catch (error) {
      feedback.failed(key, file.name, error instanceof Error ? error.message : String(error));
    }
  }
}
