// Who the visitor is. The visitor token lives in the frame origin's localStorage (never in the
// host page); an identity token from the host site makes the visitor the known customer.

import { ApiError, type Api } from './api';
import type { Visitor } from './types';

const TOKEN_KEY = 'kefu.visitor.token';

/** localStorage that degrades to memory when the browser refuses storage to a third-party frame. */
export const store = (() => {
  const memory = new Map<string, string>();
  return {
    get(key: string): string | null {
      try {
        return localStorage.getItem(key);
      } catch {
        return memory.get(key) ?? null;
      }
    },
    set(key: string, value: string): void {
      try {
        localStorage.setItem(key, value);
      } catch {
        memory.set(key, value);
      }
    },
    remove(key: string): void {
      try {
        localStorage.removeItem(key);
      } catch {
        memory.delete(key);
      }
    },
  };
})();

/**
 * The `sub` claim of a JWT, read without verifying it (the server verifies; we only compare it
 * with the stored visitor's external id to know whether a new identity arrived).
 */
export function jwtSubject(token: string): string | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' || typeof sub === 'number' ? String(sub) : null;
  } catch {
    return null;
  }
}

/** Whether the stored visitor can be kept for this identity (null = the host gave none). */
export function visitorMatches(v: Visitor, identityToken: string | null): boolean {
  if (identityToken === null) return true;
  return v.external_id !== null && v.external_id === jwtSubject(identityToken);
}

/**
 * Where the frame runs: its widget (`data-widget`) and the origin of the host page (null when not
 * embedded by the loader). A widget that lists allowed origins takes only identity tokens whose
 * `aud` names the host page's origin, so both go along with a token.
 */
export interface Placement {
  widget: string;
  hostOrigin: string | null;
}

/**
 * Returns the current visitor, creating one when there is no usable stored token or when the host
 * identifies a different customer. Errors (including `invalid_identity_token`) propagate.
 */
export async function ensureVisitor(api: Api, identityToken: string | null, locale: string, placement: Placement): Promise<Visitor> {
  const stored = store.get(TOKEN_KEY);
  if (stored) {
    api.token = stored;
    try {
      const me = await api.me();
      if (visitorMatches(me, identityToken)) return me;
    } catch (e) {
      // A revoked or unknown token means "new visitor"; anything else (network) is a real error.
      if (!(e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404))) throw e;
    }
  }
  return createVisitor(api, identityToken, locale, placement);
}

export async function createVisitor(api: Api, identityToken: string | null, locale: string, placement: Placement): Promise<Visitor> {
  api.token = null;
  const res = await api.createVisitor(
    identityToken
      ? { locale, identity_token: identityToken, widget: placement.widget, origin: placement.hostOrigin }
      : { locale },
  );
  store.set(TOKEN_KEY, res.token);
  api.token = res.token;
  return res.visitor;
}

/**
 * Forgets the stored visitor (the host signed its customer out, or another customer signed in):
 * the token is ended on the server too, so a copy of it left in this browser opens nothing.
 */
export function forgetVisitor(api: Api): void {
  if (api.token) {
    // Best effort: a token the server cannot end now (offline) is forgotten here all the same.
    api.logout().catch(() => undefined);
  }
  store.remove(TOKEN_KEY);
  store.remove('kefu.prechat.name');
  api.token = null;
}
