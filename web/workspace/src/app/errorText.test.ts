// The check behind "every message in the user's language": every error code the server can answer
// (the ErrorCode union generated from its OpenAPI document) has a text in zh-CN and en, and the
// server's English message never reaches the Chinese UI.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { ErrorCode, ErrorParams } from '../api/types';
import zhErrors from '../locales/zh-CN/errors.json';
import enErrors from '../locales/en/errors.json';
import { errorText } from './errorText';
import { loadFeatures, setLocale } from './i18n';

/** Every code, typed so a code added on the server fails `vue-tsc` until it is listed here. */
const EVERY_CODE = {
  bad_request: true,
  invalid_json: true,
  malformed_multipart: true,
  invalid_identity_token: true,
  identity_token_expired: true,
  validation: true,
  message_too_long: true,
  unauthorized: true,
  invalid_credentials: true,
  forbidden: true,
  password_change_required: true,
  visitor_blocked: true,
  not_found: true,
  method_not_allowed: true,
  conflict: true,
  agent_unavailable: true,
  not_offered: true,
  call_open: true,
  no_call: true,
  not_assigned: true,
  group_in_use: true,
  agent_in_use: true,
  already_closed: true,
  rate_limited: true,
  too_many_connections: true,
  quota_exceeded: true,
  payload_too_large: true,
  unsupported_media_type: true,
  headers_too_large: true,
  uri_too_long: true,
  not_ready: true,
  internal: true,
} as const satisfies Record<ErrorCode, true>;
const CODES = Object.keys(EVERY_CODE) as ErrorCode[];

/** Quota kinds and rate-limit names: the same rule for the params the UI words. */
const QUOTA_KINDS = {
  files_per_conversation: true,
  bytes_per_conversation: true,
  organisation_storage: true,
} as const satisfies Record<NonNullable<ErrorParams['kind']>, true>;

const ENGLISH_SENTENCE = /[A-Za-z]{3,}\s+[A-Za-z]{2,}/;

describe('error codes', () => {
  it('the list is the one in docs/openapi.json (checked also where types are not)', () => {
    const doc = JSON.parse(readFileSync(resolve(__dirname, '../../../../docs/openapi.json'), 'utf8'));
    expect([...CODES].sort()).toEqual([...doc.components.schemas.ErrorCode.enum].sort());
  });

  it.each([
    ['zh-CN', zhErrors],
    ['en', enErrors],
  ] as const)('%s has a text for every code and quota kind', (_, tree) => {
    const codes = tree.codes as Record<string, string>;
    expect(CODES.filter((c) => !codes[c]?.trim())).toEqual([]);
    const quota = tree.quota as Record<string, string>;
    expect(Object.keys(QUOTA_KINDS).filter((k) => !quota[k]?.trim())).toEqual([]);
  });

  it('zh-CN texts are Chinese (no English sentence left untranslated)', () => {
    for (const text of Object.values(zhErrors.codes)) expect(text).not.toMatch(ENGLISH_SENTENCE);
  });
});

describe('errorText', () => {
  beforeAll(async () => {
    await setLocale('zh-CN');
    await loadFeatures(['common', 'errors']);
  });
  afterAll(async () => {
    await setLocale('en');
  });

  const err = (status: number, code: string, message: string, params: ErrorParams = {}) =>
    new ApiError(status, code, message, params);

  it('says every code in Chinese without the server message', () => {
    for (const code of CODES) {
      const message = `the server says something in English about ${code}`;
      const text = errorText(err(400, code, message, { max: 5000, retry_after: 7, max_mib: 10 }));
      expect(text, code).not.toContain('the server says');
      expect(text, code).not.toMatch(ENGLISH_SENTENCE);
    }
  });

  it('fills in the params', () => {
    expect(errorText(err(401, 'invalid_credentials', 'wrong email or password'))).toBe('邮箱或密码错误。');
    expect(errorText(err(422, 'message_too_long', 'body: at most 5000 characters', { max: 5000 }))).toContain('5000');
    expect(errorText(err(429, 'rate_limited', 'too many messages', { what: 'messages', retry_after: 7 }))).toContain('7 秒');
    expect(errorText(err(429, 'rate_limited', 'too many failed logins', { what: 'failed_logins', retry_after: 3 }))).toContain('登录失败');
    expect(errorText(err(413, 'payload_too_large', 'file: larger than 10 MiB', { max_mib: 10 }))).toContain('10 MB');
    expect(errorText(err(403, 'quota_exceeded', 'x', { kind: 'files_per_conversation', limit: 20 }))).toContain('20 个文件');
    expect(errorText(err(409, 'agent_unavailable', 'agent 4 is not ready'))).toBe('该坐席当前不能接收转接（未就绪或已满）。');
    expect(errorText(err(422, 'validation', 'name: 1 to 64 characters', { field: 'name' }))).toContain('名称');
    expect(errorText(err(409, 'conflict', 'a user with this email already exists', { field: 'email' }))).toBe('「邮箱」已被使用，请换一个。');
  });

  it('falls back to the generic text for an unnamed field or an unknown code', () => {
    expect(errorText(err(422, 'validation', 'give exactly one of agent_id or group_id'))).toBe('输入有误，请检查后重试。');
    expect(errorText(err(422, 'validation', 'x: y', { field: 'no_such_field' }))).toBe('输入有误，请检查后重试。');
    expect(errorText(err(502, 'http_502', 'Bad Gateway'))).toBe('服务器出错，请稍后再试。');
  });

  it('in English appends the server message to generic codes only', async () => {
    await setLocale('en');
    expect(errorText(err(409, 'conflict', 'a skill group with this name already exists'))).toContain('already exists');
    expect(errorText(err(401, 'invalid_credentials', 'wrong email or password'))).toBe('Wrong email or password.');
    await setLocale('zh-CN');
  });
});
