import {
  AppstoreOutlined,
  AuditOutlined,
  CalendarOutlined,
  CloudOutlined,
  ClockCircleOutlined,
  FileTextOutlined,
  AimOutlined,
  MessageOutlined,
  AudioOutlined,
  MoneyCollectOutlined,
  SettingOutlined,
  TeamOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';

export interface NavItem {
  key: string;
  path: string;
  icon: ReactNode;
  /** i18n key of the label */
  label: string;
  /** Built already; the others show the coming-soon page. */
  ready: boolean;
  adminOnly?: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { key: 'im', path: '/im', icon: <MessageOutlined />, label: 'nav.im', ready: true },
  { key: 'docs', path: '/docs', icon: <FileTextOutlined />, label: 'nav.docs', ready: true },
  { key: 'calendar', path: '/calendar', icon: <CalendarOutlined />, label: 'nav.calendar', ready: true },
  { key: 'meetings', path: '/meetings', icon: <VideoCameraOutlined />, label: 'nav.meetings', ready: true },
  { key: 'minutes', path: '/minutes', icon: <AudioOutlined />, label: 'nav.minutes', ready: true },
  { key: 'approvals', path: '/approvals', icon: <AuditOutlined />, label: 'nav.approvals', ready: true },
  { key: 'forms', path: '/forms', icon: <AppstoreOutlined />, label: 'nav.forms', ready: true },
  { key: 'okr', path: '/okr', icon: <AimOutlined />, label: 'nav.okr', ready: false },
  { key: 'attendance', path: '/attendance', icon: <ClockCircleOutlined />, label: 'nav.attendance', ready: false },
  { key: 'expenses', path: '/expenses', icon: <MoneyCollectOutlined />, label: 'nav.expenses', ready: false },
  { key: 'drive', path: '/drive', icon: <CloudOutlined />, label: 'nav.drive', ready: false },
  { key: 'org', path: '/org', icon: <TeamOutlined />, label: 'nav.org', ready: true },
  { key: 'admin', path: '/admin', icon: <SettingOutlined />, label: 'nav.admin', ready: true, adminOnly: true },
];

/** The tabs a phone shows at the bottom; the rest sit behind "more". */
export const MOBILE_TABS = ['im', 'docs', 'calendar', 'org'];
