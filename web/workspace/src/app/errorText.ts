//! What a failure says to the user, in their language: the server's error `code` translated from
//! locales/<lang>/errors.json with its `params` (`max`, `retry_after`, `field`, ...). The server's
//! English `message` is never shown in Chinese; in English it is appended to the generic codes
//! (validation, conflict, ...), where it adds what the translation cannot know.

import { ApiError } from '../api/client';
import type { ErrorParams } from '../api/types';
import { i18n } from './i18n';

const t = (key: string, args?: Record<string, unknown>) => i18n.global.t(key, args ?? {});
const has = (key: string) => i18n.global.te(key) || i18n.global.te(key, 'en');

/** Codes whose translation cannot say everything the server's message says. */
const GENERIC = new Set(['bad_request', 'validation', 'conflict', 'forbidden', 'not_found']);

/** The translated text for an ApiError's code and params, or null when the code is unknown. */
export function translateApiError(e: ApiError): string | null {
  const p: ErrorParams = e.params ?? {};
  const field = p.field && has(`errors.fields.${p.field}`) ? t(`errors.fields.${p.field}`) : null;
  switch (e.code) {
    case 'validation':
      if (field) return t('errors.fieldInvalid', { field });
      break;
    case 'conflict':
      // A unique name or email already in use.
      if (field) return t('errors.fieldTaken', { field });
      break;
    case 'rate_limited':
      if (p.what && has(`errors.rateLimited.${p.what}`)) return t(`errors.rateLimited.${p.what}`, { ...p });
      if (p.retry_after == null) return t('errors.codes.rate_limited', { retry_after: 1 });
      break;
    case 'quota_exceeded':
      if (p.kind) return t(`errors.quota.${p.kind}`, { ...p });
      break;
    case 'payload_too_large':
      // A body over a route's limit (not an upload) has no max_mib.
      if (p.max_mib == null) return t('errors.payloadTooLarge');
      break;
    case 'too_many_connections':
      if (p.retry_after == null) return t('errors.codes.too_many_connections', { retry_after: 1 });
      break;
  }
  const key = `errors.codes.${e.code}`;
  return has(key) ? t(key, { ...p }) : null;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('common.errors.network');
    // Before the messages load (a failure at start-up), the server's words beat a bare key.
    if (!has('errors.codes.internal')) return e.message;
    const text = translateApiError(e) ?? t('errors.codes.internal');
    const english = i18n.global.locale.value === 'en';
    if (english && (GENERIC.has(e.code) || !translateApiError(e)) && e.message && e.message !== text) return `${text} (${e.message})`;
    return text;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
