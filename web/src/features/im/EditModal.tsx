import { App, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { imApi } from './api';
import type { LocalMessage } from './types';

export function EditModal({ message: edited, onClose }: { message: LocalMessage | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [text, setText] = useState(edited?.body ?? '');
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (!edited || !text.trim()) return;
    setBusy(true);
    try {
      await imApi.edit(edited.id, text.trim());
      onClose();
    } catch (e) {
      message.error(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={edited !== null}
      title={t('im.editTitle')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: busy, disabled: !text.trim() }}
      destroyOnHidden
    >
      <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 3, maxRows: 12 }} maxLength={10_000} />
    </Modal>
  );
}
