import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KefuSocket, PING_INTERVAL_MS, parseFrame } from './socket';
import type { ServerEvent, SocketStatus } from './types';

/** A WebSocket stand-in driven by the test. */
class FakeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeWebSocket[] = [];

  readyState = FakeWebSocket.CONNECTING;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;

  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeWebSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = FakeWebSocket.CLOSED;
  }
  // Test controls
  serverOpen() {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.();
  }
  serverSend(obj: unknown) {
    this.onmessage?.({ data: JSON.stringify(obj) });
  }
  serverClose(code = 1006, reason = '') {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code, reason });
  }
}

const last = () => FakeWebSocket.all[FakeWebSocket.all.length - 1]!;

function setup(cursors: Record<string, number> = { '7': 3 }) {
  const events: ServerEvent[] = [];
  const statuses: SocketStatus[] = [];
  const ended: string[] = [];
  const socket = new KefuSocket({
    url: 'ws://127.0.0.1/api/v1/ws?token=t',
    onEvent: (e) => events.push(e),
    onStatus: (s) => statuses.push(s),
    cursors: () => cursors,
    onSessionEnded: (reason) => ended.push(reason),
  });
  return { socket, events, statuses, ended };
}

beforeEach(() => {
  FakeWebSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', FakeWebSocket);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('KefuSocket', () => {
  it('stops for good when the server ends the session, and says why once', () => {
    const { socket, events, ended, statuses } = setup();
    socket.connect();
    last().serverOpen();
    last().serverSend({ type: 'session.ended', data: { reason: 'disabled' } });
    last().serverClose(4401, 'disabled');
    expect(ended).toEqual(['disabled']);
    expect(events).toEqual([]);
    expect(statuses[statuses.length - 1]).toBe('closed');
    vi.advanceTimersByTime(120_000);
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('treats a 4401 close without the frame as the end of the session too', () => {
    const { socket, ended } = setup();
    socket.connect();
    last().serverOpen();
    last().serverClose(4401, 'logged_out');
    expect(ended).toEqual(['logged_out']);
    vi.advanceTimersByTime(120_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    socket.connect();
    expect(FakeWebSocket.all).toHaveLength(2);
    socket.close();
  });

  it('sends resume with the current cursors as soon as it opens', () => {
    const { socket, statuses } = setup();
    socket.connect();
    expect(last().url).toBe('ws://127.0.0.1/api/v1/ws?token=t');
    last().serverOpen();
    expect(last().sent).toEqual([{ type: 'resume', cursors: { '7': 3 } }]);
    expect(statuses).toEqual(['connecting', 'open']);
    socket.close();
  });

  it('resumes with the current cursors when the server says frames may have been lost', () => {
    const cursors = { '7': 3 };
    const { socket, events } = setup(cursors);
    socket.connect();
    last().serverOpen();
    cursors['7'] = 8;
    last().serverSend({ type: 'resync', data: { reason: 'bus_reconnected' } });
    expect(last().sent).toEqual([
      { type: 'resume', cursors: { '7': 3 } },
      { type: 'resume', cursors: { '7': 8 } },
    ]);
    expect(events.map((e) => e.type)).toEqual(['resync']);
    socket.close();
  });

  it('delivers events but swallows pongs and junk', () => {
    const { socket, events } = setup();
    socket.connect();
    last().serverOpen();
    last().serverSend({ type: 'hello', data: {} });
    last().serverSend({ type: 'pong' });
    last().onmessage?.({ data: 'not json' });
    last().serverSend({ type: 'message.created', conversation_id: 7, seq: 4, data: { id: 1 } });
    expect(events.map((e) => e.type)).toEqual(['hello', 'message.created']);
    socket.close();
  });

  it('reconnects with growing delays and resumes again, reading fresh cursors', () => {
    const cursors: Record<string, number> = { '7': 3 };
    const { socket, statuses } = setup(cursors);
    socket.connect();
    last().serverOpen();
    last().serverClose();
    expect(statuses.at(-1)).toBe('closed');
    expect(FakeWebSocket.all).toHaveLength(1);

    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.all).toHaveLength(2);
    last().serverClose(); // failed before opening
    vi.advanceTimersByTime(499);
    expect(FakeWebSocket.all).toHaveLength(2); // second retry waits at least 0.5 s (1 s ceiling)
    vi.advanceTimersByTime(501);
    expect(FakeWebSocket.all).toHaveLength(3);

    cursors['7'] = 9;
    last().serverOpen();
    expect(last().sent).toEqual([{ type: 'resume', cursors: { '7': 9 } }]);
    socket.close();
  });

  it('resets the backoff once a connection opens', () => {
    const { socket } = setup();
    socket.connect();
    for (let i = 0; i < 5; i++) {
      last().serverClose();
      vi.advanceTimersByTime(15_000);
    }
    last().serverOpen();
    last().serverClose();
    const before = FakeWebSocket.all.length;
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.all.length).toBe(before + 1);
    socket.close();
  });

  it('pings every 25 s and drops a line that stays silent', () => {
    const { socket } = setup();
    socket.connect();
    const ws = last();
    ws.serverOpen();
    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(ws.sent.at(-1)).toEqual({ type: 'ping' });
    ws.serverSend({ type: 'pong' });
    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(ws.sent.filter((f) => (f as { type: string }).type === 'ping')).toHaveLength(2);
    // No pong this time: the next tick gives up on this connection and reconnects.
    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(ws.readyState).toBe(FakeWebSocket.CLOSED);
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.all).toHaveLength(2);
    socket.close();
  });

  it('does not reconnect after close()', () => {
    const { socket, statuses } = setup();
    socket.connect();
    last().serverOpen();
    socket.close();
    expect(statuses.at(-1)).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(socket.send({ type: 'ping' })).toBe(false);
  });

  it('connect() twice keeps one connection', () => {
    const { socket } = setup();
    socket.connect();
    socket.connect();
    expect(FakeWebSocket.all).toHaveLength(1);
    socket.close();
  });

  it('resume() sends the cursors on demand', () => {
    const { socket } = setup({ '1': 2, '5': 0 });
    socket.connect();
    last().serverOpen();
    expect(socket.resume()).toBe(true);
    expect(last().sent).toEqual([
      { type: 'resume', cursors: { '1': 2, '5': 0 } },
      { type: 'resume', cursors: { '1': 2, '5': 0 } },
    ]);
    socket.close();
  });
});

describe('parseFrame', () => {
  it('accepts objects with a string type only', () => {
    expect(parseFrame('{"type":"hello","data":{}}')).toEqual({ type: 'hello', data: {} });
    expect(parseFrame('[1]')).toBeNull();
    expect(parseFrame('null')).toBeNull();
    expect(parseFrame('{"type":3}')).toBeNull();
    expect(parseFrame(new ArrayBuffer(2))).toBeNull();
  });
});
