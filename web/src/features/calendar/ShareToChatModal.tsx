import { App as AntApp, Checkbox, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { conversationName } from '../im/format';
import { useConversations } from '../im/useConversations';
import { calendarApi } from './api';
import type { EventRead } from './types';

/** Post the event's card into one of my chats; an organiser can invite the chat's members too. */
export function ShareToChatModal({ event, onClose }: { event: EventRead; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const conversations = useConversations();
  const [conversationId, setConversationId] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [invite, setInvite] = useState(false);
  const [busy, setBusy] = useState(false);

  const share = async () => {
    if (conversationId === null) return;
    setBusy(true);
    try {
      const result = await calendarApi.shareToChat(event.id, { conversation_id: conversationId, note, invite });
      void message.success(invite ? t('calendar.share.doneInvited', { count: result.invited }) : t('calendar.share.done'));
      onClose();
    } catch (error) {
      void message.error(isApiError(error) ? error.message : t('calendar.failed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('calendar.share.title')}
      onCancel={onClose}
      onOk={() => void share()}
      okText={t('calendar.share.send')}
      cancelText={t('calendar.share.cancel')}
      okButtonProps={{ disabled: conversationId === null, loading: busy }}
      destroyOnHidden
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="share-to-chat">
        <Select
          showSearch
          style={{ width: '100%' }}
          placeholder={t('calendar.share.pick')}
          optionFilterProp="label"
          value={conversationId ?? undefined}
          onChange={(value: number) => setConversationId(value)}
          data-testid="share-conversation"
          options={(conversations.data ?? []).filter((c) => !c.archived).map((c) => ({ value: c.id, label: conversationName(c) }))}
        />
        <Input.TextArea
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t('calendar.share.note')}
          autoSize={{ minRows: 2, maxRows: 4 }}
          maxLength={2000}
        />
        {event.can_edit && (
          <>
            <Checkbox checked={invite} onChange={(e) => setInvite(e.target.checked)} data-testid="share-invite">
              {t('calendar.share.invite')}
            </Checkbox>
            <Typography.Text type="secondary">{t('calendar.share.inviteHint')}</Typography.Text>
          </>
        )}
      </Space>
    </Modal>
  );
}
