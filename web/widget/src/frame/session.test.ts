import { describe, expect, it } from 'vitest';
import type { Api } from './api';
import { createVisitor, forgetVisitor, jwtSubject, visitorMatches } from './session';
import type { Visitor } from './types';

const b64url = (s: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(s)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const jwt = (claims: object) => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}.sig`;

const visitor = (external_id: string | null): Visitor => ({
  id: 1,
  name: '张三',
  external_id,
  vip_level: 0,
  attributes: {},
  designated_agent_id: null,
  blocked: false,
  blocked_reason: null,
});

describe('identity tokens', () => {
  it('reads the subject without verifying', () => {
    expect(jwtSubject(jwt({ sub: 'cust-42', name: '张三', exp: 1 }))).toBe('cust-42');
    expect(jwtSubject(jwt({ sub: 42 }))).toBe('42');
    expect(jwtSubject(jwt({ name: '无 sub' }))).toBeNull();
    expect(jwtSubject('not-a-jwt')).toBeNull();
    expect(jwtSubject('a.!!!.c')).toBeNull();
  });

  it('keeps the stored visitor only for the same customer', () => {
    expect(visitorMatches(visitor('cust-42'), jwt({ sub: 'cust-42' }))).toBe(true);
    expect(visitorMatches(visitor('cust-42'), jwt({ sub: 'cust-43' }))).toBe(false);
    expect(visitorMatches(visitor(null), jwt({ sub: 'cust-42' }))).toBe(false);
    expect(visitorMatches(visitor(null), null)).toBe(true);
  });
});

describe('creating a visitor', () => {
  const recorder = () => {
    const bodies: unknown[] = [];
    const api = {
      token: null as string | null,
      createVisitor: async (body: unknown) => {
        bodies.push(body);
        return { token: 'v_1', visitor: visitor(null) };
      },
    };
    return { api: api as unknown as Api, bodies };
  };
  const placement = { widget: 'shop', hostOrigin: 'https://shop.example' };

  it('sends the widget and the host page origin with an identity token, which binds it to them', async () => {
    const { api, bodies } = recorder();
    await createVisitor(api, 'jwt', 'en', placement);
    expect(bodies).toEqual([{ locale: 'en', identity_token: 'jwt', widget: 'shop', origin: 'https://shop.example' }]);
  });

  it('an anonymous visitor sends neither', async () => {
    const { api, bodies } = recorder();
    await createVisitor(api, null, 'zh-CN', placement);
    expect(bodies).toEqual([{ locale: 'zh-CN' }]);
  });
});

describe('forgetting the visitor', () => {
  it('ends the token on the server, then forgets it here', async () => {
    const ended: (string | null)[] = [];
    const api = {
      token: 'v_old' as string | null,
      logout(this: { token: string | null }) {
        ended.push(this.token);
        return Promise.resolve();
      },
    };
    forgetVisitor(api as unknown as Api);
    expect(ended).toEqual(['v_old']);
    expect(api.token).toBeNull();
  });

  it('forgets it here even when the server cannot be reached', () => {
    const api = { token: 'v_old' as string | null, logout: () => Promise.reject(new Error('offline')) };
    forgetVisitor(api as unknown as Api);
    expect(api.token).toBeNull();
  });
});
