import { MenuFoldOutlined, MenuUnfoldOutlined, MoreOutlined } from '@ant-design/icons';
import { Button, Drawer, Layout, Menu, Result, Spin } from 'antd';
import { Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { rememberLocale } from '../i18n';
import { useMe } from '../features/auth/useMe';
import { DingBanner } from '../features/im/DingBanner';
import { useImEvents } from '../features/im/useImEvents';
import { Bell } from '../features/notify/Bell';
import { useEventStream } from '../realtime/useEventStream';
import { MOBILE_TABS, NAV_ITEMS } from './navItems';
import { ProfileMenu } from './ProfileMenu';
import { canAdminister } from './roles';
import { useIsMobile } from './useIsMobile';
import './AppLayout.css';

const COLLAPSED_KEY = 'tongban.nav.collapsed';

function Brand({ compact }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <Link to="/org" className="shell-brand">
      <img src="/icons/icon-192.png" alt="" width={28} height={28} />
      {!compact && <span>{t('app.name')}</span>}
    </Link>
  );
}

export default function AppLayout() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const isMobile = useIsMobile();
  const location = useLocation();
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState(() => localStorage.getItem(COLLAPSED_KEY) === '1');
  const [moreOpen, setMoreOpen] = useState(false);

  useEventStream(me.isSuccess);
  useImEvents(me.data?.id);

  // The account's language wins once we know it (it follows the person across devices).
  const accountLocale = me.data?.locale;
  useEffect(() => {
    if (accountLocale && accountLocale !== i18n.language) {
      rememberLocale(accountLocale);
      void i18n.changeLanguage(accountLocale);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the account's value changes
  }, [accountLocale]);

  const items = useMemo(
    () => NAV_ITEMS.filter((item) => !item.adminOnly || canAdminister(me.data)),
    [me.data],
  );
  const selected = items.find((item) => location.pathname.startsWith(item.path))?.key;
  const menuItems = items.map((item) => ({
    key: item.key,
    icon: item.icon,
    label: <Link to={item.path}>{t(item.label)}</Link>,
  }));

  if (me.isPending) {
    return (
      <div className="shell-loading">
        <Spin size="large" />
      </div>
    );
  }
  if (me.isError) {
    return (
      <Result
        status="warning"
        title={me.error.message}
        extra={<Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }

  const page = (
    <>
      <DingBanner />
      <Suspense
      fallback={
        <div className="shell-loading">
          <Spin />
        </div>
      }
    >
      <Outlet />
    </Suspense>
    </>
  );

  const actions = (
    <div className="shell-actions">
      <Bell />
      <ProfileMenu me={me.data} />
    </div>
  );

  if (isMobile) {
    const tabs = MOBILE_TABS.map((key) => items.find((i) => i.key === key)).filter((i) => i !== undefined);
    const inMore = selected !== undefined && !MOBILE_TABS.includes(selected);
    return (
      <Layout className="shell shell-mobile">
        <Layout.Header className="shell-header">
          <Brand />
          {actions}
        </Layout.Header>
        <Layout.Content className="shell-content">{page}</Layout.Content>
        <nav className="shell-tabbar" aria-label={t('nav.main')}>
          {tabs.map((item) => (
            <Link
              key={item.key}
              to={item.path}
              className={`shell-tab${selected === item.key ? ' active' : ''}`}
            >
              <span className="shell-tab-icon">{item.icon}</span>
              <span>{t(item.label)}</span>
            </Link>
          ))}
          <button
            type="button"
            className={`shell-tab${inMore ? ' active' : ''}`}
            onClick={() => setMoreOpen(true)}
          >
            <span className="shell-tab-icon">
              <MoreOutlined />
            </span>
            <span>{t('nav.more')}</span>
          </button>
        </nav>
        <Drawer
          open={moreOpen}
          onClose={() => setMoreOpen(false)}
          placement="bottom"
          size="auto"
          title={t('nav.all')}
          styles={{ body: { padding: 8 } }}
        >
          <div className="shell-more-grid">
            {items.map((item) => (
              <button
                type="button"
                key={item.key}
                className={`shell-more-item${selected === item.key ? ' active' : ''}`}
                onClick={() => {
                  setMoreOpen(false);
                  void navigate(item.path);
                }}
              >
                <span className="shell-more-icon">{item.icon}</span>
                <span>{t(item.label)}</span>
              </button>
            ))}
          </div>
        </Drawer>
      </Layout>
    );
  }

  return (
    <Layout className="shell">
      <Layout.Sider
        theme="light"
        collapsible
        collapsed={collapsed}
        trigger={null}
        width={208}
        collapsedWidth={64}
        className="shell-sider"
      >
        <Brand compact={collapsed} />
        <Menu mode="inline" selectedKeys={selected ? [selected] : []} items={menuItems} className="shell-menu" />
        <Button
          type="text"
          className="shell-collapse"
          icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
          aria-label={collapsed ? t('nav.expand') : t('nav.collapse')}
          onClick={() => {
            localStorage.setItem(COLLAPSED_KEY, collapsed ? '0' : '1');
            setCollapsed(!collapsed);
          }}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="shell-header">
          <div />
          {actions}
        </Layout.Header>
        <Layout.Content className="shell-content">{page}</Layout.Content>
      </Layout>
    </Layout>
  );
}
