/**
 * The one way the web app talks to the API.
 *
 * `client` is openapi-fetch over the generated `schema.d.ts` (typed paths, params and bodies);
 * `unwrap()` turns its `{data, error}` into data or a thrown ApiError. `request()` is the same
 * transport for the few endpoints the schema does not describe yet. Both send cookies, the
 * interface language, and the CSRF token on writes, and both send the user to sign in on a 401.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { ApiError } from './ApiError';
import type { ErrorBody } from './types';
import type { paths } from './schema';

export { ApiError, isApiError } from './ApiError';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  formData?: FormData;
  signal?: AbortSignal;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Calls whose 401 means "wrong password" or "not signed in yet", not "session expired".
const NO_REDIRECT_PATHS = new Set(['/api/auth/login', '/api/me-probe']);

let language = 'zh-CN';
let csrfFallback: string | null = null;
let onUnauthorized: (next: string) => void = (next) => {
  window.location.assign(`/login?next=${encodeURIComponent(next)}`);
};

/** The language sent as Accept-Language, so server messages come back in it. */
export function setApiLanguage(lang: string): void {
  language = lang;
}

/** The CSRF token from /api/me, used when the cookie cannot be read. */
export function setCsrfToken(token: string | null | undefined): void {
  csrfFallback = token ?? null;
}

export function setUnauthorizedHandler(handler: (next: string) => void): void {
  onUnauthorized = handler;
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The CSRF token for a write the client does not send itself (an upload with progress). */
export function csrfToken(): string | null {
  return readCookie('tongban_csrf') ?? csrfFallback;
}

function fallbackMessage(): string {
  return language.startsWith('zh') ? '请求失败，请稍后重试' : 'The request failed. Please try again.';
}

function addHeaders(method: string, headers: Headers): void {
  headers.set('Accept-Language', language);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  if (UNSAFE.has(method.toUpperCase())) {
    const token = readCookie('tongban_csrf') ?? csrfFallback;
    if (token) headers.set('X-CSRF-Token', token);
  }
}

function checkUnauthorized(status: number, path: string): void {
  if (status !== 401 || NO_REDIRECT_PATHS.has(path)) return;
  if (window.location.pathname.startsWith('/login')) return;
  onUnauthorized(`${window.location.pathname}${window.location.search}`);
}

function errorFromBody(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
    return new ApiError(status, body as ErrorBody);
  }
  if (body && typeof body === 'object' && 'detail' in body && typeof body.detail === 'string') {
    return new ApiError(status, { code: `http_${status}`, message: body.detail });
  }
  return new ApiError(status, { code: `http_${status}`, message: fallbackMessage() });
}

function networkError(): ApiError {
  return new ApiError(0, { code: 'network_error', message: fallbackMessage() });
}

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    addHeaders(request.method, request.headers);
    return request;
  },
  onResponse({ request, response }) {
    checkUnauthorized(response.status, new URL(request.url).pathname);
    return undefined;
  },
};

export const client = createClient<paths>({
  baseUrl: typeof window !== 'undefined' ? window.location.origin : '',
  credentials: 'include',
  // Looked up per call so tests can replace the global fetch.
  fetch: (input: Request) => globalThis.fetch(input),
});
client.use(sessionMiddleware);

/** Data of a successful openapi-fetch call, or the error thrown as ApiError. */
export async function unwrap<D>(pending: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result: { data?: D; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw networkError();
  }
  if (!result.response.ok) throw errorFromBody(result.response.status, result.error);
  return result.data as D;
}

/** A call to an endpoint the generated schema does not describe yet. */
export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers = new Headers();
  let body: BodyInit | undefined;
  if (options.formData) {
    body = options.formData;
  } else if (options.body !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(options.body);
  }
  addHeaders(method, headers);

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'include',
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw networkError();
  }

  checkUnauthorized(response.status, path);
  if (!response.ok) {
    let data: unknown = null;
    try {
      data = await response.json();
    } catch {
      // not JSON (a proxy's error page): the fallback message is used
    }
    throw errorFromBody(response.status, data);
  }
  if (response.status === 204 || response.headers.get('content-length') === '0') return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return (await response.text()) as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, { ...options, body }),
  delete: <T = void>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};
