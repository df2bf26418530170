import {
  ArrowLeftOutlined,
  CommentOutlined,
  HistoryOutlined,
  MoreOutlined,
  ShareAltOutlined,
  StarFilled,
  StarOutlined,
} from '@ant-design/icons';
import type { Editor } from '@tiptap/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Avatar, Badge, Button, Drawer, Dropdown, Input, Result, Space, Spin, Tooltip } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useIsMobile } from '../../shell/useIsMobile';
import { docsApi, docsKeys, type ExportFormat } from './api';
import type { ConnectionStatus, Peer } from './CollabEditor';
import { CommentsPanel } from './CommentsPanel';
import { errorText } from './errors';
import { ShareModal } from './ShareModal';
import { VersionsDrawer } from './VersionsDrawer';

// TipTap, ProseMirror and Yjs load only when a document is opened (their own chunk).
const CollabEditor = lazy(() => import('./CollabEditor'));

const STATUS_COLOR: Record<ConnectionStatus, 'processing' | 'success' | 'warning'> = {
  connecting: 'processing',
  connected: 'success',
  disconnected: 'warning',
};

/** One avatar per person, however many tabs they have open. */
function uniquePeers(peers: Peer[]): Peer[] {
  const seen = new Set<string>();
  return peers.filter((p) => !seen.has(p.name) && (seen.add(p.name), true));
}

const EXPORTS: ExportFormat[] = ['docx', 'pdf', 'markdown', 'html', 'text'];

export function DocPage({ id, me }: { id: number; me: { id: number; name: string } }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const queryClient = useQueryClient();
  const doc = useQuery({ queryKey: docsKeys.doc(id), queryFn: () => docsApi.get(id), retry: false });
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [peers, setPeers] = useState<Peer[]>([]);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [revoked, setRevoked] = useState(false);
  // 'auto': comments open beside the text on a wide screen, closed on a phone (the first render
  // cannot tell which it is yet).
  const [chosenPanel, setPanel] = useState<'comments' | 'versions' | null | 'auto'>('auto');
  const panel = chosenPanel === 'auto' ? (isMobile ? null : 'comments') : chosenPanel;
  // "?share=<person>" comes from the notification sent when someone @mentioned a person who
  // cannot open the document yet: open the share dialog straight away.
  const [searchParams] = useSearchParams();
  const [shareOpen, setShareOpen] = useState(() => searchParams.has('share'));
  const [title, setTitle] = useState<string | null>(null);

  useEffect(() => {
    docsApi.open(id).catch(() => undefined);
  }, [id]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: docsKeys.all });
  const rename = useMutation({
    mutationFn: (value: string) => docsApi.update(id, { title: value }),
    onSuccess: () => refresh(),
    onError: (e) => message.error(errorText(e)),
  });
  const star = useMutation({ mutationFn: (starred: boolean) => docsApi.star(id, starred), onSettled: refresh });
  const copy = useMutation({
    mutationFn: () => docsApi.copy(id),
    onSuccess: (copied) => {
      message.success(t('docs.copied'));
      navigate(`/docs/${copied.id}`);
    },
  });
  const onRevoked = useCallback(() => setRevoked(true), []);

  if (doc.isLoading) return <Spin style={{ margin: 48 }} />;
  if (doc.isError || !doc.data || revoked) {
    return (
      <Result
        status="403"
        title={revoked ? t('docs.revoked') : errorText(doc.error)}
        extra={<Button onClick={() => navigate('/docs')}>{t('docs.back')}</Button>}
      />
    );
  }
  const d = doc.data;
  const canEdit = d.my_role === 'owner' || d.my_role === 'editor';
  const canComment = canEdit || d.my_role === 'commenter';
  const shownTitle = title ?? d.title;

  const menu = {
    items: [
      ...EXPORTS.map((f) => ({ key: f, label: `${t('docs.menu.export')} · ${t(`docs.exportAs.${f}`)}` })),
      { type: 'divider' as const },
      { key: 'copy', label: t('docs.menu.copy') },
      ...(d.my_role === 'owner' ? [{ key: 'delete', danger: true, label: t('docs.menu.delete') }] : []),
    ],
    onClick: ({ key }: { key: string }) => {
      const format = EXPORTS.find((f) => f === key);
      if (format) window.location.assign(docsApi.exportUrl(id, format));
      else if (key === 'copy') copy.mutate();
      else if (key === 'delete')
        modal.confirm({
          title: t('docs.deleteConfirm'),
          okButtonProps: { danger: true },
          onOk: async () => {
            await docsApi.remove(id);
            message.success(t('docs.deleted'));
            refresh();
            navigate('/docs');
          },
        });
    },
  };

  const side =
    panel === 'comments' ? (
      <CommentsPanel docId={id} me={me} role={d.my_role} editor={editor} canComment={canComment} />
    ) : panel === 'versions' ? (
      <VersionsDrawer docId={id} canEdit={canEdit} />
    ) : null;

  return (
    <div className="docs-page" data-testid="doc-page">
      <header className="docs-header">
        <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t('docs.back')} onClick={() => navigate('/docs')} />
        <Input
          className="docs-title"
          variant="borderless"
          value={shownTitle}
          placeholder={t('docs.titlePlaceholder')}
          readOnly={!canEdit}
          maxLength={200}
          data-testid="doc-title"
          onChange={(e) => setTitle(e.target.value)}
          onBlur={() => title !== null && title !== d.title && rename.mutate(title)}
          onPressEnter={(e) => (e.target as HTMLInputElement).blur()}
        />
        <Space size={4} className="docs-header-actions">
          <Tooltip title={t(`docs.status.${status}`)}>
            <Badge status={STATUS_COLOR[status]} data-testid="doc-status" data-status={status} />
          </Tooltip>
          <span data-testid="doc-peers">
            <Avatar.Group max={{ count: isMobile ? 2 : 5 }} size="small">
              {uniquePeers(peers).map((p) => (
                <Tooltip key={p.clientId} title={p.name}>
                  <Avatar style={{ backgroundColor: p.color }} data-peer={p.name}>
                    {p.name.slice(-2)}
                  </Avatar>
                </Tooltip>
              ))}
            </Avatar.Group>
          </span>
          <Button
            type="text"
            aria-label={t(d.starred ? 'docs.menu.unstar' : 'docs.menu.star')}
            icon={d.starred ? <StarFilled style={{ color: '#faad14' }} /> : <StarOutlined />}
            onClick={() => star.mutate(!d.starred)}
          />
          <Button
            type={panel === 'comments' ? 'primary' : 'text'}
            ghost={panel === 'comments'}
            icon={<CommentOutlined />}
            aria-label={t('docs.menu.comments')}
            data-testid="doc-comments-toggle"
            onClick={() => setPanel(panel === 'comments' ? null : 'comments')}
          />
          <Button
            type={panel === 'versions' ? 'primary' : 'text'}
            ghost={panel === 'versions'}
            icon={<HistoryOutlined />}
            aria-label={t('docs.menu.versions')}
            data-testid="doc-versions-toggle"
            onClick={() => setPanel(panel === 'versions' ? null : 'versions')}
          />
          <Button icon={<ShareAltOutlined />} onClick={() => setShareOpen(true)} data-testid="doc-share">
            {isMobile ? null : t('docs.menu.share')}
          </Button>
          <Dropdown menu={menu} trigger={['click']}>
            <Button type="text" icon={<MoreOutlined />} aria-label={t('docs.menu.more')} />
          </Dropdown>
        </Space>
      </header>
      {!canEdit ? (
        <Alert type="info" banner showIcon message={t(canComment ? 'docs.commentOnly' : 'docs.readOnly')} />
      ) : null}
      <div className="docs-body">
        <main className="docs-main">
          <Suspense fallback={<Spin style={{ margin: 48 }} />}>
            <CollabEditor
              docId={id}
              me={me}
              editable={canEdit}
              onStatus={setStatus}
              onPeers={setPeers}
              onEditor={setEditor}
              onRevoked={onRevoked}
            />
          </Suspense>
        </main>
        {side && !isMobile ? <aside className="docs-side">{side}</aside> : null}
      </div>
      {isMobile ? (
        <Drawer
          open={side !== null}
          placement="bottom"
          height="70%"
          onClose={() => setPanel(null)}
          title={panel ? t(`docs.menu.${panel}`) : ''}
          styles={{ body: { padding: 0 } }}
        >
          {side}
        </Drawer>
      ) : null}
      <ShareModal open={shareOpen} onClose={() => setShareOpen(false)} doc={d} />
    </div>
  );
}
