import {
  BellOutlined,
  CommentOutlined,
  CopyOutlined,
  DeleteOutlined,
  EditOutlined,
  EyeOutlined,
  MoreOutlined,
  PushpinOutlined,
  RollbackOutlined,
  ShareAltOutlined,
} from '@ant-design/icons';
import { Button, Dropdown, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { EmojiPicker } from './EmojiPicker';
import { canRecall, usePane, type MessageAction } from './paneContext';
import type { LocalMessage } from './types';

/** The hover bar on a desktop, the "…" button on a phone. */
export function MessageActions({ message, inThread = false }: { message: LocalMessage; inThread?: boolean }) {
  const { t } = useTranslation();
  const { me, isAdmin, onAction, onReact } = usePane();
  if (message.pending || message.failed || message.kind === 'system') return null;
  const mine = message.sender?.id === me.id;
  const items: MenuProps['items'] = [];
  if (!message.recalled) {
    items.push({ key: 'reply', icon: <RollbackOutlined />, label: t('im.action.reply') });
    if (!inThread) items.push({ key: 'thread', icon: <CommentOutlined />, label: t('im.action.thread') });
    if (message.body) items.push({ key: 'copy', icon: <CopyOutlined />, label: t('im.action.copy') });
    if (mine && message.kind === 'text') items.push({ key: 'edit', icon: <EditOutlined />, label: t('im.action.edit') });
    items.push({ key: 'forward', icon: <ShareAltOutlined />, label: t('im.action.forward') });
    if (!inThread)
      items.push({ key: 'pin', icon: <PushpinOutlined />, label: message.pinned ? t('im.action.unpin') : t('im.action.pin') });
    if (mine) items.push({ key: 'ding', icon: <BellOutlined />, label: t('im.action.ding') });
    if (mine) items.push({ key: 'receipts', icon: <EyeOutlined />, label: t('im.action.receipts') });
    if (canRecall(message, me, isAdmin))
      items.push({ key: 'recall', icon: <DeleteOutlined />, label: t('im.action.recall'), danger: true });
  }
  if (items.length === 0) return null;
  return (
    <div className="im-actions">
      {!message.recalled && <EmojiPicker onPick={(emoji) => onReact(message, emoji)} />}
      <Dropdown
        trigger={['click']}
        menu={{ items, onClick: ({ key }) => onAction(key as MessageAction, message) }}
        placement="bottomRight"
      >
        <Button type="text" size="small" icon={<MoreOutlined />} aria-label={t('im.action.more')} data-testid="im-message-more" />
      </Dropdown>
    </div>
  );
}
