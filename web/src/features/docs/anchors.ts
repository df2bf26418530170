import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import type { Editor } from '@tiptap/core';
import * as Y from 'yjs';

export interface Anchor {
  start: string;
  end: string;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * The selection as Yjs relative positions: they name characters, not offsets, so a comment
 * stays on its words while others edit around them.
 */
export function selectionAnchor(editor: Editor): { anchor: Anchor; quote: string } | null {
  const { from, to, empty } = editor.state.selection;
  if (empty) return null;
  const ystate = ySyncPluginKey.getState(editor.state);
  if (!ystate?.binding) return null;
  const { type, binding } = ystate;
  const start = absolutePositionToRelativePosition(from, type, binding.mapping);
  const end = absolutePositionToRelativePosition(to, type, binding.mapping);
  return {
    anchor: { start: toBase64(Y.encodeRelativePosition(start)), end: toBase64(Y.encodeRelativePosition(end)) },
    quote: editor.state.doc.textBetween(from, to, ' ').slice(0, 500),
  };
}

/** Select the anchored range where it is now; false when its text was deleted. */
export function selectAnchor(editor: Editor, anchor: Anchor): boolean {
  const ystate = ySyncPluginKey.getState(editor.state);
  if (!ystate?.binding) return false;
  const { type, binding, doc } = ystate;
  const from = relativePositionToAbsolutePosition(doc, type, Y.decodeRelativePosition(fromBase64(anchor.start)), binding.mapping);
  const to = relativePositionToAbsolutePosition(doc, type, Y.decodeRelativePosition(fromBase64(anchor.end)), binding.mapping);
  if (from === null || to === null || from >= to) return false;
  editor.chain().focus().setTextSelection({ from, to }).scrollIntoView().run();
  return true;
}
