import { Empty, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { NAV_ITEMS } from '../../shell/navItems';

/** A capability that is not built yet: its name and "coming soon", nothing invented. */
export default function ComingSoonPage({ capability }: { capability: string }) {
  const { t } = useTranslation();
  const item = NAV_ITEMS.find((i) => i.key === capability);
  return (
    <div style={{ padding: '64px 16px', textAlign: 'center' }}>
      <Empty
        image={<span style={{ fontSize: 56, color: '#bfbfbf' }}>{item?.icon}</span>}
        description={
          <>
            <Typography.Title level={3} style={{ marginBottom: 8 }}>
              {item ? t(item.label) : capability}
            </Typography.Title>
            <Typography.Text type="secondary">{t('comingSoon.label')}</Typography.Text>
          </>
        }
      />
    </div>
  );
}
