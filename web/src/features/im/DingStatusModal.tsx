import { CheckCircleFilled, ClockCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { List, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { imApi, imKeys } from './api';
import type { DingRead } from './types';

/** For the sender: who has acknowledged a DING (kept current by `im.ding` events). */
export function DingStatusModal({ ding, onClose }: { ding: DingRead | null; onClose: () => void }) {
  const { t } = useTranslation();
  const detail = useQuery({
    queryKey: imKeys.ding(ding?.id ?? 0),
    queryFn: () => imApi.dingDetail(ding?.id ?? 0),
    enabled: ding !== null,
    initialData: ding ?? undefined,
  });
  const recipients = detail.data?.recipients ?? [];
  const acked = recipients.filter((r) => r.acknowledged_at).length;
  return (
    <Modal open={ding !== null} onCancel={onClose} footer={null} title={t('im.dingStatus', { acked, total: recipients.length })}>
      <List
        size="small"
        dataSource={recipients}
        renderItem={(r) => (
          <List.Item>
            <span>{r.name}</span>
            {r.acknowledged_at ? (
              <span className="im-ding-acked">
                <CheckCircleFilled /> {t('im.dingAcked')}
              </span>
            ) : (
              <span className="im-ding-waiting">
                <ClockCircleOutlined /> {t('im.dingWaiting')}
              </span>
            )}
          </List.Item>
        )}
      />
    </Modal>
  );
}
