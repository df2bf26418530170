import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { showFormErrors } from '../../api/formErrors';
import type { AccessToken, AccessTokenCreate, AccessTokenCreated } from '../../api/types';
import { authApi, tokensKey } from './api';

function formatDate(iso: string | null, lang: string, never: string): string {
  return iso ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : never;
}

export default function TokensPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ name: string; expires_days: number | 0 }>();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<AccessTokenCreated | null>(null);
  const tokens = useQuery({ queryKey: tokensKey, queryFn: authApi.tokens });

  const create = useMutation({
    mutationFn: (body: AccessTokenCreate) => authApi.createToken(body),
    onSuccess: (token) => {
      setCreating(false);
      setCreated(token);
      void queryClient.invalidateQueries({ queryKey: tokensKey });
    },
    onError: (e) => {
      showFormErrors(form, e, (text) => void message.error(text), t('common.error'));
    },
  });
  const remove = useMutation({
    mutationFn: authApi.deleteToken,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
    onError: (e) => void message.error(isApiError(e) ? e.message : t('common.error')),
  });

  const lang = i18n.language;
  return (
    <Card
      title={t('tokens.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('tokens.create')}
        </Button>
      }
      style={{ maxWidth: 960, margin: '0 auto' }}
    >
      <Typography.Paragraph type="secondary">{t('tokens.intro')}</Typography.Paragraph>
      {tokens.isError && <Alert type="error" showIcon title={tokens.error.message} />}
      <Table<AccessToken>
        rowKey="id"
        loading={tokens.isPending}
        dataSource={tokens.data ?? []}
        pagination={false}
        scroll={{ x: 640 }}
        columns={[
          { title: t('tokens.name'), dataIndex: 'name' },
          { title: t('tokens.created'), dataIndex: 'created_at', render: (v: string) => formatDate(v, lang, '') },
          { title: t('tokens.lastUsed'), dataIndex: 'last_used_at', render: (v: string | null) => formatDate(v, lang, t('tokens.neverUsed')) },
          { title: t('tokens.expires'), dataIndex: 'expires_at', render: (v: string | null) => formatDate(v, lang, t('tokens.noExpiry')) },
          {
            title: '',
            key: 'actions',
            width: 64,
            render: (_, token) => (
              <Popconfirm
                title={t('tokens.revokeConfirm', { name: token.name })}
                okText={t('tokens.revoke')}
                cancelText={t('common.cancel')}
                okButtonProps={{ danger: true }}
                onConfirm={() => remove.mutateAsync(token.id)}
              >
                <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('tokens.revoke')} />
              </Popconfirm>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('tokens.create')}
        okText={t('tokens.create')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending}
        onOk={() => form.submit()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ expires_days: 90 }}
          onFinish={(v) => create.mutate({ name: v.name.trim(), expires_days: v.expires_days || null })}
        >
          <Form.Item name="name" label={t('tokens.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input placeholder={t('tokens.namePlaceholder')} maxLength={100} />
          </Form.Item>
          <Form.Item name="expires_days" label={t('tokens.expires')}>
            <Select
              options={[
                { value: 30, label: t('tokens.days', { count: 30 }) },
                { value: 90, label: t('tokens.days', { count: 90 }) },
                { value: 365, label: t('tokens.days', { count: 365 }) },
                { value: 0, label: t('tokens.noExpiry') },
              ]}
            />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={created !== null}
        title={t('tokens.createdTitle')}
        onCancel={() => setCreated(null)}
        footer={
          <Button type="primary" onClick={() => setCreated(null)}>
            {t('common.done')}
          </Button>
        }
      >
        <Alert type="warning" showIcon title={t('tokens.shownOnce')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: created?.token }} code style={{ wordBreak: 'break-all' }}>
          {created?.token}
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}
