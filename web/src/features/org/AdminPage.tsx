import { Card, Result, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useMe } from '../auth/useMe';
import { canAdminister, isOrgAdmin } from '../../shell/roles';
import { DepartmentsAdmin } from './DepartmentsAdmin';
import { ImportPanel } from './ImportPanel';
import { PeopleAdmin } from './PeopleAdmin';
import './AdminPage.css';

export default function AdminPage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const location = useLocation();
  const navigate = useNavigate();

  if (!canAdminister(me)) return <Result status="403" title={t('admin.forbidden')} />;
  const tabs = [
    { key: 'people', label: t('admin.tabs.people'), children: <PeopleAdmin /> },
    ...(isOrgAdmin(me)
      ? [
          { key: 'departments', label: t('admin.tabs.departments'), children: <DepartmentsAdmin /> },
          { key: 'import', label: t('admin.tabs.import'), children: <ImportPanel /> },
        ]
      : []),
  ];
  const current = location.pathname.split('/')[2];
  if (!tabs.some((tab) => tab.key === current)) return <Navigate to="/admin/people" replace />;

  return (
    <Card title={t('nav.admin')}>
      <Tabs activeKey={current} items={tabs} onChange={(key) => void navigate(`/admin/${key}`)} destroyOnHidden />
    </Card>
  );
}
