import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Form, Input, Skeleton, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { showFormErrors } from '../../api/formErrors';
import type { NotifySettings } from '../../api/types';
import { NAV_ITEMS } from '../../shell/navItems';
import { notifyApi, notifyKeys } from './api';

interface Values {
  muted_capabilities: string[];
  quiet: boolean;
  quiet_hours_start: string;
  quiet_hours_end: string;
}

const CAPABILITIES = NAV_ITEMS.filter((i) => i.key !== 'admin');

function SettingsForm({ settings }: { settings: NotifySettings }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const quiet = Form.useWatch('quiet', form);
  const save = useMutation({
    mutationFn: (v: Values) =>
      notifyApi.saveSettings({
        muted_capabilities: v.muted_capabilities,
        quiet_hours_start: v.quiet ? v.quiet_hours_start : null,
        quiet_hours_end: v.quiet ? v.quiet_hours_end : null,
      }),
    onSuccess: (data) => {
      queryClient.setQueryData(notifyKeys.settings, data);
      void message.success(t('common.saved'));
    },
    onError: (e) => {
      showFormErrors(form, e, (text) => void message.error(text), t('common.error'));
    },
  });

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      initialValues={{
        muted_capabilities: settings.muted_capabilities,
        quiet: settings.quiet_hours_start !== null,
        quiet_hours_start: settings.quiet_hours_start ?? '22:00',
        quiet_hours_end: settings.quiet_hours_end ?? '07:00',
      }}
      onFinish={(v) => save.mutate(v)}
    >
      <Form.Item name="muted_capabilities" label={t('notify.muted')} extra={t('notify.mutedHint')}>
        <Checkbox.Group
          options={CAPABILITIES.map((c) => ({ value: c.key, label: t(c.label) }))}
          style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(120px, 1fr))', gap: 8 }}
        />
      </Form.Item>
      <Form.Item name="quiet" label={t('notify.quietHours')} valuePropName="checked" extra={t('notify.quietHint')}>
        <Switch />
      </Form.Item>
      {quiet && (
        <Space wrap>
          <Form.Item name="quiet_hours_start" label={t('notify.quietStart')} rules={[{ required: true, message: t('common.required') }]}>
            <Input type="time" style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="quiet_hours_end" label={t('notify.quietEnd')} rules={[{ required: true, message: t('common.required') }]}>
            <Input type="time" style={{ width: 140 }} />
          </Form.Item>
        </Space>
      )}
      <Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('common.save')}
        </Button>
      </Form.Item>
    </Form>
  );
}

export default function NotifySettingsPage() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: notifyKeys.settings, queryFn: notifyApi.settings });
  return (
    <Card title={t('notify.settingsTitle')} style={{ maxWidth: 720, margin: '0 auto' }}>
      <Typography.Paragraph type="secondary">{t('notify.settingsIntro')}</Typography.Paragraph>
      {settings.isPending && <Skeleton active />}
      {settings.isError && <Alert type="error" showIcon title={settings.error.message} />}
      {settings.data && <SettingsForm settings={settings.data} />}
    </Card>
  );
}
