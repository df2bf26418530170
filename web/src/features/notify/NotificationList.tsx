import { Alert, Button, Empty, Segmented, Skeleton, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Notification } from '../../api/types';
import { useMarkRead, useNotifications, useReadAll } from './useNotifications';
import './NotificationList.css';

function formatTime(iso: string, lang: string): string {
  const date = new Date(iso);
  const sameDay = new Date().toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(lang, sameDay ? { hour: '2-digit', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

function PriorityTag({ priority }: { priority: Notification['priority'] }) {
  const { t } = useTranslation();
  if (priority === 'normal') return null;
  return <Tag color={priority === 'urgent' ? 'red' : 'orange'}>{t(`notify.priority.${priority}`)}</Tag>;
}

/** The notification centre's list; used in the bell's panel and on its own page. */
export function NotificationList({ onNavigate, compact }: { onNavigate?: () => void; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useNotifications(unreadOnly);
  const markRead = useMarkRead();
  const readAll = useReadAll();
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const open = (n: Notification) => {
    if (!n.read_at) markRead.mutate(n.id);
    if (n.link) {
      onNavigate?.();
      if (/^https?:\/\//.test(n.link)) window.open(n.link, '_blank', 'noopener');
      else void navigate(n.link);
    }
  };

  return (
    <div className={`notify-list${compact ? ' compact' : ''}`}>
      <div className="notify-toolbar">
        <Segmented<'all' | 'unread'>
          size="small"
          value={unreadOnly ? 'unread' : 'all'}
          onChange={(v) => setUnreadOnly(v === 'unread')}
          options={[
            { value: 'all', label: t('notify.all') },
            { value: 'unread', label: t('notify.unread') },
          ]}
        />
        <Button size="small" type="link" onClick={() => readAll.mutate()} loading={readAll.isPending}>
          {t('notify.markAllRead')}
        </Button>
      </div>
      {list.isPending && <Skeleton active paragraph={{ rows: 3 }} />}
      {list.isError && <Alert type="error" showIcon title={list.error.message} />}
      {list.isSuccess && items.length === 0 && (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notify.empty')} />
      )}
      <ul className="notify-items">
        {items.map((n) => (
          <li key={n.id}>
            <button type="button" className={`notify-item${n.read_at ? '' : ' unread'}`} onClick={() => open(n)}>
              <span className="notify-item-head">
                {!n.read_at && <span className="notify-dot" aria-label={t('notify.unread')} />}
                <PriorityTag priority={n.priority} />
                <Typography.Text strong={!n.read_at} ellipsis className="notify-title">
                  {n.title}
                </Typography.Text>
                <Typography.Text type="secondary" className="notify-time">
                  {formatTime(n.created_at, i18n.language)}
                </Typography.Text>
              </span>
              {n.body && (
                <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} className="notify-body">
                  {n.body}
                </Typography.Paragraph>
              )}
            </button>
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <div style={{ textAlign: 'center', padding: 8 }}>
          <Button size="small" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        </div>
      )}
    </div>
  );
}
