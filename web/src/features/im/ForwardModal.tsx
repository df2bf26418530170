import { App, Checkbox, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { imApi } from './api';
import { conversationName } from './format';
import type { LocalMessage } from './types';
import { useConversations } from './useConversations';

export function ForwardModal({ message: forwarded, onClose }: { message: LocalMessage | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const conversations = useConversations();
  const [picked, setPicked] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);

  const forward = async () => {
    if (!forwarded) return;
    setBusy(true);
    try {
      await imApi.forward(forwarded.id, picked);
      message.success(t('im.forwarded'));
      setPicked([]);
      onClose();
    } catch (e) {
      message.error(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={forwarded !== null}
      title={t('im.forwardTitle')}
      onCancel={onClose}
      onOk={() => void forward()}
      okText={t('im.action.forward')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: picked.length === 0, loading: busy }}
      destroyOnHidden
    >
      <Checkbox.Group
        className="im-check-list"
        value={picked}
        onChange={(v) => setPicked(v as number[])}
        options={(conversations.data ?? []).filter((c) => !c.archived).map((c) => ({ value: c.id, label: conversationName(c) }))}
      />
    </Modal>
  );
}
