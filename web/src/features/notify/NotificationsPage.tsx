import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { NotificationList } from './NotificationList';

export default function NotificationsPage() {
  const { t } = useTranslation();
  return (
    <Card title={t('notify.title')} style={{ maxWidth: 720, margin: '0 auto' }}>
      <NotificationList />
    </Card>
  );
}
