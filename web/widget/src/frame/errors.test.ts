import { describe, expect, it, vi } from 'vitest';
import { translator } from '../i18n';
import { ApiError } from './api';
import { errorText, isIdentityError, isPermanentError, widgetConfigError } from './errors';
import { httpOrigin } from './embed';

describe('errorText', () => {
  const t = translator('zh-CN');
  it('explains identity problems clearly', () => {
    expect(errorText(t, new ApiError(401, 'invalid_identity_token', 'bad signature'))).toBe(t('errorIdentityInvalid'));
    expect(errorText(t, new ApiError(401, 'identity_token_expired', 'exp'))).toBe(t('errorIdentityExpired'));
    expect(isIdentityError(new ApiError(401, 'identity_token_expired', ''))).toBe(true);
    expect(isIdentityError(new ApiError(0, 'network', ''))).toBe(false);
  });
  it('maps upload and network errors, and never shows a raw server message', () => {
    expect(errorText(t, new ApiError(413, 'payload_too_large', 'x'))).toBe(t('errorFileTooLarge'));
    expect(errorText(t, new ApiError(403, 'quota_exceeded', 'x'))).toBe(t('errorFileQuota'));
    expect(errorText(t, new ApiError(415, 'unsupported_media_type', 'x'))).toBe(t('errorFileType'));
    expect(errorText(t, new ApiError(0, 'network', 'x'))).toBe(t('errorNetwork'));
    expect(errorText(t, new ApiError(500, 'internal', 'stack trace'))).toBe(t('errorGeneric'));
    expect(errorText(t, new TypeError('boom'))).toBe(t('errorGeneric'));
  });
});

describe('widgetConfigError', () => {
  const t = translator('en');
  it('turns an unknown or malformed widget name into a permanent, explained error', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const status of [404, 422]) {
      const e = widgetConfigError(new ApiError(status, status === 404 ? 'not_found' : 'validation', 'widget not found'), 'shop');
      expect(e).toMatchObject({ code: 'widget_unknown', status });
      expect(isPermanentError(e)).toBe(true);
      expect(errorText(t, e)).toBe(t('errorWidgetUnknown'));
    }
    expect(log.mock.calls[0]?.[0]).toContain('"shop"');
  });
  it('leaves other failures retryable', () => {
    const net = new ApiError(0, 'network', 'offline');
    expect(widgetConfigError(net, 'shop')).toBe(net);
    expect(isPermanentError(net)).toBe(false);
  });
});

describe('httpOrigin', () => {
  it('accepts exactly an http(s) origin', () => {
    expect(httpOrigin('https://shop.example')).toBe('https://shop.example');
    expect(httpOrigin('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(httpOrigin('https://shop.example/path')).toBeNull();
    expect(httpOrigin('null')).toBeNull();
    expect(httpOrigin('javascript:alert(1)')).toBeNull();
    expect(httpOrigin(null)).toBeNull();
  });
});
