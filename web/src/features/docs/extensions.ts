import { Image } from '@tiptap/extension-image';
import { TaskItem, TaskList } from '@tiptap/extension-list';
import { Placeholder } from '@tiptap/extension-placeholder';
import { TableKit } from '@tiptap/extension-table';
import StarterKit from '@tiptap/starter-kit';
import type { Extensions } from '@tiptap/core';
import { mentionExtension } from './mentions';

/**
 * The document schema, shared by the live editor and the read-only version viewer. Node and
 * mark names must match the server's (src/tongban/docs/content.py) for import and export.
 * Undo/redo come from the Collaboration extension (per user, over Yjs), not StarterKit's.
 */
export function documentExtensions(placeholder: string, noPeople: () => string = () => ''): Extensions {
  return [
    StarterKit.configure({
      undoRedo: false,
      link: { openOnClick: false, autolink: true, protocols: ['http', 'https', 'mailto'] },
    }),
    TaskList,
    TaskItem.configure({ nested: true }),
    TableKit.configure({ table: { resizable: false } }),
    Placeholder.configure({ placeholder }),
    // Uploaded images only (docs/images.ts): data: URLs would put megabytes into the Yjs log.
    Image.configure({ inline: false, allowBase64: false, HTMLAttributes: { class: 'docs-image' } }),
    mentionExtension(noPeople),
  ];
}

/** Pastes above this size are refused in the editor; the server refuses updates over 2 MB. */
export const MAX_PASTE_CHARS = 1_000_000;

const COLORS = ['#1677ff', '#eb2f96', '#fa8c16', '#52c41a', '#722ed1', '#13c2c2', '#f5222d', '#2f54eb'];

/** A stable colour per person, so someone's cursor keeps its colour across sessions. */
export function colorFor(personId: number): string {
  return COLORS[personId % COLORS.length];
}
