import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, EventStream, streamUrl, type ServerMessage } from './EventStream';

class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  onclose: ((ev: CloseEvent) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  constructor(public url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(message: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

function setup(extra: { onEphemeral?: (event: unknown) => void } = {}) {
  FakeSocket.instances = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const repeats: { fn: () => void; ms: number }[] = [];
  const onEvent = vi.fn();
  const onResync = vi.fn();
  const onUnauthorized = vi.fn();
  const stream = new EventStream({
    url: 'ws://example.test/api/events',
    handlers: { onEvent, onResync, onUnauthorized, ...extra },
    createSocket: (url) => new FakeSocket(url),
    random: () => 0.5,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
    setRepeat: (fn, ms) => repeats.push({ fn, ms }),
    clearRepeat: () => {},
    presence: () => 'active',
  });
  const socket = () => FakeSocket.instances[FakeSocket.instances.length - 1];
  return { stream, timers, repeats, onEvent, onResync, onUnauthorized, socket };
}

describe('EventStream', () => {
  it('connects without last_event_id on a fresh load and takes the position from hello', () => {
    const { stream, socket, onResync } = setup();
    stream.start();
    expect(socket().url).toBe('ws://example.test/api/events');
    socket().open();
    socket().receive({ type: 'hello', last_event_id: 41 });
    expect(stream.lastEventId).toBe(41);
    expect(onResync).not.toHaveBeenCalled();
  });

  it('delivers events in order and ignores ids at or below the last processed one', () => {
    const { stream, socket, onEvent } = setup();
    stream.start();
    socket().open();
    socket().receive({ type: 'hello', last_event_id: 10 });
    socket().receive({ type: 'event', id: 9, event: { type: 'org.person.updated' } });
    socket().receive({ type: 'event', id: 10, event: { type: 'org.person.updated' } });
    socket().receive({ type: 'event', id: 11, event: { type: 'notification.created', title: 'a' } });
    socket().receive({ type: 'event', id: 11, event: { type: 'notification.created', title: 'a' } });
    socket().receive({ type: 'event', id: 12, event: { type: 'notification.read' } });
    expect(onEvent.mock.calls.map((c) => c[1])).toEqual([11, 12]);
    expect(stream.lastEventId).toBe(12);
  });

  it('resumes from the last processed id after a drop and refetches on hello', () => {
    const { stream, socket, timers, onEvent, onResync } = setup();
    stream.start();
    socket().open();
    socket().receive({ type: 'hello', last_event_id: 5 });
    socket().receive({ type: 'event', id: 6, event: { type: 'org.department.created' } });
    socket().drop();

    expect(timers).toHaveLength(1);
    timers[0].fn();
    expect(socket().url).toBe('ws://example.test/api/events?last_event_id=6');
    socket().open();
    socket().receive({ type: 'hello', last_event_id: 6 });
    expect(onResync).toHaveBeenCalledTimes(1);
    // The server replays from 7; a duplicate 6 is dropped.
    socket().receive({ type: 'event', id: 6, event: { type: 'org.department.created' } });
    socket().receive({ type: 'event', id: 7, event: { type: 'org.department.updated' } });
    expect(onEvent.mock.calls.map((c) => c[1])).toEqual([6, 7]);
  });

  it('takes the server position on resync and asks for a full refetch', () => {
    const { stream, socket, onResync } = setup();
    stream.start();
    socket().open();
    socket().receive({ type: 'hello', last_event_id: 3 });
    socket().receive({ type: 'resync', last_event_id: 900 });
    expect(stream.lastEventId).toBe(900);
    expect(onResync).toHaveBeenCalledTimes(1);
  });

  it('backs off exponentially up to 30 s and resets after a successful hello', () => {
    const { stream, socket, timers } = setup();
    stream.start();
    for (let i = 0; i < 7; i += 1) {
      socket().drop();
      timers[timers.length - 1].fn();
    }
    // random() = 0.5 → three quarters of the ceiling
    expect(timers.map((t) => t.ms)).toEqual([750, 1500, 3000, 6000, 12000, 22500, 22500]);
    socket().open();
    socket().receive({ type: 'hello', last_event_id: 0 });
    socket().drop();
    expect(timers[timers.length - 1].ms).toBe(750);
  });

  it('sends presence on open and on the 30 s timer, and stops cleanly', () => {
    const { stream, socket, repeats, timers } = setup();
    stream.start();
    socket().open();
    expect(JSON.parse(socket().sent[0])).toEqual({ type: 'presence', status: 'active' });
    expect(repeats[0].ms).toBe(30_000);
    repeats[0].fn();
    stream.sendPresence('idle');
    expect(socket().sent.map((s) => JSON.parse(s).status)).toEqual(['active', 'active', 'idle']);
    stream.stop();
    expect(timers).toHaveLength(0);
  });
});

describe('EventStream session end', () => {
  it('reports a 4401 close and keeps retrying with backoff', () => {
    const { stream, socket, timers, onUnauthorized } = setup();
    stream.start();
    socket().drop(4401);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(timers).toHaveLength(1);
  });
});

describe('helpers', () => {
  it('builds ws and wss URLs from the page location', () => {
    expect(streamUrl({ protocol: 'http:', host: 'a:5173' })).toBe('ws://a:5173/api/events');
    expect(streamUrl({ protocol: 'https:', host: 'oa.example.cn' })).toBe('wss://oa.example.cn/api/events');
  });

  it('keeps backoff within [ceiling/2, ceiling]', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(10, () => 1)).toBe(30000);
    expect(backoffDelay(10, () => 0)).toBe(15000);
  });
});

describe('EventStream ephemeral messages', () => {
  it('passes ephemeral events on without moving the last event id', () => {
    const onEphemeral = vi.fn();
    const { stream, socket, onEvent } = setup({ onEphemeral });
    stream.start();
    socket().open();
    socket().receive({ type: 'hello', last_event_id: 4 });
    socket().receive({ type: 'ephemeral', event: { type: 'im.typing', conversation_id: 1 } });
    socket().receive({ type: 'ephemeral', id: 2, event: { type: 'im.typing', conversation_id: 1 } });
    expect(onEphemeral).toHaveBeenCalledTimes(2);
    expect(onEvent).not.toHaveBeenCalled();
    expect(stream.lastEventId).toBe(4);
  });
});
