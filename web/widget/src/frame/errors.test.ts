import { describe, expect, it, vi } from 'vitest';
import { translator } from '../i18n';
import { ApiError } from './api';
import { BY_CODE, errorText, isIdentityError, isPermanentError, widgetConfigError } from './errors';
import { httpOrigin } from './embed';
import type { ErrorParams } from './api';
// The server's document, read as text: the list of codes to walk, also where types are not checked.
import openapi from '../../../../docs/openapi.json?raw';

describe('errorText', () => {
  const t = translator('zh-CN');
  it('explains identity problems clearly', () => {
    expect(errorText(t, new ApiError(401, 'invalid_identity_token', 'bad signature'))).toBe(t('errorIdentityInvalid'));
    expect(errorText(t, new ApiError(401, 'identity_token_expired', 'exp'))).toBe(t('errorIdentityExpired'));
    expect(isIdentityError(new ApiError(401, 'identity_token_expired', ''))).toBe(true);
    expect(isIdentityError(new ApiError(0, 'network', ''))).toBe(false);
  });
  it('maps upload and network errors, and never shows a raw server message', () => {
    expect(errorText(t, new ApiError(413, 'payload_too_large', 'x', { max_mib: 10 }))).toBe('文件不能超过 10 MB。');
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

describe('every server error code', () => {
  const doc = JSON.parse(openapi);
  const codes: string[] = doc.components.schemas.ErrorCode.enum;
  const sample: ErrorParams = { max: 5000, retry_after: 7, max_mib: 10, limit: 20, kind: 'files_per_conversation' };

  it('has a text in zh-CN and en (the list is the one in docs/openapi.json)', () => {
    expect(codes.filter((c) => !(c in BY_CODE))).toEqual([]);
    for (const locale of ['zh-CN', 'en'] as const) {
      const t = translator(locale);
      for (const code of codes) {
        const text = errorText(t, new ApiError(400, code, 'the server says so in English', sample));
        expect(text.trim(), `${locale} ${code}`).not.toBe('');
        expect(text, `${locale} ${code}`).not.toMatch(/[{}]|the server says/);
        if (locale === 'zh-CN') expect(text, code).not.toMatch(/[A-Za-z]{3,}\s+[A-Za-z]{2,}/);
      }
    }
  });

  it('fills in what the visitor needs to know', () => {
    const t = translator('zh-CN');
    expect(errorText(t, new ApiError(422, 'message_too_long', 'body: at most 5000 characters', { max: 5000 }))).toBe('消息不能超过 5000 个字符。');
    expect(errorText(t, new ApiError(429, 'rate_limited', 'too many messages', { what: 'messages', retry_after: 7 }))).toBe('操作太频繁，请 7 秒后再试。');
    expect(errorText(t, new ApiError(403, 'quota_exceeded', 'x', { kind: 'files_per_conversation', limit: 20 }))).toBe('本次会话最多可发送 20 个文件。');
    expect(errorText(t, new ApiError(403, 'quota_exceeded', 'x', { kind: 'bytes_per_conversation', limit: 50 }))).toContain('50 MB');
    expect(errorText(t, new ApiError(403, 'quota_exceeded', 'x', { kind: 'organisation_storage' }))).toContain('存储空间已满');
    const en = translator('en');
    expect(errorText(en, new ApiError(429, 'rate_limited', 'x', { retry_after: 3 }))).toContain('3 s');
  });
});
