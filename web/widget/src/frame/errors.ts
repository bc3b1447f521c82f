// Server error codes -> what the visitor reads.

import type { FrameKey, Translate } from '../i18n';
import { ApiError } from './api';

const BY_CODE: Record<string, FrameKey> = {
  network: 'errorNetwork',
  invalid_identity_token: 'errorIdentityInvalid',
  identity_token_expired: 'errorIdentityExpired',
  rate_limited: 'errorRateLimited',
  payload_too_large: 'errorFileTooLarge',
  quota_exceeded: 'errorFileQuota',
  unsupported_media_type: 'errorFileType',
  widget_unknown: 'errorWidgetUnknown',
};

export function errorText(t: Translate, e: unknown): string {
  const key = e instanceof ApiError ? BY_CODE[e.code] : undefined;
  return t(key ?? 'errorGeneric');
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
