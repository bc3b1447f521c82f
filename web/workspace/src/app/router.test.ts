// The route guard: strangers to the login screen, a user with a one-time password to the password
// screen from everywhere until it is set, and a 403 password_change_required from any call there too.
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import { authApi } from '../api/auth';
import { http } from '../api/client';
import type { User } from '../api/types';
import { TOKEN_KEY, useSessionStore } from '../stores/session';
import App from './App.vue';
import { i18n, loadFeatures, setLocale } from './i18n';
import { createAppRouter, nextFor } from './router';

vi.mock('../api/auth', () => ({
  authApi: { login: vi.fn(), logout: vi.fn(), me: vi.fn(), changePassword: vi.fn() },
}));
// The pages themselves are not under test: stand-ins keep the test to the routing.
const page = { default: { render: () => null } };
vi.mock('./AppLayout.vue', () => ({ default: { template: '<router-view />' } }));
vi.mock('../features/agent/AgentWorkspace.vue', () => page);
vi.mock('../features/supervisor/SupervisorView.vue', () => page);
vi.mock('../features/admin/AdminLayout.vue', () => page);
vi.mock('../features/admin/AgentsAdmin.vue', () => page);
vi.mock('../features/auth/LoginView.vue', () => page);
vi.mock('../features/auth/PasswordView.vue', () => page);
vi.mock('./ForbiddenView.vue', () => page);
vi.mock('./lifecycle', () => ({ endSession: vi.fn(), signOut: vi.fn(), startSession: vi.fn() }));

const api = vi.mocked(authApi);

function user(over: Partial<User> = {}): User {
  return { id: 1, email: 'admin@kefu.local', name: 'Admin', role: 'admin', must_change_password: false, ...over };
}

let pinia: Pinia;

beforeAll(async () => {
  await setLocale('en');
  await loadFeatures(['common', 'auth']);
});

beforeEach(() => {
  vi.resetAllMocks();
  localStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
});

async function at(path: string, router = createAppRouter(createMemoryHistory())) {
  await router.push(path);
  return router.currentRoute.value;
}

describe('route guard', () => {
  it('sends a stranger to the login screen, remembering where they were going', async () => {
    const r = await at('/supervisor');
    expect(r.name).toBe('login');
    expect(r.query.redirect).toBe('/supervisor');
  });

  it('keeps a user with a one-time password on the password screen, from every route', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok');
    api.me.mockResolvedValue(user({ must_change_password: true }));
    for (const path of ['/', '/supervisor', '/admin/agents', '/forbidden', '/no/such/page']) {
      const r = await at(path);
      expect(r.name, path).toBe('password');
      expect(r.query.redirect, path).toBe(path === '/' ? undefined : path);
    }
    expect((await at('/password')).name).toBe('password');
    // The login screen does not sign them in past it either.
    expect((await at('/login')).name).toBe('password');
  });

  it('lets the user through once the password is set', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok');
    api.me.mockResolvedValueOnce(user({ must_change_password: true }));
    const router = createAppRouter(createMemoryHistory());
    expect((await at('/admin/agents', router)).name).toBe('password');

    api.changePassword.mockResolvedValue(undefined);
    api.me.mockResolvedValueOnce(user());
    await useSessionStore().changePassword('one-time-pw', 'my-own-password');
    expect(api.changePassword).toHaveBeenCalledWith('one-time-pw', 'my-own-password');
    expect(useSessionStore().mustChangePassword).toBe(false);
    expect((await at('/admin/agents', router)).name).toBe('admin-agents');
  });

  it('lets any signed-in user open the password screen, and everyone else their pages', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok');
    api.me.mockResolvedValue(user({ role: 'agent' }));
    expect((await at('/password')).name).toBe('password');
    expect((await at('/')).name).toBe('agent');
    expect((await at('/supervisor')).name).toBe('forbidden');
  });

  it('continues to a redirect inside the app, else the start page', () => {
    expect(nextFor({ redirect: '/supervisor' }, 'admin')).toBe('/supervisor');
    expect(nextFor({ redirect: '//evil.example' }, 'admin')).toEqual({ name: 'admin-agents' });
    expect(nextFor({ redirect: 'https://evil.example' }, 'agent')).toEqual({ name: 'agent' });
    expect(nextFor({}, 'supervisor')).toEqual({ name: 'supervisor' });
  });
});

describe('403 password_change_required', () => {
  it('from any call moves the app to the password screen, not the 403 page', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok');
    api.me.mockResolvedValue(user());
    const router = createAppRouter(createMemoryHistory());
    await router.push('/admin/agents');
    const wrapper = mount(App, { global: { plugins: [pinia, i18n, router] } });
    await router.isReady();
    expect(router.currentRoute.value.name).toBe('admin-agents');

    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        new Response(
          JSON.stringify({ error: { code: 'forbidden', message: 'password_change_required: set your own password first' } }),
          { status: 403, headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    );
    await expect(http.get('/agents')).rejects.toMatchObject({ status: 403 });
    vi.unstubAllGlobals();
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('password'));
    expect(router.currentRoute.value.query.redirect).toBe('/admin/agents');
    expect(useSessionStore().mustChangePassword).toBe(true);
    // And it stays there until the password is set.
    await router.push('/admin/agents');
    expect(router.currentRoute.value.name).toBe('password');
    wrapper.unmount();
  });

  it('any other 403 does not', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok');
    api.me.mockResolvedValue(user());
    const router = createAppRouter(createMemoryHistory());
    await router.push('/admin/agents');
    const wrapper = mount(App, { global: { plugins: [pinia, i18n, router] } });
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(new Response(JSON.stringify({ error: { code: 'forbidden', message: 'admins only' } }), { status: 403 })),
    );
    await expect(http.get('/agents')).rejects.toMatchObject({ status: 403 });
    vi.unstubAllGlobals();
    await new Promise((r) => setTimeout(r, 0));
    expect(router.currentRoute.value.name).toBe('admin-agents');
    expect(useSessionStore().mustChangePassword).toBe(false);
    wrapper.unmount();
  });
});
