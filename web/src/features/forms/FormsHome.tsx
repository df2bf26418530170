import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Empty, Input, List, Modal, Space, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { isApiError } from '../../api/client';
import { formsApi, formsKeys } from './api';
import { formatTime } from './format';
import { nameText } from './labels';
import type { AppRead } from './types';
import './forms.css';

function AppCard({ app }: { app: AppRead }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const manage = app.my_roles.includes('manage');
  const viewAll = app.my_roles.includes('view_dept');
  return (
    <Card title={nameText(app, i18n.language)} size="small" data-testid={`app-${app.id}`}>
      {app.description && <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }}>{app.description}</Typography.Paragraph>}
      <List
        size="small"
        dataSource={app.forms ?? []}
        locale={{ emptyText: t('forms.home.noForms') }}
        renderItem={(f) => (
          <List.Item>
            <Space direction="vertical" size={4} style={{ width: '100%' }}>
              <Space>
                <Typography.Text strong>{nameText(f, i18n.language)}</Typography.Text>
                <Tag color={f.status === 'published' ? 'green' : f.status === 'archived' ? 'default' : 'gold'}>
                  {t(`forms.status.${f.status}`)}
                  {f.version_number ? ` v${f.version_number}` : ''}
                </Tag>
              </Space>
              <Space wrap size={4}>
                {f.status === 'published' && app.my_roles.includes('submit') && (
                  <Button size="small" onClick={() => void navigate(`/forms/fill/${f.id}`)}>{t('forms.action.fill')}</Button>
                )}
                {manage && <Button size="small" onClick={() => void navigate(`/forms/${f.id}/design`)}>{t('forms.action.design')}</Button>}
                {viewAll && <Button size="small" onClick={() => void navigate(`/forms/${f.id}/data`)}>{t('forms.action.data')}</Button>}
                {viewAll && (
                  <Button size="small" type="primary" onClick={() => void navigate(`/forms/${f.id}/dashboard`)}>
                    {t('forms.action.dashboard')}
                  </Button>
                )}
              </Space>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}

function Todo() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const tasks = useQuery({ queryKey: formsKeys.tasks, queryFn: formsApi.myTasks });
  return (
    <List
      loading={tasks.isLoading}
      dataSource={tasks.data ?? []}
      locale={{ emptyText: <Empty description={t('forms.todo.empty')} /> }}
      renderItem={(task) => (
        <List.Item
          data-testid={`todo-${task.id}`}
          actions={[
            task.my_submission_id ? (
              <Tag key="done" color="green">{t('forms.todo.done')}</Tag>
            ) : (
              <Button key="fill" type="primary" onClick={() => void navigate(`/forms/fill/${task.form_id}?task=${task.id}`)}>
                {t('forms.todo.fill')}
              </Button>
            ),
          ]}
        >
          <List.Item.Meta
            title={task.title}
            description={
              <Space wrap size={4}>
                <span>{task.form_name}</span>
                <span>{t('forms.todo.deadline', { time: formatTime(task.deadline) })}</span>
                {task.overdue && <Tag color={task.allow_late ? 'orange' : 'red'}>{t(task.allow_late ? 'forms.todo.overdueLate' : 'forms.todo.closed')}</Tag>}
              </Space>
            }
          />
        </List.Item>
      )}
    />
  );
}

function Templates() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const templates = useQuery({ queryKey: formsKeys.templates, queryFn: formsApi.templates });
  const install = useMutation({
    mutationFn: formsApi.install,
    onSuccess: (app) => {
      void queryClient.invalidateQueries({ queryKey: formsKeys.apps });
      message.success(t('forms.templates.installed', { name: nameText(app, i18n.language) }));
      void navigate('/forms');
    },
    onError: (e) => message.error(isApiError(e) ? e.message : String(e)),
  });
  return (
    <div className="forms-cards">
      {(templates.data ?? []).map((tpl) => (
        <Card key={tpl.key} size="small" title={nameText(tpl, i18n.language)} data-testid={`template-${tpl.key}`}>
          <Typography.Paragraph type="secondary">{tpl.description}</Typography.Paragraph>
          <Typography.Paragraph type="secondary">{t('forms.templates.fields', { count: tpl.field_count })}</Typography.Paragraph>
          <Button type="primary" loading={install.isPending && install.variables === tpl.key} onClick={() => install.mutate(tpl.key)}>
            {t('forms.templates.use')}
          </Button>
        </Card>
      ))}
    </div>
  );
}

/** 应用: my apps and their forms, my to-do list, and the templates. */
export default function FormsHome() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const apps = useQuery({ queryKey: formsKeys.apps, queryFn: formsApi.apps });
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: async () => {
      const app = await formsApi.createApp(name.trim());
      return formsApi.createForm(app.id, name.trim());
    },
    onSuccess: (form) => void navigate(`/forms/${form.id}/design`),
    onError: (e) => message.error(isApiError(e) ? e.message : String(e)),
  });
  const tab = params.get('tab') ?? 'apps';
  return (
    <div className="forms-page">
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams({ tab: key })}
        tabBarExtraContent={
          <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('forms.home.newApp')}
          </Button>
        }
        items={[
          {
            key: 'apps',
            label: t('forms.home.apps'),
            children: apps.data?.length ? (
              <div className="forms-cards">{apps.data.map((a) => <AppCard key={a.id} app={a} />)}</div>
            ) : (
              <Empty description={t('forms.home.empty')}>
                <Button type="primary" onClick={() => setParams({ tab: 'templates' })}>{t('forms.home.fromTemplate')}</Button>
              </Empty>
            ),
          },
          { key: 'todo', label: t('forms.home.todo'), children: <Todo /> },
          { key: 'templates', label: t('forms.home.templates'), children: <Templates /> },
        ]}
      />
      <Modal
        open={creating}
        title={t('forms.home.newApp')}
        onCancel={() => setCreating(false)}
        onOk={() => create.mutate()}
        okButtonProps={{ disabled: !name.trim(), loading: create.isPending }}
      >
        <Input autoFocus placeholder={t('forms.home.appName')} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
      </Modal>
    </div>
  );
}
