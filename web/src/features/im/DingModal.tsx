import { App, Checkbox, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { imApi } from './api';
import type { DingRead, LocalMessage, MemberRead } from './types';

/** DING a message to chosen members: a prominent alert they must acknowledge. */
export function DingModal({
  message: dinged,
  members,
  myId,
  onClose,
  onSent,
}: {
  message: LocalMessage | null;
  members: MemberRead[];
  myId: number;
  onClose: () => void;
  onSent: (ding: DingRead) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const others = members.filter((m) => m.person_id !== myId);
  const [picked, setPicked] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);

  const send = async () => {
    if (!dinged) return;
    setBusy(true);
    try {
      const ding = await imApi.ding(dinged.id, picked);
      setPicked([]);
      onClose();
      onSent(ding);
    } catch (e) {
      message.error(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={dinged !== null}
      title={t('im.dingTitle')}
      onCancel={onClose}
      onOk={() => void send()}
      okText={t('im.dingSend')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: picked.length === 0, loading: busy, danger: true }}
      destroyOnHidden
    >
      <p>{t('im.dingHint')}</p>
      <Checkbox
        checked={picked.length === others.length && others.length > 0}
        indeterminate={picked.length > 0 && picked.length < others.length}
        onChange={(e) => setPicked(e.target.checked ? others.map((m) => m.person_id) : [])}
      >
        {t('im.everyone')}
      </Checkbox>
      <Checkbox.Group
        className="im-check-list"
        value={picked}
        onChange={(v) => setPicked(v as number[])}
        options={others.map((m) => ({ value: m.person_id, label: m.name }))}
      />
    </Modal>
  );
}
