import { QueryClient } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppProviders } from '../../AppProviders';
import type { Locale } from '../../api/types';
import { createI18n } from '../../i18n';
import LoginPage from './LoginPage';

function Where() {
  const location = useLocation();
  return <div data-testid="where">{location.pathname + location.search}</div>;
}

function renderLogin(locale: Locale, path = '/login') {
  const i18n = createI18n(locale);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <AppProviders i18n={i18n} queryClient={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="*" element={<Where />} />
        </Routes>
      </MemoryRouter>
    </AppProviders>,
  );
}

const me = {
  id: 2,
  name: '刘锋',
  username: 'liufeng',
  title: '科员',
  avatar_file_id: null,
  locale: 'zh-CN',
  timezone: 'Asia/Shanghai',
  roles: ['member'],
  admin_department_ids: [],
  csrf_token: 'x',
  departments: [],
};

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('LoginPage', () => {
  const fetchMock = vi.fn();
  beforeEach(() => {
    localStorage.clear();
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
  });

  it('renders in Chinese by default', () => {
    renderLogin('zh-CN');
    expect(screen.getByText('通办')).toBeInTheDocument();
    expect(screen.getByLabelText('账号')).toHaveAttribute('placeholder', '用户名、手机号或邮箱');
    expect(screen.getByLabelText('密码')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /登\s*录/ })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  it('renders in English', () => {
    renderLogin('en-US');
    expect(screen.getByText('Tongban')).toBeInTheDocument();
    expect(screen.getByLabelText('Account')).toHaveAttribute('placeholder', 'Username, mobile or e-mail');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('en-US');
  });

  it('shows a generic message on 401 and the server message on 429', async () => {
    const user = userEvent.setup();
    renderLogin('zh-CN');
    fetchMock.mockResolvedValueOnce(json(401, { code: 'invalid_credentials', message: 'whatever the server says' }));
    await user.type(screen.getByLabelText('账号'), 'liufeng');
    await user.type(screen.getByLabelText('密码'), 'wrong');
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent('账号或密码不正确');

    fetchMock.mockResolvedValueOnce(json(429, { code: 'login_locked', message: '登录失败次数过多，请 15 分钟后再试' }));
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('登录失败次数过多，请 15 分钟后再试'));
  });

  it('signs in and returns to next', async () => {
    const user = userEvent.setup();
    renderLogin('zh-CN', '/login?next=%2Fadmin%2Fpeople');
    fetchMock.mockResolvedValueOnce(json(200, me));
    await user.type(screen.getByLabelText('账号'), 'liufeng');
    await user.type(screen.getByLabelText('密码'), 'tongban-demo');
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    expect(await screen.findByTestId('where')).toHaveTextContent('/admin/people');
    const request = fetchMock.mock.calls[0][0] as Request;
    expect(new URL(request.url).pathname).toBe('/api/auth/login');
    expect(await request.json()).toEqual({ login: 'liufeng', password: 'tongban-demo' });
  });

  it('refuses to return to another site', async () => {
    const user = userEvent.setup();
    renderLogin('en-US', '/login?next=%2F%2Fevil.example');
    fetchMock.mockResolvedValueOnce(json(200, { ...me, locale: 'en-US' }));
    await user.type(screen.getByLabelText('Account'), 'liufeng');
    await user.type(screen.getByLabelText('Password'), 'tongban-demo');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByTestId('where')).toHaveTextContent('/org');
  });
});
