// Server error codes -> what the visitor reads.

import type { FrameKey, Translate } from '../i18n';
import { ApiError } from './api';

const BY_CODE: Record<string, FrameKey> = {
  network: 'errorNetwork',
  invalid_identity_token: 'errorIdentityInvalid',
  identity_token_expired: 'errorIdentityExpired',
  rate_limited: 'errorRateLimited',
  payload_too_large: 'errorFileTooLarge',
  unsupported_media_type: 'errorFileType',
};

export function errorText(t: Translate, e: unknown): string {
  const key = e instanceof ApiError ? BY_CODE[e.code] : undefined;
  return t(key ?? 'errorGeneric');
}

/** Identity problems cannot be fixed by retrying: the host site must issue a new token. */
export function isIdentityError(e: unknown): boolean {
  return e instanceof ApiError && (e.code === 'invalid_identity_token' || e.code === 'identity_token_expired');
}
