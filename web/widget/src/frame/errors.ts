// Server error codes -> what the visitor reads, with the error's params filled in. Every code the
// server can answer has an entry (the type says so); codes only staff meet read as the generic text.

import type { ErrorCode } from '@kefu/api';
import type { FrameKey, Translate } from '../i18n';
import { ApiError } from './api';

/** The widget's own codes: no answer at all, and a `data-widget` nobody configured. */
type WidgetCode = 'network' | 'widget_unknown';

export const BY_CODE = {
  network: 'errorNetwork',
  widget_unknown: 'errorWidgetUnknown',
  invalid_identity_token: 'errorIdentityInvalid',
  identity_token_expired: 'errorIdentityExpired',
  rate_limited: 'errorRateLimitedFor',
  too_many_connections: 'errorTooManyWindows',
  payload_too_large: 'errorFileTooLarge',
  quota_exceeded: 'errorFileQuota',
  unsupported_media_type: 'errorFileType',
  message_too_long: 'errorMessageTooLong',
  visitor_blocked: 'errorBlocked',
  already_closed: 'errorClosed',
  call_open: 'errorCallState',
  no_call: 'errorCallState',
  not_assigned: 'errorCallState',
  // Malformed requests, staff-only refusals and server trouble: nothing the visitor can act on.
  bad_request: 'errorGeneric',
  invalid_json: 'errorGeneric',
  malformed_multipart: 'errorGeneric',
  validation: 'errorGeneric',
  unauthorized: 'errorGeneric',
  invalid_credentials: 'errorGeneric',
  forbidden: 'errorGeneric',
  password_change_required: 'errorGeneric',
  not_found: 'errorGeneric',
  method_not_allowed: 'errorGeneric',
  conflict: 'errorGeneric',
  agent_unavailable: 'errorGeneric',
  not_offered: 'errorGeneric',
  group_in_use: 'errorGeneric',
  agent_in_use: 'errorGeneric',
  headers_too_large: 'errorGeneric',
  uri_too_long: 'errorGeneric',
  not_ready: 'errorGeneric',
  internal: 'errorGeneric',
} as const satisfies Record<ErrorCode | WidgetCode, FrameKey>;

const QUOTA: Record<string, FrameKey> = {
  files_per_conversation: 'errorFileQuotaCount',
  bytes_per_conversation: 'errorFileQuotaBytes',
  organisation_storage: 'errorFileQuotaStorage',
};

function keyFor(e: ApiError): FrameKey {
  const p = e.params;
  if (e.code === 'quota_exceeded' && p.kind) return QUOTA[p.kind] ?? 'errorFileQuota';
  if (e.code === 'rate_limited' && p.retry_after == null) return 'errorRateLimited';
  if (e.code === 'payload_too_large' && p.max_mib == null) return 'errorGeneric';
  if (e.code === 'message_too_long' && p.max == null) return 'errorGeneric';
  return (BY_CODE as Record<string, FrameKey>)[e.code] ?? 'errorGeneric';
}

export function errorText(t: Translate, e: unknown): string {
  if (!(e instanceof ApiError)) return t('errorGeneric');
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(e.params)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
  return t(keyFor(e), params);
}

/** Identity problems cannot be fixed by retrying: the host site must issue a new token. */
export function isIdentityError(e: unknown): boolean {
  return e instanceof ApiError && (e.code === 'invalid_identity_token' || e.code === 'identity_token_expired');
}

/** Problems only the host site can fix (a new identity token, another `data-widget`): no retry. */
export function isPermanentError(e: unknown): boolean {
  return isIdentityError(e) || (e instanceof ApiError && e.code === 'widget_unknown');
}

/**
 * A failed GET /widget/config: the server answers 404 for a widget nobody configured and 422 for
 * a name it cannot hold. Both are the integrator's mistake, so the console says which name.
 */
export function widgetConfigError(e: unknown, widget: string): unknown {
  if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 422)) return e;
  console.error(`[kefu] no widget named "${widget}" (data-widget): ${e.message}. Create it under Administration > Widgets.`);
  return new ApiError(e.status, 'widget_unknown', e.message);
}
