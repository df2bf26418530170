import { BellOutlined, SettingOutlined } from '@ant-design/icons';
import { Badge, Button, Drawer, Popover } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useIsMobile } from '../../shell/useIsMobile';
import { NotificationList } from './NotificationList';
import { useUnreadCount } from './useNotifications';

export function Bell() {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const [open, setOpen] = useState(false);
  const unread = useUnreadCount();
  const count = unread.data?.count ?? 0;

  const footer = (
    <div style={{ display: 'flex', justifyContent: 'space-between', paddingTop: 8, borderTop: '1px solid #f0f0f0' }}>
      <Link to="/notifications" onClick={() => setOpen(false)}>
        {t('notify.viewAll')}
      </Link>
      <Link to="/settings/notifications" onClick={() => setOpen(false)}>
        <SettingOutlined /> {t('notify.settings')}
      </Link>
    </div>
  );
  const panel = open ? (
    <>
      <NotificationList compact={!isMobile} onNavigate={() => setOpen(false)} />
      {footer}
    </>
  ) : null;

  const button = (
    <Button
      type="text"
      shape="circle"
      aria-label={t('notify.bell', { count })}
      data-testid="bell"
      onClick={isMobile ? () => setOpen(true) : undefined}
      icon={
        <Badge count={count} size="small" overflowCount={99}>
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      }
    />
  );

  if (isMobile) {
    return (
      <>
        {button}
        <Drawer open={open} onClose={() => setOpen(false)} size="100%" title={t('notify.title')}>
          {panel}
        </Drawer>
      </>
    );
  }
  return (
    <Popover open={open} onOpenChange={setOpen} trigger="click" placement="bottomRight" title={t('notify.title')} content={panel}>
      {button}
    </Popover>
  );
}
