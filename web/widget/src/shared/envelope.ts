// The postMessage protocol between the host page's loader and the chat frame. Every message is a
// versioned envelope `{kefu: 1, type, ...}` validated field by field; anything else is ignored.
// Origins are checked by the callers (the loader knows the widget origin, the frame the host's).

export const KEFU_ENVELOPE = 1;

/** Host page (loader) -> frame. */
export type HostMessage =
  /** Answer to `ready`: who the visitor is (identity token from the host site) and whether the panel shows. */
  | { kefu: 1; type: 'init'; identity_token: string | null; open: boolean }
  /** `KefuWidget.setIdentity(token)`; null signs the known customer out. */
  | { kefu: 1; type: 'identity'; identity_token: string | null }
  /** The panel was opened or closed: the frame sends read receipts only while it is seen. */
  | { kefu: 1; type: 'visibility'; open: boolean };

/** Frame -> host page (loader). */
export type FrameMessage =
  | { kefu: 1; type: 'ready' }
  | { kefu: 1; type: 'close' }
  /** Agent messages not yet seen, for the launcher's badge. */
  | { kefu: 1; type: 'unread'; count: number };

type Obj = Record<string, unknown>;

function envelope(data: unknown): Obj | null {
  if (typeof data !== 'object' || data === null) return null;
  const o = data as Obj;
  return o.kefu === KEFU_ENVELOPE && typeof o.type === 'string' ? o : null;
}

const tokenOrNull = (v: unknown): v is string | null => v === null || (typeof v === 'string' && v.length > 0);

export function parseHostMessage(data: unknown): HostMessage | null {
  const o = envelope(data);
  if (!o) return null;
  switch (o.type) {
    case 'init':
      return tokenOrNull(o.identity_token) && typeof o.open === 'boolean'
        ? { kefu: 1, type: 'init', identity_token: o.identity_token, open: o.open }
        : null;
    case 'identity':
      return tokenOrNull(o.identity_token) ? { kefu: 1, type: 'identity', identity_token: o.identity_token } : null;
    case 'visibility':
      return typeof o.open === 'boolean' ? { kefu: 1, type: 'visibility', open: o.open } : null;
    default:
      return null;
  }
}

export function parseFrameMessage(data: unknown): FrameMessage | null {
  const o = envelope(data);
  if (!o) return null;
  switch (o.type) {
    case 'ready':
    case 'close':
      return { kefu: 1, type: o.type };
    case 'unread':
      return Number.isInteger(o.count) && (o.count as number) >= 0
        ? { kefu: 1, type: 'unread', count: o.count as number }
        : null;
    default:
      return null;
  }
}
