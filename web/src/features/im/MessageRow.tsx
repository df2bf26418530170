import { CommentOutlined, ExclamationCircleFilled, LoadingOutlined, PushpinFilled } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { PersonAvatar } from '../org/PersonAvatar';
import { messageTime, senderName } from './format';
import { MessageActions } from './MessageActions';
import { MessageContent } from './MessageContent';
import { usePane } from './paneContext';
import { ReactionBar } from './ReactionBar';
import { receiptLabel } from './receipts';
import type { LocalMessage } from './types';

export function MessageRow({
  message,
  continued,
  highlighted = false,
  inThread = false,
}: {
  message: LocalMessage;
  /** Same sender as the row above, shortly after: no avatar or name again. */
  continued: boolean;
  highlighted?: boolean;
  inThread?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { me, conversation, onAction, onRetry, observeRow } = usePane();
  const mine = message.sender?.id === me.id;
  const name = senderName(message, t);

  if (message.kind === 'system') {
    return (
      <div className="im-system" data-seq={message.seq} ref={observeRow}>
        {message.body}
      </div>
    );
  }

  const receipt = mine && !inThread ? receiptLabel(message, conversation.kind) : null;
  const settled = !message.pending && !message.failed;
  return (
    <div
      className={`im-row${mine ? ' mine' : ''}${continued ? ' continued' : ''}${highlighted ? ' flash' : ''}`}
      data-seq={settled ? message.seq : undefined}
      data-testid="im-message"
      ref={settled ? observeRow : undefined}
    >
      <div className="im-row-avatar">
        {!continued &&
          (message.sender ? (
            <PersonAvatar id={message.sender.id} name={message.sender.name} fileId={null} size={36} />
          ) : (
            <PersonAvatar id={0} name={name} fileId={null} size={36} />
          ))}
      </div>
      <div className="im-row-main">
        {!continued && (
          <div className="im-row-meta">
            <span className="im-row-name">{name}</span>
            {message.bot_name && <span className="im-bot-tag">{t('im.bot')}</span>}
            <span className="im-row-time">{messageTime(message.created_at, i18n.language)}</span>
          </div>
        )}
        <div className="im-row-line">
          {message.recalled ? (
            <div className="im-recalled" data-testid="im-recalled">
              {t('im.recalledBy', { name: message.recalled_by_name ?? name })}
            </div>
          ) : (
            <div className="im-bubble" data-testid="im-bubble">
              {message.reply_to && (
                <div className="im-quote">
                  <span className="im-quote-name">{message.reply_to.sender_name}:</span> {message.reply_to.excerpt}
                </div>
              )}
              <MessageContent message={message} />
              {message.edited_at && <span className="im-edited">{t('im.edited')}</span>}
              {message.pinned && <PushpinFilled className="im-pin-mark" aria-label={t('im.pinned')} />}
            </div>
          )}
          <MessageActions message={message} inThread={inThread} />
        </div>
        <ReactionBar message={message} />
        <div className="im-row-foot">
          {!inThread && message.thread_reply_count > 0 && (
            <Button type="link" size="small" icon={<CommentOutlined />} onClick={() => onAction('thread', message)}>
              {t('im.threadReplies', { count: message.thread_reply_count })}
              {!!message.thread_unread && (
                <span className="im-thread-unread" data-testid="im-thread-unread">
                  {t('im.threadUnread', { count: message.thread_unread })}
                </span>
              )}
            </Button>
          )}
          {message.pending && (
            <span className="im-status">
              <LoadingOutlined /> {t('im.sending')}
            </span>
          )}
          {message.failed && message.draft && (
            <Button
              type="link"
              danger
              size="small"
              icon={<ExclamationCircleFilled />}
              onClick={() => message.draft && onRetry(message.draft)}
              data-testid="im-retry"
            >
              {t('im.failedRetry')}
            </Button>
          )}
          {receipt && (
            <button
              type="button"
              className={`im-receipt${receipt.key === 'im.receipt.unread' || receipt.key === 'im.receipt.unreadCount' ? ' unread' : ''}`}
              onClick={() => onAction('receipts', message)}
              data-testid="im-receipt"
            >
              {'count' in receipt ? t(receipt.key, { count: receipt.count }) : t(receipt.key)}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
