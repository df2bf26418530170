import { Collaboration } from '@tiptap/extension-collaboration';
import { EditorContent, useEditor } from '@tiptap/react';
import { useQuery } from '@tanstack/react-query';
import { Spin } from 'antd';
import { useEffect, useMemo } from 'react';
import * as Y from 'yjs';
import { docsApi } from './api';
import { documentExtensions } from './extensions';
import './editor.css';

/** One version, read-only: its Yjs state in a local document, never connected to the server. */
export default function VersionViewer({ docId, versionId }: { docId: number; versionId: number }) {
  const state = useQuery({ queryKey: ['docs', 'version-state', docId, versionId], queryFn: () => docsApi.versionState(docId, versionId) });
  const ydoc = useMemo(() => new Y.Doc(), []);
  useEffect(() => () => ydoc.destroy(), [ydoc]);
  useEffect(() => {
    if (state.data) Y.applyUpdate(ydoc, state.data);
  }, [state.data, ydoc]);
  const editor = useEditor({
    extensions: [...documentExtensions(''), Collaboration.configure({ document: ydoc })],
    editable: false,
    editorProps: { attributes: { class: 'docs-prose', 'data-testid': 'version-view' } },
  });
  if (state.isLoading) return <Spin />;
  return <EditorContent editor={editor} />;
}
