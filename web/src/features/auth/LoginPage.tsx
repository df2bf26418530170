import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { isApiError, setCsrfToken } from '../../api/client';
import type { LoginRequest, Me } from '../../api/types';
import { rememberLocale, takePendingLocale } from '../../i18n';
import { authApi, meKey } from './api';
import { LanguageSwitch } from './LanguageSwitch';
import { safeNext } from './safeNext';
import './LoginPage.css';

export default function LoginPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);

  const login = useMutation({
    mutationFn: authApi.login,
    onSuccess: async (me: Me) => {
      setCsrfToken(me.csrf_token);
      let current = me;
      const chosen = takePendingLocale();
      if (chosen && chosen !== me.locale) {
        // Chosen on this page before signing in: that is the latest wish, keep it on the account.
        current = await authApi.updateMe({ locale: chosen }).catch(() => me);
      } else if (me.locale !== i18n.language) {
        rememberLocale(me.locale);
        await i18n.changeLanguage(me.locale);
      }
      queryClient.setQueryData(meKey, current);
      void navigate(safeNext(params.get('next')), { replace: true });
    },
    onError: (e: unknown) => {
      if (isApiError(e) && e.status === 429) setError(e.message);
      else if (isApiError(e) && e.status === 401) setError(t('login.invalid'));
      else setError(isApiError(e) ? e.message : t('common.error'));
    },
  });

  const onFinish = (values: LoginRequest) => {
    setError(null);
    login.mutate({ login: values.login.trim(), password: values.password });
  };

  return (
    <div className="login-page">
      <div className="login-lang">
        <LanguageSwitch />
      </div>
      <Card className="login-card" variant="borderless">
        <div className="login-brand">
          <img src="/icons/icon-192.png" alt="" width={48} height={48} />
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('app.name')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
          </div>
        </div>
        <Typography.Title level={4}>{t('login.title')}</Typography.Title>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form<LoginRequest> layout="vertical" onFinish={onFinish} requiredMark={false} size="large">
          <Form.Item
            name="login"
            label={t('login.login')}
            rules={[{ required: true, whitespace: true, message: t('login.loginRequired') }]}
          >
            <Input
              prefix={<UserOutlined />}
              placeholder={t('login.loginPlaceholder')}
              autoComplete="username"
              autoFocus
            />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('login.passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending}>
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
