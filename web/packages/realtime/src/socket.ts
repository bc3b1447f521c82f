// The one WebSocket to the Kefu server: connects, resumes every conversation from the caller's
// cursors on each (re)connect, keeps the line alive with pings and reconnects with backoff.
// It knows nothing of conversations' contents; ordering is the Sequencer's job. When the server
// says the session is over (`session.ended`, close code 4401) it stops for good: reconnecting
// with a dead token would only be refused.

import { backoffDelay } from './backoff';
import type { Cursors, ServerEvent, SocketStatus } from './types';

export const PING_INTERVAL_MS = 25_000;

/** Close code of a socket whose session ended (logout, revocation, disabling, blocking, expiry). */
export const SESSION_ENDED_CLOSE_CODE = 4401;

export interface KefuSocketOptions {
  /** Absolute ws(s) URL including `?token=`. */
  url: string;
  onEvent: (ev: ServerEvent) => void;
  onStatus?: (s: SocketStatus) => void;
  /** Read on every (re)connect: the last applied seq of each conversation to resume. */
  cursors: () => Cursors;
  /**
   * The session is over (`logged_out`, `revoked`, `disabled`, `password_changed`, `role_changed`,
   * `expired`, `blocked`): called once; the socket is closed and will not reconnect.
   */
  onSessionEnded?: (reason: string) => void;
}

export class KefuSocket {
  readonly #opts: KefuSocketOptions;
  #ws: WebSocket | null = null;
  /** Set by close(): the caller wants no more connections until connect() again. */
  #stopped = true;
  /** Consecutive failed attempts, for the backoff; reset once a connection opens. */
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  /** Whether anything arrived since the last ping; a silent interval means a dead line. */
  #heardSincePing = true;
  #status: SocketStatus = 'closed';

  constructor(opts: KefuSocketOptions) {
    this.#opts = opts;
  }

  get status(): SocketStatus {
    return this.#status;
  }

  /** Opens the connection (no-op when already connecting or open). */
  connect(): void {
    this.#stopped = false;
    if (this.#ws) return;
    this.#clearReconnect();
    this.#listenOnline(true);
    this.#open();
  }

  /** Closes for good; no reconnect until connect() is called again. */
  close(): void {
    this.#stopped = true;
    this.#clearReconnect();
    this.#listenOnline(false);
    const ws = this.#ws;
    this.#detach();
    if (ws) ws.close(1000, 'client closing');
    this.#setStatus('closed');
  }

  /** Sends one JSON frame; returns false (and drops it) when the socket is not open. */
  send(obj: unknown): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(obj));
    return true;
  }

  /** Asks the server to replay every conversation from the current cursors (e.g. after a gap). */
  resume(): boolean {
    return this.send({ type: 'resume', cursors: this.#opts.cursors() });
  }

  #open(): void {
    this.#setStatus('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#opts.url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      this.#heardSincePing = true;
      this.#setStatus('open');
      this.resume();
      this.#startPing();
    };
    ws.onmessage = (msg: MessageEvent) => {
      this.#heardSincePing = true;
      const ev = parseFrame(msg.data);
      if (!ev || ev.type === 'pong') return;
      if (ev.type === 'session.ended') {
        this.#ended(typeof ev.data?.reason === 'string' ? ev.data.reason : 'revoked');
        return;
      }
      // Frames may have been lost between the server's nodes: resume from the cursors at once
      // (conversation events come back from the database); the caller may reload the rest.
      if (ev.type === 'resync') this.resume();
      this.#opts.onEvent(ev);
    };
    // An error is always followed by close; reconnecting happens there.
    ws.onerror = () => {};
    ws.onclose = (e: CloseEvent) => {
      if (e.code === SESSION_ENDED_CLOSE_CODE) this.#ended(e.reason || 'revoked');
      else this.#lost();
    };
  }

  /** The server ended the session: close without reconnecting, and say why once. */
  #ended(reason: string): void {
    if (this.#stopped) return;
    this.close();
    this.#opts.onSessionEnded?.(reason);
  }

  /** The connection is gone (closed by the server, the network, or found silent). */
  #lost(): void {
    this.#detach();
    this.#setStatus('closed');
    if (!this.#stopped) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#clearReconnect();
    const delay = backoffDelay(this.#attempt++);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (!this.#stopped && !this.#ws) this.#open();
    }, delay);
  }

  #startPing(): void {
    this.#stopPing();
    this.#pingTimer = setInterval(() => {
      if (!this.#heardSincePing) {
        // Not even a pong for a whole interval: the TCP connection is likely dead without a
        // close frame (phone changed network). Drop it now rather than wait for the OS timeout.
        const ws = this.#ws;
        this.#lost();
        ws?.close();
        return;
      }
      this.#heardSincePing = false;
      this.send({ type: 'ping' });
    }, PING_INTERVAL_MS);
  }

  #stopPing(): void {
    if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }

  /** Forgets the current WebSocket so that its late callbacks cannot touch this object. */
  #detach(): void {
    this.#stopPing();
    const ws = this.#ws;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    this.#ws = null;
  }

  #setStatus(s: SocketStatus): void {
    if (s === this.#status) return;
    this.#status = s;
    this.#opts.onStatus?.(s);
  }

  /** When the browser comes back online, retry at once instead of waiting out the backoff. */
  readonly #onOnline = (): void => {
    if (this.#stopped || this.#ws) return;
    this.#attempt = 0;
    this.#clearReconnect();
    this.#open();
  };

  #listenOnline(on: boolean): void {
    if (typeof window === 'undefined') return;
    if (on) window.addEventListener('online', this.#onOnline);
    else window.removeEventListener('online', this.#onOnline);
  }
}

/** Parses one text frame; anything that is not a `{type: string, ...}` object is ignored. */
export function parseFrame(raw: unknown): ServerEvent | null {
  if (typeof raw !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || typeof (v as { type?: unknown }).type !== 'string') {
    return null;
  }
  return v as ServerEvent;
}
