import { CheckOutlined, DeleteOutlined, UndoOutlined } from '@ant-design/icons';
import type { Editor } from '@tiptap/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Input, Space, Switch, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PeopleMultiSelect } from './PeopleMultiSelect';
import { docsApi, docsKeys } from './api';
import { errorText } from './errors';
import type { CommentRead, Role } from './types';

interface Thread {
  root: CommentRead;
  replies: CommentRead[];
}

function threadsOf(comments: CommentRead[]): Thread[] {
  const byRoot = new Map<number, Thread>();
  for (const c of comments) if (c.parent_id === null) byRoot.set(c.id, { root: c, replies: [] });
  for (const c of comments) if (c.parent_id !== null) byRoot.get(c.parent_id)?.replies.push(c);
  return [...byRoot.values()];
}

/**
 * Comment threads beside the text. A new thread is anchored to the selected words (Yjs relative
 * positions, so it follows them through others' edits); clicking a thread selects them again.
 * Comments are refetched every few seconds while the panel is open.
 */
export function CommentsPanel({
  docId,
  me,
  role,
  editor,
  canComment,
}: {
  docId: number;
  me: { id: number };
  role: Role;
  editor: Editor | null;
  canComment: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const comments = useQuery({
    queryKey: docsKeys.comments(docId),
    queryFn: () => docsApi.comments(docId),
    refetchInterval: 5000,
  });
  const [draft, setDraft] = useState('');
  const [mentions, setMentions] = useState<number[]>([]);
  const [showResolved, setShowResolved] = useState(false);
  const [replies, setReplies] = useState<Record<number, string>>({});
  const refresh = () => queryClient.invalidateQueries({ queryKey: docsKeys.comments(docId) });
  const onError = (e: unknown) => message.error(errorText(e));
  const create = useMutation({
    mutationFn: (body: Parameters<typeof docsApi.comment>[1]) => docsApi.comment(docId, body),
    onSuccess: refresh,
    onError,
  });
  const resolve = useMutation({
    mutationFn: ({ id, resolved }: { id: number; resolved: boolean }) => docsApi.resolve(docId, id, resolved),
    onSuccess: refresh,
    onError,
  });
  const remove = useMutation({ mutationFn: (id: number) => docsApi.deleteComment(docId, id), onSuccess: refresh, onError });
  const threads = useMemo(() => threadsOf(comments.data ?? []), [comments.data]);
  const shown = threads.filter((th) => showResolved || !th.root.resolved);
  const when = (iso: string) => new Date(iso).toLocaleString(i18n.language, { dateStyle: 'short', timeStyle: 'short' });

  const submit = async () => {
    const body = draft.trim();
    if (!body) return;
    const { selectionAnchor } = await import('./anchors');
    const anchored = editor ? selectionAnchor(editor) : null;
    create.mutate(
      { body, mention_ids: mentions, ...(anchored ? { anchor: anchored.anchor, quote: anchored.quote } : {}) },
      {
        onSuccess: () => {
          setDraft('');
          setMentions([]);
        },
      },
    );
  };

  const focus = async (th: Thread) => {
    if (!editor || !th.root.anchor) return;
    const { selectAnchor } = await import('./anchors');
    selectAnchor(editor, th.root.anchor);
  };

  return (
    <div className="docs-comments" data-testid="comments-panel">
      <div className="docs-panel-head">
        <Typography.Text strong>{t('docs.comments.title')}</Typography.Text>
        <Space size={4}>
          <Typography.Text type="secondary">{t('docs.comments.showResolved')}</Typography.Text>
          <Switch size="small" checked={showResolved} onChange={setShowResolved} />
        </Space>
      </div>
      {canComment ? (
        <div className="docs-comment-new">
          <Input.TextArea
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={t('docs.comments.placeholder')}
            autoSize={{ minRows: 2, maxRows: 6 }}
            maxLength={5000}
            data-testid="comment-input"
          />
          <PeopleMultiSelect value={mentions} onChange={setMentions} placeholder={t('docs.comments.mention')} />
          <Button type="primary" block onClick={submit} loading={create.isPending} disabled={!draft.trim()} data-testid="comment-send">
            {t('docs.comments.send')}
          </Button>
          <Typography.Text type="secondary" className="docs-hint">
            {t('docs.comments.selectFirst')}
          </Typography.Text>
        </div>
      ) : null}
      {shown.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('docs.comments.empty')} /> : null}
      {shown.map((th) => (
        <div
          key={th.root.id}
          className={`docs-thread${th.root.resolved ? ' is-resolved' : ''}`}
          data-testid="comment-thread"
          onClick={() => void focus(th)}
        >
          <blockquote className="docs-thread-quote">{th.root.quote || t('docs.comments.general')}</blockquote>
          {[th.root, ...th.replies].map((c) => (
            <div key={c.id} className="docs-comment">
              <div className="docs-comment-meta">
                <Typography.Text strong>{c.author?.name ?? '—'}</Typography.Text>
                <Typography.Text type="secondary"> {when(c.created_at)}</Typography.Text>
                {c.author?.id === me.id || role === 'owner' ? (
                  <Button
                    type="text"
                    size="small"
                    icon={<DeleteOutlined />}
                    aria-label={t('docs.comments.delete')}
                    onClick={(e) => {
                      e.stopPropagation();
                      remove.mutate(c.id);
                    }}
                  />
                ) : null}
              </div>
              <div className="docs-comment-body">{c.body}</div>
            </div>
          ))}
          {th.root.resolved ? <Tag color="green">{t('docs.comments.resolved')}</Tag> : null}
          {canComment ? (
            <div className="docs-thread-actions" onClick={(e) => e.stopPropagation()}>
              <Input
                size="small"
                value={replies[th.root.id] ?? ''}
                placeholder={t('docs.comments.reply')}
                onChange={(e) => setReplies({ ...replies, [th.root.id]: e.target.value })}
                onPressEnter={() => {
                  const body = (replies[th.root.id] ?? '').trim();
                  if (body)
                    create.mutate(
                      { body, parent_id: th.root.id },
                      { onSuccess: () => setReplies({ ...replies, [th.root.id]: '' }) },
                    );
                }}
              />
              <Button
                size="small"
                icon={th.root.resolved ? <UndoOutlined /> : <CheckOutlined />}
                onClick={() => resolve.mutate({ id: th.root.id, resolved: !th.root.resolved })}
                data-testid="comment-resolve"
              >
                {t(th.root.resolved ? 'docs.comments.reopen' : 'docs.comments.resolve')}
              </Button>
            </div>
          ) : null}
        </div>
      ))}
    </div>
  );
}
