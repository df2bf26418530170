import { PushpinFilled, BellOutlined } from '@ant-design/icons';
import { App, Badge, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { imApi } from './api';
import { ConversationAvatar } from './ConversationAvatar';
import { conversationName, listTime, previewText, senderName } from './format';
import type { ConversationRead } from './types';
import { useConversationMutation } from './useConversations';

export function ConversationItem({
  conversation,
  active,
  myId,
}: {
  conversation: ConversationRead;
  active: boolean;
  myId: number;
}) {
  const { t, i18n } = useTranslation();
  const c = conversation;
  const last = c.last_message;
  let preview = last ? previewText(last, t) : '';
  if (last && !last.recalled && c.kind !== 'direct' && last.sender && last.sender.id !== myId && last.kind !== 'system') {
    preview = `${senderName(last, t)}: ${preview}`;
  }
  const name = conversationName(c);
  const { message } = App.useApp();
  const mine = useConversationMutation(c.id, (body: { muted?: boolean; pinned?: boolean; archived?: boolean }) =>
    imApi.updateMine(c.id, body),
  );
  // Right-click (long-press on a phone) for what DingTalk users reach for on a chat in the list.
  const menu = {
    items: [
      { key: 'pinned', label: t(c.pinned ? 'im.convMenu.unpin' : 'im.convMenu.pin') },
      { key: 'muted', label: t(c.muted ? 'im.convMenu.unmute' : 'im.convMenu.mute') },
      { key: 'archived', label: t(c.archived ? 'im.convMenu.unarchive' : 'im.convMenu.archive') },
    ],
    onClick: ({ key }: { key: string }) => {
      const field = key as 'pinned' | 'muted' | 'archived';
      mine.mutate({ [field]: !c[field] }, { onError: (e) => void message.error(e.message) });
    },
  };
  return (
    <Dropdown trigger={['contextMenu']} menu={menu}>
      <Link
        to={`/im/${c.id}`}
        className={`im-conv${active ? ' active' : ''}${c.pinned ? ' pinned' : ''}`}
        data-testid="im-conversation"
        aria-current={active ? 'page' : undefined}
      >
        <Badge count={c.muted ? 0 : c.unread_count} dot={c.muted && c.unread_count > 0} size="small" overflowCount={99}>
          <ConversationAvatar conversation={c} />
        </Badge>
        <span className="im-conv-text">
          <span className="im-conv-top">
            <span className="im-conv-name">{name}</span>
            <span className="im-conv-time">{listTime(last?.created_at ?? c.updated_at, t, i18n.language)}</span>
          </span>
          <span className="im-conv-bottom">
            {c.mention_count > 0 && <span className="im-conv-at">{t('im.mentionedBadge')}</span>}
            <span className="im-conv-preview">{preview}</span>
            {c.pinned && <PushpinFilled className="im-conv-icon" aria-label={t('im.pinned')} />}
            {c.muted && (
              <span className="im-conv-icon im-muted" role="img" aria-label={t('im.muted')}>
                <BellOutlined />
              </span>
            )}
          </span>
        </span>
      </Link>
    </Dropdown>
  );
}
