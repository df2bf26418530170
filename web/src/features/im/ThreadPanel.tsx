import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Drawer, Spin } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsMobile } from '../../shell/useIsMobile';
import { imApi, imKeys } from './api';
import { Composer } from './Composer';
import { isContinued } from './grouping';
import { clearThreadUnread, type Timeline } from './messageCache';
import { MessageRow } from './MessageRow';
import { usePending } from './pendingStore';
import type { MemberRead, MessageCreate, PersonRef } from './types';

export function ThreadPanel({
  rootId,
  conversationId,
  members,
  me,
  onClose,
  onSend,
}: {
  rootId: number | null;
  conversationId: number;
  members: MemberRead[];
  me: PersonRef;
  onClose: () => void;
  onSend: (fields: Omit<MessageCreate, 'client_msg_id'>) => void;
}) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const queryClient = useQueryClient();
  const thread = useQuery({
    queryKey: imKeys.thread(rootId ?? 0),
    queryFn: () => imApi.thread(rootId ?? 0),
    enabled: rootId !== null,
  });
  const pending = usePending(conversationId).filter((p) => rootId !== null && p.thread_root_id === rootId);
  const items = thread.data?.items ?? [];
  const lastSeq = items[items.length - 1]?.seq ?? 0;

  useEffect(() => {
    if (rootId === null || !thread.data) return;
    queryClient.setQueryData<Timeline>(imKeys.messages(conversationId), (t) => (t ? clearThreadUnread(t, rootId) : t));
    if (lastSeq > 0) imApi.readThread(rootId, lastSeq).catch(() => {});
  }, [rootId, lastSeq, thread.data, conversationId, queryClient]);

  const shown = [...items, ...pending.filter((p) => !items.some((m) => m.client_msg_id === p.client_msg_id))];
  return (
    <Drawer
      open={rootId !== null}
      onClose={onClose}
      title={t('im.threadTitle')}
      size={isMobile ? '100%' : 440}
      styles={{ body: { padding: 0, display: 'flex', flexDirection: 'column' } }}
      destroyOnHidden
    >
      {thread.isPending ? (
        <Spin style={{ margin: 24 }} />
      ) : thread.isError ? (
        <div style={{ padding: 16 }}>{thread.error.message}</div>
      ) : (
        <>
          <div className="im-thread-body">
            <MessageRow message={thread.data.root} continued={false} inThread />
            <div className="im-thread-count">{t('im.threadReplies', { count: items.length })}</div>
            {shown.map((m, i) => (
              <MessageRow key={m.client_msg_id ?? m.id} message={m} continued={isContinued(shown[i - 1], m)} inThread />
            ))}
          </div>
          <Composer
            members={members}
            myId={me.id}
            replyTo={null}
            onCancelReply={() => {}}
            onSend={(fields) => onSend({ ...fields, thread_root_id: thread.data.root.id })}
            placeholder={t('im.threadPlaceholder')}
          />
        </>
      )}
    </Drawer>
  );
}
