import { LeftOutlined, PushpinOutlined, TeamOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Image, List, Popover, Result, Spin } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { isApiError } from '../../api/client';
import { useIsMobile } from '../../shell/useIsMobile';
import { fileUrls, imApi, imKeys } from './api';
import { Composer } from './Composer';
import { DingModal } from './DingModal';
import { DingStatusModal } from './DingStatusModal';
import { EditModal } from './EditModal';
import { conversationName, previewText, senderName } from './format';
import { ForwardModal } from './ForwardModal';
import { MemberPanel } from './MemberPanel';
import { replaceMessage, visibleMessages, type Timeline } from './messageCache';
import { MessageList } from './MessageList';
import { PaneContext, type MessageAction, type PaneContextValue } from './paneContext';
import { usePending } from './pendingStore';
import { ReceiptsModal } from './ReceiptsModal';
import { ThreadPanel } from './ThreadPanel';
import type { DingRead, LocalMessage, MessageRead, PersonRef, ReplyRef } from './types';
import { useConversation, useConversations, useMembers } from './useConversations';
import { useReadMarker } from './useReadMarker';
import { useSendMessage } from './useSendMessage';
import { useTimeline } from './useTimeline';
import { useSendTyping, useTypingPeople } from './useTyping';

export function ConversationPane({ conversationId, me }: { conversationId: number; me: PersonRef }) {
  const { t } = useTranslation();
  const { message: toast } = App.useApp();
  const isMobile = useIsMobile();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const anchorParam = Number(params.get('seq'));
  const anchorSeq = Number.isInteger(anchorParam) && anchorParam > 0 ? anchorParam : null;

  const list = useConversations();
  const detail = useConversation(conversationId);
  const members = useMembers(conversationId);
  const timeline = useTimeline(conversationId);
  const pending = usePending(conversationId);
  const { send, retry } = useSendMessage(conversationId, me);
  const typing = useTypingPeople(conversationId, me.id);
  const sendTyping = useSendTyping(conversationId);

  // A 403 means I am no longer in it (removed, or the group was dissolved): react-query keeps the
  // last good data beside the error, which must not keep the conversation on screen.
  const gone = isApiError(detail.error) && detail.error.status === 403;
  const conversation = gone ? undefined : (list.data?.find((c) => c.id === conversationId) ?? detail.data);
  const observeRow = useReadMarker(conversationId, conversation?.read_seq ?? 0);

  const [replyTo, setReplyTo] = useState<ReplyRef | null>(null);
  const [threadRoot, setThreadRoot] = useState<number | null>(null);
  const [receiptsFor, setReceiptsFor] = useState<number | null>(null);
  const [forwarding, setForwarding] = useState<LocalMessage | null>(null);
  const [dinging, setDinging] = useState<LocalMessage | null>(null);
  const [dingSent, setDingSent] = useState<DingRead | null>(null);
  const [editing, setEditing] = useState<LocalMessage | null>(null);
  const [membersOpen, setMembersOpen] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);

  const { jumpTo } = timeline;
  useEffect(() => {
    if (anchorSeq !== null) jumpTo(anchorSeq).catch(() => {});
  }, [anchorSeq, jumpTo]);

  const pins = useQuery({
    queryKey: imKeys.pins(conversationId),
    queryFn: () => imApi.pins(conversationId),
    enabled: !!conversation,
  });

  const memberList = useMemo(() => members.data ?? [], [members.data]);
  const mentionNames = useMemo(() => memberList.map((m) => m.name), [memberList]);
  const isAdmin = conversation?.my_role === 'owner' || conversation?.my_role === 'admin';

  const applyAnswer = useCallback(
    (m: MessageRead) =>
      queryClient.setQueryData<Timeline>(imKeys.messages(conversationId), (tl) => (tl ? replaceMessage(tl, m) : tl)),
    [conversationId, queryClient],
  );

  const fail = useCallback(
    (e: unknown) => {
      // The server's message names the organisation's recall window (im_recall_window_passed).
      toast.error(e instanceof Error ? e.message : t('common.error'));
    },
    [t, toast],
  );

  const onAction = useCallback(
    (action: MessageAction, m: LocalMessage) => {
      switch (action) {
        case 'reply':
          setReplyTo({ id: m.id, seq: m.seq, sender_name: senderName(m, t), excerpt: previewText(m, t).slice(0, 80) });
          break;
        case 'thread':
          setThreadRoot(m.thread_root_id ?? m.id);
          break;
        case 'copy':
          void navigator.clipboard?.writeText(m.body).then(() => toast.success(t('im.copied')), fail);
          break;
        case 'edit':
          setEditing(m);
          break;
        case 'recall':
          imApi.recall(m.id).then((answer) => answer && applyAnswer(answer), fail);
          break;
        case 'forward':
          setForwarding(m);
          break;
        case 'pin':
          (m.pinned ? imApi.unpin(m.id) : imApi.pin(m.id)).then(
            () => void queryClient.invalidateQueries({ queryKey: imKeys.pins(conversationId) }),
            fail,
          );
          break;
        case 'ding':
          setDinging(m);
          break;
        case 'receipts':
          setReceiptsFor(m.id);
          break;
      }
    },
    [applyAnswer, conversationId, fail, queryClient, t, toast],
  );

  const onReact = useCallback(
    (m: LocalMessage, emoji: string) => {
      imApi.react(m.id, emoji).then((answer) => answer && applyAnswer(answer), fail);
    },
    [applyAnswer, fail],
  );

  const context: PaneContextValue | null = useMemo(
    () =>
      conversation
        ? {
            conversation,
            me,
            isAdmin,
            mentionNames,
            onAction,
            onReact,
            onRetry: retry,
            onOpenImage: setPreview,
            observeRow,
          }
        : null,
    [conversation, me, isAdmin, mentionNames, onAction, onReact, retry, observeRow],
  );

  if (!conversation || !context) {
    if (detail.isError || list.isError) {
      const error = detail.error ?? list.error;
      return <Result status="warning" title={error?.message} extra={<Link to="/im">{t('im.back')}</Link>} />;
    }
    return (
      <div className="im-pane-loading">
        <Spin />
      </div>
    );
  }

  const messages = visibleMessages(
    timeline.data,
    pending.filter((p) => p.thread_root_id === null),
  );
  const name = conversationName(conversation);
  const pinList = pins.data ?? [];

  return (
    <PaneContext.Provider value={context}>
      <div className="im-pane" data-testid="im-pane">
        <header className="im-pane-head">
          {isMobile && (
            <Link to="/im" className="im-back" aria-label={t('im.back')} data-testid="im-back">
              <LeftOutlined />
            </Link>
          )}
          <div className="im-pane-title">
            <h2 data-testid="im-title">{name}</h2>
            {conversation.kind !== 'direct' && (
              <span className="im-pane-sub">{t('im.membersCount', { count: conversation.member_count })}</span>
            )}
          </div>
          {pinList.length > 0 && (
            <Popover
              trigger="click"
              title={t('im.pins')}
              content={
                <List
                  size="small"
                  style={{ maxWidth: 320 }}
                  dataSource={pinList}
                  renderItem={(p) => (
                    <List.Item>
                      <Link to={`/im/${conversationId}?seq=${p.seq}`}>
                        {senderName(p, t)}: {previewText(p, t).slice(0, 60)}
                      </Link>
                    </List.Item>
                  )}
                />
              }
            >
              <Button type="text" icon={<PushpinOutlined />} aria-label={t('im.pins')}>
                {pinList.length}
              </Button>
            </Popover>
          )}
          <Button type="text" icon={<TeamOutlined />} onClick={() => setMembersOpen(true)} aria-label={t('im.details')} data-testid="im-details" />
        </header>
        {detail.data?.announcement && <div className="im-announcement">📢 {detail.data.announcement}</div>}
        {timeline.isPending ? (
          <div className="im-pane-loading">
            <Spin />
          </div>
        ) : timeline.isError ? (
          <Result status="warning" title={timeline.error.message} extra={<Button onClick={() => void timeline.refetch()}>{t('common.retry')}</Button>} />
        ) : (
          <MessageList
            messages={messages}
            hasMoreBefore={timeline.data.hasMoreBefore}
            hasMoreAfter={timeline.data.hasMoreAfter}
            loadingOlder={timeline.loadingOlder}
            onLoadOlder={() => void timeline.loadOlder()}
            onLoadNewer={() => void timeline.loadNewer()}
            onJumpToLatest={() => void timeline.jumpToLatest()}
            anchorSeq={anchorSeq}
          />
        )}
        <div className="im-typing" aria-live="polite">
          {typing.length > 0 && t('im.typing', { names: typing.join(t('im.nameSeparator')), count: typing.length })}
        </div>
        <Composer
          members={memberList}
          myId={me.id}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          onSend={send}
          onTyping={sendTyping}
        />
      </div>
      <ThreadPanel
        rootId={threadRoot}
        conversationId={conversationId}
        members={memberList}
        me={me}
        onClose={() => setThreadRoot(null)}
        onSend={send}
      />
      <MemberPanel
        open={membersOpen}
        onClose={() => setMembersOpen(false)}
        conversation={conversation}
        detail={detail.data}
        members={memberList}
        me={me}
      />
      <ReceiptsModal messageId={receiptsFor} onClose={() => setReceiptsFor(null)} />
      <ForwardModal message={forwarding} onClose={() => setForwarding(null)} />
      <DingModal message={dinging} members={memberList} myId={me.id} onClose={() => setDinging(null)} onSent={setDingSent} />
      <DingStatusModal ding={dingSent} onClose={() => setDingSent(null)} />
      <EditModal key={editing?.id ?? 0} message={editing} onClose={() => setEditing(null)} />
      {preview && (
        <Image
          style={{ display: 'none' }}
          src={fileUrls.content(preview)}
          preview={{ open: true, onOpenChange: (open) => !open && setPreview(null), src: fileUrls.content(preview) }}
        />
      )}
    </PaneContext.Provider>
  );
}
