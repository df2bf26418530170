import { client, unwrap } from '../../api/client';
import type { NotifySettings } from '../../api/types';

export const notifyKeys = {
  all: ['notify'] as const,
  unread: ['notify', 'unread-count'] as const,
  list: (unreadOnly: boolean) => ['notify', 'list', { unreadOnly }] as const,
  settings: ['notify', 'settings'] as const,
};

export const notifyApi = {
  list: (cursor: string | null, unreadOnly: boolean) =>
    unwrap(
      client.GET('/api/notify/notifications', {
        params: { query: { cursor: cursor ?? undefined, unread_only: unreadOnly || undefined } },
      }),
    ),
  unreadCount: () => unwrap(client.GET('/api/notify/unread-count')),
  markRead: (id: number) =>
    unwrap(client.POST('/api/notify/notifications/{notification_id}/read', { params: { path: { notification_id: id } } })),
  readAll: () => unwrap(client.POST('/api/notify/read-all')),
  settings: () => unwrap(client.GET('/api/notify/settings')),
  saveSettings: (body: NotifySettings) => unwrap(client.PUT('/api/notify/settings', { body })),
};
