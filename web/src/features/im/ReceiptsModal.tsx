import { useQuery } from '@tanstack/react-query';
import { List, Modal, Spin, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { imApi, imKeys } from './api';

export function ReceiptsModal({ messageId, onClose }: { messageId: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const receipts = useQuery({
    queryKey: imKeys.receipts(messageId ?? 0),
    queryFn: () => imApi.receipts(messageId ?? 0),
    enabled: messageId !== null,
  });
  const list = (people: { id: number; name: string }[]) => (
    <List size="small" dataSource={people} locale={{ emptyText: '—' }} renderItem={(p) => <List.Item>{p.name}</List.Item>} />
  );
  return (
    <Modal open={messageId !== null} onCancel={onClose} footer={null} title={t('im.receiptsTitle')} destroyOnHidden>
      {receipts.isPending ? (
        <Spin />
      ) : receipts.isError ? (
        <div>{receipts.error.message}</div>
      ) : (
        <Tabs
          items={[
            { key: 'unread', label: t('im.receiptsUnread', { count: receipts.data.unread.length }), children: list(receipts.data.unread) },
            { key: 'read', label: t('im.receiptsRead', { count: receipts.data.read.length }), children: list(receipts.data.read) },
          ]}
        />
      )}
    </Modal>
  );
}
