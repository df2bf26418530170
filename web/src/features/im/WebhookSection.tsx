import { DeleteOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Input, List, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { imApi, imKeys } from './api';
import type { WebhookRead } from './types';

/** Incoming webhooks: other systems post into this conversation. The secret is shown once. */
export function WebhookSection({ conversationId }: { conversationId: number }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const hooks = useQuery({ queryKey: imKeys.webhooks(conversationId), queryFn: () => imApi.webhooks(conversationId) });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<WebhookRead | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async () => {
    setBusy(true);
    try {
      setCreated(await imApi.createWebhook(conversationId, name.trim()));
      setName('');
      void queryClient.invalidateQueries({ queryKey: imKeys.webhooks(conversationId) });
    } catch (e) {
      message.error(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="im-webhooks">
      <Typography.Title level={5}>{t('im.webhooks')}</Typography.Title>
      {created && (
        <Alert
          type="success"
          closable={{ onClose: () => setCreated(null) }}
          title={t('im.webhookCreated')}
          description={
            <div className="im-webhook-secret">
              <div>{t('im.webhookUrl')}</div>
              <Typography.Text code copyable>
                {created.url ?? ''}
              </Typography.Text>
              <div>{t('im.webhookSecret')}</div>
              <Typography.Text code copyable>
                {created.secret ?? ''}
              </Typography.Text>
              <div className="im-hint">{t('im.webhookOnce')}</div>
            </div>
          }
        />
      )}
      <List
        size="small"
        dataSource={hooks.data ?? []}
        locale={{ emptyText: t('im.noWebhooks') }}
        renderItem={(h) => (
          <List.Item
            actions={[
              <Button
                key="delete"
                type="text"
                danger
                size="small"
                icon={<DeleteOutlined />}
                aria-label={t('common.delete')}
                onClick={() =>
                  modal.confirm({
                    title: t('im.webhookDeleteConfirm', { name: h.name }),
                    okButtonProps: { danger: true },
                    okText: t('common.delete'),
                    cancelText: t('common.cancel'),
                    onOk: async () => {
                      await imApi.deleteWebhook(h.id);
                      await queryClient.invalidateQueries({ queryKey: imKeys.webhooks(conversationId) });
                    },
                  })
                }
              />,
            ]}
          >
            {h.name}
          </List.Item>
        )}
      />
      <Space.Compact style={{ width: '100%' }}>
        <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('im.webhookName')} maxLength={100} />
        <Button onClick={() => void create()} loading={busy} disabled={!name.trim()}>
          {t('im.webhookCreate')}
        </Button>
      </Space.Compact>
    </div>
  );
}
