import { useQueryClient } from '@tanstack/react-query';
import { App, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PersonSelect } from '../org/PersonSelect';
import { imApi, imKeys } from './api';

/** Start (or reopen) a 1:1 chat: POST direct is get-or-create. */
export function NewChatModal({ open, onClose, myId }: { open: boolean; onClose: () => void; myId: number }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [personId, setPersonId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    if (personId === null) return;
    setBusy(true);
    try {
      const c = await imApi.createConversation({ kind: 'direct', person_id: personId });
      await queryClient.invalidateQueries({ queryKey: imKeys.conversations });
      setPersonId(null);
      onClose();
      void navigate(`/im/${c.id}`);
    } catch (e) {
      message.error(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('im.newChat')}
      onCancel={onClose}
      onOk={() => void start()}
      okText={t('im.startChat')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: personId === null, loading: busy }}
      destroyOnHidden
    >
      <label htmlFor="im-new-chat-person" className="im-field-label">
        {t('im.pickPerson')}
      </label>
      <div data-testid="im-new-chat-person">
        <PersonSelect id="im-new-chat-person" value={personId} onChange={setPersonId} excludeId={myId} placeholder={t('im.pickPersonPlaceholder')} />
      </div>
    </Modal>
  );
}
