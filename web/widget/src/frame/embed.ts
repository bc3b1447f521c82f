// The frame's side of the postMessage channel with the loader on the host page. The loader puts
// the host's origin in our URL (`host=`); we post only to it and accept only messages from our
// parent window with that origin. A frame opened directly (or embedded by a plain <iframe>) has no
// channel and behaves as a standalone, always visible chat.

import { parseHostMessage, type FrameMessage, type HostMessage } from '../shared/envelope';

export class HostChannel {
  readonly hostOrigin: string | null;
  #handlers: Array<(m: HostMessage) => void> = [];

  constructor(params: URLSearchParams, win: Window = window) {
    this.hostOrigin = params.get('embed') === '1' && win.parent !== win ? httpOrigin(params.get('host')) : null;
    if (!this.hostOrigin) return;
    win.addEventListener('message', (e: MessageEvent) => {
      if (e.source !== win.parent || e.origin !== this.hostOrigin) return;
      const m = parseHostMessage(e.data);
      if (m) for (const h of this.#handlers) h(m);
    });
  }

  get embedded(): boolean {
    return this.hostOrigin !== null;
  }

  post(msg: FrameMessage): void {
    if (this.hostOrigin) window.parent.postMessage(msg, this.hostOrigin);
  }

  onMessage(handler: (m: HostMessage) => void): void {
    this.#handlers.push(handler);
  }

  /** Announces `ready` and waits for the loader's `init` (null after `timeoutMs` or when standalone). */
  init(timeoutMs: number): Promise<Extract<HostMessage, { type: 'init' }> | null> {
    if (!this.hostOrigin) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      this.onMessage((m) => {
        if (m.type !== 'init') return;
        clearTimeout(timer);
        resolve(m);
      });
      this.post({ kefu: 1, type: 'ready' });
    });
  }
}

/** `https://shop.example` from the URL parameter, or null unless it is exactly an http(s) origin. */
export function httpOrigin(value: string | null): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value ? u.origin : null;
  } catch {
    return null;
  }
}
