import { Collaboration } from '@tiptap/extension-collaboration';
import { CollaborationCaret } from '@tiptap/extension-collaboration-caret';
import { EditorContent, useEditor } from '@tiptap/react';
import type { Editor } from '@tiptap/core';
import { App } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { socketBase } from './api';
import { colorFor, documentExtensions, MAX_PASTE_CHARS } from './extensions';
import { imageFiles, insertImages } from './images';
import { useUploadFeedback } from './uploadFeedback';
import { Toolbar } from './Toolbar';
import './editor.css';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

export interface Peer {
  clientId: number;
  name: string;
  color: string;
}

interface Props {
  docId: number;
  me: { id: number; name: string };
  editable: boolean;
  onStatus: (status: ConnectionStatus) => void;
  onPeers: (peers: Peer[]) => void;
  onEditor: (editor: Editor | null) => void;
  onRevoked: () => void;
}

const CLOSE_READ_ONLY = 4403;

/** The TipTap editor that owns a ProseMirror view (TipTap puts it on the view's DOM). */
function currentEditor(view: { dom: Element }): Editor {
  return (view.dom as unknown as { editor: Editor }).editor;
}

/**
 * The live editor: TipTap bound to a Y.Doc that y-websocket keeps in sync with the server
 * (src/tongban/docs/relay.py). Others' cursors and names come through awareness; edits made
 * while disconnected stay in the Y.Doc and merge when the socket is back.
 */
export default function CollabEditor(props: Props) {
  // The socket is opened in an effect, never during render: React may render a component and
  // throw the render away (Suspense, transitions), which would leave a connected provider, and
  // a ghost cursor, behind.
  const { docId } = props;
  const [session, setSession] = useState<{ ydoc: Y.Doc; provider: WebsocketProvider } | null>(null);
  useEffect(() => {
    const ydoc = new Y.Doc();
    const provider = new WebsocketProvider(socketBase(), String(docId), ydoc, { disableBc: true });
    // The provider is an external resource that exists only from this effect on; the editor
    // below is built around it, so it has to be state.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setSession({ ydoc, provider });
    // A socket can outlive a lost network for a long time before it errors; when the browser
    // says it is offline, drop it at once (edits go on in the local Yjs document) and reconnect
    // when it is back, which syncs both ways and merges what was typed meanwhile.
    let droppedOffline = false;
    const offline = () => {
      if (!provider.shouldConnect) return; // stopped on purpose (access revoked)
      droppedOffline = true;
      provider.disconnect();
    };
    const online = () => {
      if (droppedOffline) provider.connect();
      droppedOffline = false;
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      provider.destroy();
      ydoc.destroy();
      setSession(null);
    };
  }, [docId]);
  if (!session) return null;
  return <LiveEditor {...props} ydoc={session.ydoc} provider={session.provider} />;
}

function LiveEditor({
  docId,
  me,
  editable,
  onStatus,
  onPeers,
  onEditor,
  onRevoked,
  ydoc,
  provider,
}: Props & { ydoc: Y.Doc; provider: WebsocketProvider }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [ready, setReady] = useState(false);
  const feedback = useUploadFeedback();
  const navigate = useNavigate();

  useEffect(() => {
    const onStatusEvent = ({ status }: { status: ConnectionStatus }) => onStatus(status);
    const onSync = (synced: boolean) => synced && setReady(true);
    const onClose = (event: CloseEvent | null) => {
      if (event?.code === CLOSE_READ_ONLY) {
        // Access was revoked (or changed under us): stop retrying and say so.
        provider.shouldConnect = false;
        onRevoked();
      }
    };
    const awareness = provider.awareness;
    const onChange = () => {
      const peers: Peer[] = [];
      awareness.getStates().forEach((state, clientId) => {
        const user = (state as { user?: { name?: string; color?: string } }).user;
        if (clientId !== ydoc.clientID && user?.name) peers.push({ clientId, name: user.name, color: user.color ?? '#999' });
      });
      onPeers(peers);
    };
    provider.on('status', onStatusEvent);
    provider.on('sync', onSync);
    provider.on('connection-close', onClose);
    awareness.on('change', onChange);
    return () => {
      provider.off('status', onStatusEvent);
      provider.off('sync', onSync);
      provider.off('connection-close', onClose);
      awareness.off('change', onChange);
    };
  }, [provider, ydoc, onStatus, onPeers, onRevoked]);

  const editor = useEditor(
    {
      extensions: [
        ...documentExtensions(t('docs.placeholder'), () => t('docs.mention.none')),
        Collaboration.configure({ document: ydoc }),
        CollaborationCaret.configure({ provider, user: { name: me.name, color: colorFor(me.id) } }),
      ],
      editable,
      editorProps: {
        attributes: { class: 'docs-prose', 'data-testid': 'docs-editor' },
        // A link to another document opens it in the app: at once when reading, with Ctrl/⌘
        // when editing (a plain click there places the caret).
        handleClick: (view, _pos, event) => {
          const link = (event.target as HTMLElement | null)?.closest('a[href^="/docs/"]');
          const href = link?.getAttribute('href');
          if (!href || (view.editable && !event.ctrlKey && !event.metaKey)) return false;
          event.preventDefault();
          navigate(href);
          return true;
        },
        handleDrop: (view, event) => {
          const files = imageFiles(event.dataTransfer?.files);
          if (!files.length || !view.editable) return false;
          event.preventDefault();
          const at = view.posAtCoords({ left: event.clientX, top: event.clientY })?.pos;
          void insertImages(currentEditor(view), docId, files, feedback, at);
          return true;
        },
        handlePaste: (view, event) => {
          const data = event.clipboardData;
          const files = imageFiles(data?.files);
          if (files.length && view.editable) {
            void insertImages(currentEditor(view), docId, files, feedback);
            return true;
          }
          const size = Math.max(data?.getData('text/html').length ?? 0, data?.getData('text/plain').length ?? 0);
          if (size > MAX_PASTE_CHARS) {
            message.error(t('docs.pasteTooLarge'));
            return true;
          }
          return false;
        },
      },
    },
    [provider],
  );

  useEffect(() => {
    editor?.setEditable(editable);
  }, [editor, editable]);

  useEffect(() => {
    onEditor(editor);
    return () => onEditor(null);
  }, [editor, onEditor]);

  return (
    <div className="docs-editor" data-ready={ready ? 'true' : 'false'}>
      {editable && editor ? <Toolbar editor={editor} docId={docId} /> : null}
      <EditorContent editor={editor} />
    </div>
  );
}
