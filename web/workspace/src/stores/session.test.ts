import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { authApi } from '../api/auth';
import { request } from '../api/client';
import { roleAtLeast, TOKEN_KEY, useSessionStore } from './session';

vi.mock('../api/auth', () => ({ authApi: { login: vi.fn(), logout: vi.fn(), me: vi.fn() } }));
const api = vi.mocked(authApi);

beforeEach(() => {
  vi.resetAllMocks();
  localStorage.clear();
  setActivePinia(createPinia());
});

describe('session store', () => {
  it('orders roles: agent < supervisor < admin', () => {
    expect(roleAtLeast('admin', 'supervisor')).toBe(true);
    expect(roleAtLeast('supervisor', 'supervisor')).toBe(true);
    expect(roleAtLeast('agent', 'supervisor')).toBe(false);
    expect(roleAtLeast(undefined, 'agent')).toBe(false);
  });

  it('keeps the token in localStorage kefu.token and drops it on logout', async () => {
    api.login.mockResolvedValue({ token: 'tok-1', user: { id: 1, email: 'a@x', name: 'A', role: 'agent', must_change_password: false } });
    api.logout.mockResolvedValue(undefined);
    const s = useSessionStore();
    await s.login('a@x', 'pw');
    expect(localStorage.getItem(TOKEN_KEY)).toBe('tok-1');
    expect(s.isAuthenticated).toBe(true);
    await s.logout();
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(s.user).toBeNull();
  });

  it('restores the user from a stored token, and forgets a revoked one', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok-2');
    api.me.mockResolvedValueOnce({ id: 2, email: 'b@x', name: 'B', role: 'admin', must_change_password: false });
    const s = useSessionStore();
    expect(await s.restore()).toBe(true);
    expect(s.can('supervisor')).toBe(true);

    setActivePinia(createPinia());
    api.me.mockRejectedValueOnce(new Error('401'));
    const s2 = useSessionStore();
    expect(await s2.restore()).toBe(false);
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('a 401 from any API call clears the session and signals expiry', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok-3');
    const s = useSessionStore();
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('{"error":{"code":"unauthorized","message":"expired"}}', { status: 401 })));
    await expect(request('GET', '/agents/me')).rejects.toMatchObject({ status: 401 });
    expect(s.token).toBeNull();
    expect(s.expired).toBe(1);
    vi.unstubAllGlobals();
  });
});
