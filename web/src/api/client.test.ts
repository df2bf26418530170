import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, buildUrl, client, setApiLanguage, setUnauthorizedHandler, unwrap } from './client';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** The request openapi-fetch handed to fetch (it passes one Request object). */
function sentRequest(call: unknown[]): Request {
  return call[0] as Request;
}

describe('api client', () => {
  const fetchMock = vi.fn();
  const unauthorized = vi.fn();

  beforeEach(() => {
    vi.stubGlobal('fetch', fetchMock);
    setUnauthorizedHandler(unauthorized);
    setApiLanguage('zh-CN');
    document.cookie = 'tongban_csrf=tok%2B1; path=/';
    window.history.replaceState(null, '', '/org?person=3');
  });
  afterEach(() => {
    fetchMock.mockReset();
    unauthorized.mockReset();
    vi.unstubAllGlobals();
  });

  it('sends cookies, the language, and the CSRF token only on unsafe methods', async () => {
    fetchMock.mockImplementation(async () => jsonResponse(200, { ok: true }));
    await unwrap(client.GET('/api/me'));
    await unwrap(client.PATCH('/api/me', { body: { locale: 'en-US' } }));
    const get = sentRequest(fetchMock.mock.calls[0]);
    const patch = sentRequest(fetchMock.mock.calls[1]);
    expect(new URL(get.url).pathname).toBe('/api/me');
    expect(get.credentials).toBe('include');
    expect(get.headers.get('Accept-Language')).toBe('zh-CN');
    expect(get.headers.get('X-CSRF-Token')).toBeNull();
    expect(patch.method).toBe('PATCH');
    expect(patch.headers.get('X-CSRF-Token')).toBe('tok+1');
    expect(await patch.text()).toBe('{"locale":"en-US"}');
  });

  it('does the same for hand-written calls', async () => {
    fetchMock.mockImplementation(async () => jsonResponse(200, { count: 3 }));
    setApiLanguage('en-US');
    await expect(api.get('/api/notify/unread-count')).resolves.toEqual({ count: 3 });
    await api.post('/api/notify/read-all');
    const [, getInit] = fetchMock.mock.calls[0];
    const [, postInit] = fetchMock.mock.calls[1];
    expect(getInit.credentials).toBe('include');
    expect(getInit.headers.get('Accept-Language')).toBe('en-US');
    expect(getInit.headers.get('X-CSRF-Token')).toBeNull();
    expect(postInit.headers.get('X-CSRF-Token')).toBe('tok+1');
  });

  it('turns error JSON into an ApiError with fields mapped to form names', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(422, {
        code: 'validation_error',
        message: '输入有误',
        fields: [
          { field: 'body.new_password', code: 'too_short', message: '至少 10 个字符' },
          { field: 'body.new_password', code: 'too_common', message: '过于常见' },
        ],
      }),
    );
    const error = await unwrap(
      client.POST('/api/auth/password', { body: { current_password: 'a', new_password: 'b' } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(422);
    expect(apiError.code).toBe('validation_error');
    expect(apiError.message).toBe('输入有误');
    expect(apiError.formFields()).toEqual([{ name: 'new_password', errors: ['至少 10 个字符', '过于常见'] }]);
  });

  it('keeps a readable message when the body is not our JSON', async () => {
    fetchMock.mockImplementation(async () => new Response('<html>bad gateway</html>', { status: 502 }));
    const error = (await unwrap(client.GET('/api/org/departments')).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('http_502');
    expect(error.message).toBe('请求失败，请稍后重试');
    const again = (await api.get('/api/notify/settings').catch((e: unknown) => e)) as ApiError;
    expect(again.message).toBe('请求失败，请稍后重试');
  });

  it('reports network failures as status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const error = (await unwrap(client.GET('/api/me')).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.code).toBe('network_error');
  });

  it('sends the user to sign in on 401, with the current page as next', async () => {
    fetchMock.mockImplementation(async () => jsonResponse(401, { code: 'not_authenticated', message: '请先登录' }));
    await expect(unwrap(client.GET('/api/org/departments'))).rejects.toBeInstanceOf(ApiError);
    expect(unauthorized).toHaveBeenCalledWith('/org?person=3');
    unauthorized.mockReset();
    await expect(api.get('/api/notify/unread-count')).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toHaveBeenCalledWith('/org?person=3');
  });

  it('does not redirect on a failed sign-in', async () => {
    fetchMock.mockImplementation(async () =>
      jsonResponse(401, { code: 'invalid_credentials', message: '账号或密码错误' }),
    );
    await expect(unwrap(client.POST('/api/auth/login', { body: { login: 'a', password: 'b' } }))).rejects.toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    });
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('returns undefined for 204', async () => {
    fetchMock.mockImplementation(async () => new Response(null, { status: 204 }));
    await expect(unwrap(client.POST('/api/auth/logout'))).resolves.toBeUndefined();
    await expect(api.post('/api/notify/read-all')).resolves.toBeUndefined();
  });

  it('builds query strings without empty values', () => {
    expect(buildUrl('/api/org/people', { q: 'lf', department_id: undefined, include_sub: false, cursor: null })).toBe(
      '/api/org/people?q=lf&include_sub=false',
    );
  });
});
