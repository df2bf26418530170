import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Dropdown, Input, Space, Switch, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import type { PersonSummary } from '../../api/types';
import { orgApi, orgKeys } from './api';
import { PersonAvatar } from './PersonAvatar';
import { PersonFormModal, type PersonFormMode } from './PersonFormModal';
import { useDebouncedValue } from './useDebouncedValue';
import { usePeople } from './usePeople';

export function PeopleAdmin() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [includeInactive, setIncludeInactive] = useState(true);
  const [form, setForm] = useState<PersonFormMode | null>(null);
  const q = useDebouncedValue(search.trim(), 300);
  const people = usePeople({ q: q || undefined, include_inactive: includeInactive, limit: 50 });
  const rows = useMemo(() => people.data?.pages.flatMap((p) => p.items) ?? [], [people.data]);

  const toggle = useMutation({
    mutationFn: (p: PersonSummary) => (p.active ? orgApi.deactivate(p.id) : orgApi.reactivate(p.id)),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
      void message.success(t('common.saved'));
    },
    onError: (e) => void message.error(isApiError(e) ? e.message : t('common.error')),
  });

  const confirmToggle = (p: PersonSummary) =>
    modal.confirm({
      title: t(p.active ? 'admin.people.deactivateConfirm' : 'admin.people.reactivateConfirm', { name: p.name }),
      content: p.active ? t('admin.people.deactivateHint') : undefined,
      okText: t(p.active ? 'admin.people.deactivate' : 'admin.people.reactivate'),
      cancelText: t('common.cancel'),
      okButtonProps: { danger: p.active },
      onOk: () => toggle.mutateAsync(p),
    });

  return (
    <div>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, justifyContent: 'space-between', marginBottom: 12 }}>
        <Space wrap>
          <Input
            allowClear
            prefix={<SearchOutlined />}
            placeholder={t('org.searchPlaceholder')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            style={{ width: 260, maxWidth: '100%' }}
          />
          <label style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
            <Switch size="small" checked={includeInactive} onChange={setIncludeInactive} />
            {t('admin.people.showInactive')}
          </label>
        </Space>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setForm({ kind: 'create' })}>
          {t('admin.people.add')}
        </Button>
      </div>
      {people.isError && <Alert type="error" showIcon title={people.error.message} style={{ marginBottom: 12 }} />}
      <Table<PersonSummary>
        rowKey="id"
        size="middle"
        loading={people.isPending}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 720 }}
        columns={[
          {
            title: t('admin.people.name'),
            key: 'name',
            render: (_, p) => (
              <Space>
                <PersonAvatar id={p.id} name={p.name} fileId={p.avatar_file_id} size={28} />
                {p.name}
              </Space>
            ),
          },
          { title: t('admin.people.jobTitle'), dataIndex: 'title', render: (v: string | null) => v ?? '' },
          {
            title: t('org.card.departments'),
            key: 'departments',
            render: (_, p) =>
              p.departments.map((d) => (
                <Tag key={d.id} color={d.is_primary ? 'blue' : undefined}>
                  {d.name}
                </Tag>
              )),
          },
          {
            title: t('admin.people.status'),
            dataIndex: 'active',
            width: 100,
            render: (active: boolean) =>
              active ? <Tag color="green">{t('admin.people.active')}</Tag> : <Tag>{t('org.inactive')}</Tag>,
          },
          {
            title: '',
            key: 'actions',
            width: 200,
            render: (_, p) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setForm({ kind: 'edit', id: p.id })}>
                  {t('common.edit')}
                </Button>
                <Button type="link" size="small" onClick={() => setForm({ kind: 'move', id: p.id })}>
                  {t('admin.people.move')}
                </Button>
                <Dropdown
                  trigger={['click']}
                  menu={{
                    items: [
                      {
                        key: 'toggle',
                        danger: p.active,
                        label: t(p.active ? 'admin.people.deactivate' : 'admin.people.reactivate'),
                      },
                    ],
                    onClick: () => confirmToggle(p),
                  }}
                >
                  <Button type="link" size="small">
                    {t('common.more')}
                  </Button>
                </Dropdown>
              </Space>
            ),
          },
        ]}
      />
      {people.hasNextPage && (
        <div style={{ textAlign: 'center', padding: 12 }}>
          <Button onClick={() => void people.fetchNextPage()} loading={people.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        </div>
      )}
      <PersonFormModal mode={form} onClose={() => setForm(null)} />
    </div>
  );
}
