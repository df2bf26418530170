import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useEffect } from 'react';
import { EventStream, streamUrl, type PresenceStatus, type StreamEventPayload } from './EventStream';
import { emitResync, emitStreamEvent } from './streamListeners';

const IDLE_AFTER_MS = 5 * 60_000;

function notificationTitle(event: StreamEventPayload): string | null {
  const nested = event.notification;
  if (nested && typeof nested === 'object' && 'title' in nested && typeof nested.title === 'string') {
    return nested.title;
  }
  return typeof event.title === 'string' ? event.title : null;
}

/** Keeps this tab's one WebSocket open while signed in and turns events into cache updates. */
export function useEventStream(enabled: boolean): void {
  const queryClient = useQueryClient();
  const { notification } = App.useApp();

  useEffect(() => {
    if (!enabled) return;
    let lastInput = Date.now();
    const presence = (): PresenceStatus =>
      document.hidden || Date.now() - lastInput > IDLE_AFTER_MS ? 'idle' : 'active';

    const stream = new EventStream({
      url: streamUrl(),
      presence,
      handlers: {
        onResync: () => {
          void queryClient.invalidateQueries();
          emitResync();
        },
        onEphemeral: (event) => emitStreamEvent(event, { ephemeral: true }),
        // Refetching who we are turns an ended session into the usual 401 → sign-in page.
        onUnauthorized: () => void queryClient.invalidateQueries({ queryKey: ['me'] }),
        onEvent: (event) => {
          const type = event.type;
          if (type.startsWith('notification.')) {
            void queryClient.invalidateQueries({ queryKey: ['notify'] });
            // `alert: false`: muted or quiet hours — update the badge, but no pop-up.
            const title = type === 'notification.created' && event.alert !== false ? notificationTitle(event) : null;
            if (title) notification.info({ title, placement: 'topRight' });
          } else if (type.startsWith('org.')) {
            void queryClient.invalidateQueries({ queryKey: ['org'] });
          }
          // Messaging and any later feature listen through streamListeners (see useImEvents).
          emitStreamEvent(event, { ephemeral: false });
        },
      },
    });

    let wasIdle = false;
    const onInput = () => {
      lastInput = Date.now();
      if (wasIdle) {
        wasIdle = false;
        stream.sendPresence('active');
      }
    };
    const onVisibility = () => {
      const status = presence();
      wasIdle = status === 'idle';
      stream.sendPresence(status);
    };
    const idleCheck = window.setInterval(() => {
      if (!wasIdle && presence() === 'idle') {
        wasIdle = true;
        stream.sendPresence('idle');
      }
    }, 60_000);
    const inputs = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    inputs.forEach((name) => window.addEventListener(name, onInput, { passive: true }));
    document.addEventListener('visibilitychange', onVisibility);
    stream.start();

    return () => {
      stream.stop();
      window.clearInterval(idleCheck);
      inputs.forEach((name) => window.removeEventListener(name, onInput));
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [enabled, queryClient, notification]);
}
