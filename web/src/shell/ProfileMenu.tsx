import {
  CheckOutlined,
  GlobalOutlined,
  IdcardOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  PoweroffOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Dropdown, type MenuProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Locale, Me } from '../api/types';
import { authApi } from '../features/auth/api';
import { ChangePasswordModal } from '../features/auth/ChangePasswordModal';
import { useLanguage } from '../features/auth/useLanguage';
import { PersonAvatar } from '../features/org/PersonAvatar';
import { PersonCard } from '../features/org/PersonCard';
import { useIsMobile } from './useIsMobile';

export function ProfileMenu({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const isMobile = useIsMobile();
  const { language, setLanguage } = useLanguage();
  const [cardOpen, setCardOpen] = useState(false);
  const [passwordOpen, setPasswordOpen] = useState(false);

  const signOut = async (everywhere: boolean) => {
    try {
      await (everywhere ? authApi.logoutAll() : authApi.logout());
    } catch {
      // Signing out must always leave the user signed out here, even if the call failed.
    }
    queryClient.clear();
    void navigate('/login', { replace: true });
  };

  const lang = (value: Locale, label: string) => ({
    key: `lang:${value}`,
    label,
    icon: language === value ? <CheckOutlined /> : <span style={{ display: 'inline-block', width: 14 }} />,
  });

  const items: MenuProps['items'] = [
    { key: 'card', icon: <IdcardOutlined />, label: t('profile.myCard') },
    { key: 'password', icon: <LockOutlined />, label: t('profile.changePassword') },
    { key: 'tokens', icon: <KeyOutlined />, label: t('profile.tokens') },
    { type: 'divider' },
    {
      key: 'language',
      type: 'group',
      label: (
        <span>
          <GlobalOutlined /> {t('profile.language')}
        </span>
      ),
      // Inline rather than a submenu: one tap on a phone, and nothing left hanging open.
      children: [lang('zh-CN', '中文'), lang('en-US', 'English')],
    },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t('profile.signOut') },
    { key: 'logout-all', icon: <PoweroffOutlined />, label: t('profile.signOutAll'), danger: true },
  ];


  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key.startsWith('lang:')) {
      setLanguage(key.slice(5) as Locale).catch((e: unknown) =>
        message.error(e instanceof Error ? e.message : t('common.error')),
      );
    } else if (key === 'card') setCardOpen(true);
    else if (key === 'password') setPasswordOpen(true);
    else if (key === 'tokens') void navigate('/settings/tokens');
    else if (key === 'logout') void signOut(false);
    else if (key === 'logout-all') {
      modal.confirm({
        title: t('profile.signOutAllConfirm'),
        content: t('profile.signOutAllHint'),
        okText: t('profile.signOutAll'),
        cancelText: t('common.cancel'),
        okButtonProps: { danger: true },
        onOk: () => signOut(true),
      });
    }
  };

  return (
    <>
      <Dropdown menu={{ items, onClick }} trigger={['click']} placement="bottomRight">
        <button type="button" className="profile-trigger" aria-label={t('profile.menu')} data-testid="profile-menu">
          <PersonAvatar id={me.id} name={me.name} fileId={me.avatar_file_id} size={32} />
          {!isMobile && <span className="profile-name">{me.name}</span>}
        </button>
      </Dropdown>
      <PersonCard personId={cardOpen ? me.id : null} onClose={() => setCardOpen(false)} />
      <ChangePasswordModal open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </>
  );
}
