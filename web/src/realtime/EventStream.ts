/**
 * One ordered event stream per tab over one WebSocket (`/api/events`).
 *
 * The server numbers events per person. We remember the last id we processed and ask to resume
 * from it after a reconnect, so nothing is lost; anything at or below it is a replay we already
 * handled and is dropped. A fresh page load starts without an id: the page fetches its state
 * anyway, and the server's `hello` tells us where the stream stands.
 */

export interface StreamEventPayload {
  type: string;
  [key: string]: unknown;
}

export type ServerMessage =
  | { type: 'hello'; last_event_id: number }
  | { type: 'resync'; last_event_id: number }
  | { type: 'event'; id: number; event: StreamEventPayload }
  /** Not numbered, never replayed (typing…): passed on without touching lastEventId. */
  | { type: 'ephemeral'; id?: number; event: StreamEventPayload };

export type PresenceStatus = 'active' | 'idle';

export interface EventStreamHandlers {
  onEvent: (event: StreamEventPayload, id: number) => void;
  onEphemeral?: (event: StreamEventPayload) => void;
  /** Our cached state may be stale (reconnected or too far behind): refetch everything. */
  onResync: () => void;
  onStatus?: (connected: boolean) => void;
  /** The server refused the socket (close code 4401): the session has ended. */
  onUnauthorized?: () => void;
}

interface SocketLike {
  readyState: number;
  onopen: ((this: unknown, ev: Event) => unknown) | null;
  onmessage: ((this: unknown, ev: MessageEvent) => unknown) | null;
  onclose: ((this: unknown, ev: CloseEvent) => unknown) | null;
  onerror: ((this: unknown, ev: Event) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface EventStreamOptions {
  /** Base URL of the stream, e.g. ws://host/api/events. */
  url: string;
  handlers: EventStreamHandlers;
  createSocket?: (url: string) => SocketLike;
  presence?: () => PresenceStatus;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  setRepeat?: (fn: () => void, ms: number) => unknown;
  clearRepeat?: (handle: unknown) => void;
}

const OPEN = 1;
const UNAUTHORIZED_CLOSE = 4401;
export const PRESENCE_INTERVAL_MS = 30_000;
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

export function streamUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/events`;
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped at 30 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class EventStream {
  lastEventId: number | null = null;
  private socket: SocketLike | null = null;
  private attempt = 0;
  private opened = 0;
  private stopped = true;
  private reconnectTimer: unknown = null;
  private presenceTimer: unknown = null;
  private readonly opts: Required<Omit<EventStreamOptions, 'presence'>> & Pick<EventStreamOptions, 'presence'>;

  constructor(options: EventStreamOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      setRepeat: (fn, ms) => setInterval(fn, ms),
      clearRepeat: (h) => clearInterval(h as ReturnType<typeof setInterval>),
      ...options,
    };
  }

  get connected(): boolean {
    return this.socket?.readyState === OPEN;
  }

  /** The URL for the next connection, resuming from the last processed event when we have one. */
  connectUrl(): string {
    if (this.lastEventId === null) return this.opts.url;
    const sep = this.opts.url.includes('?') ? '&' : '?';
    return `${this.opts.url}${sep}last_event_id=${this.lastEventId}`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    this.presenceTimer = this.opts.setRepeat(() => this.sendPresence(), PRESENCE_INTERVAL_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer !== null) this.opts.clearTimer(this.reconnectTimer);
    if (this.presenceTimer !== null) this.opts.clearRepeat(this.presenceTimer);
    this.reconnectTimer = null;
    this.presenceTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'bye');
    }
  }

  /** Send the presence status now (on the timer, and when the tab is hidden or used again). */
  sendPresence(status?: PresenceStatus): void {
    if (!this.socket || this.socket.readyState !== OPEN) return;
    const value = status ?? this.opts.presence?.() ?? 'active';
    this.socket.send(JSON.stringify({ type: 'presence', status: value }));
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = this.opts.createSocket(this.connectUrl());
    this.socket = socket;
    socket.onopen = () => {
      this.opts.handlers.onStatus?.(true);
      this.sendPresence();
    };
    socket.onmessage = (ev: MessageEvent) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return;
      }
      this.handleMessage(message);
    };
    socket.onclose = (ev: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.opts.handlers.onStatus?.(false);
      if (ev?.code === UNAUTHORIZED_CLOSE) this.opts.handlers.onUnauthorized?.();
      // Reconnect even then: after signing in again in another tab, this one recovers by itself.
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      // onclose follows and schedules the reconnect
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.opts.random);
    this.attempt += 1;
    this.reconnectTimer = this.opts.setTimer(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'hello': {
        this.opened += 1;
        this.attempt = 0;
        const reconnected = this.opened > 1;
        if (this.lastEventId === null || message.last_event_id > this.lastEventId) {
          // Fresh start, or the server is ahead of what we asked for: take its position.
          this.lastEventId = message.last_event_id;
        }
        if (reconnected) this.opts.handlers.onResync();
        break;
      }
      case 'resync':
        this.opened += 1;
        this.attempt = 0;
        this.lastEventId = message.last_event_id;
        this.opts.handlers.onResync();
        break;
      case 'event':
        if (this.lastEventId !== null && message.id <= this.lastEventId) return;
        this.lastEventId = message.id;
        this.opts.handlers.onEvent(message.event, message.id);
        break;
      case 'ephemeral':
        if (message.event && typeof message.event.type === 'string') this.opts.handlers.onEphemeral?.(message.event);
        break;
      default:
        break;
    }
  }
}
