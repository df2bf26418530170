import { client, unwrap } from '../../api/client';
import type { AccessTokenCreate, LoginRequest, MeUpdate, PasswordChange } from '../../api/types';

export const meKey = ['me'] as const;
export const tokensKey = ['auth', 'tokens'] as const;

export const authApi = {
  login: (body: LoginRequest) => unwrap(client.POST('/api/auth/login', { body })),
  logout: () => unwrap(client.POST('/api/auth/logout')),
  logoutAll: () => unwrap(client.POST('/api/auth/logout-all')),
  changePassword: (body: PasswordChange) => unwrap(client.POST('/api/auth/password', { body })),
  me: () => unwrap(client.GET('/api/me')),
  updateMe: (body: MeUpdate) => unwrap(client.PATCH('/api/me', { body })),
  tokens: () => unwrap(client.GET('/api/auth/tokens')),
  createToken: (body: AccessTokenCreate) => unwrap(client.POST('/api/auth/tokens', { body })),
  deleteToken: (id: number) => unwrap(client.DELETE('/api/auth/tokens/{token_id}', { params: { path: { token_id: id } } })),
};
