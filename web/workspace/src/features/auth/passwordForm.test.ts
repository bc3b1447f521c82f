// The password form: its rules before anything is sent, the server's refusals in the same words,
// and the form itself (full page and the user menu's dialog share it).
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { authApi } from '../../api/auth';
import { ApiError } from '../../api/client';
import { i18n, loadFeatures, setLocale } from '../../app/i18n';
import { useSessionStore } from '../../stores/session';
import en from '../../locales/en/common.json';
import zh from '../../locales/zh-CN/common.json';
import PasswordForm from './PasswordForm.vue';
import { serverProblem, validatePassword, type PasswordProblem } from './passwordForm';

vi.mock('../../api/auth', () => ({
  authApi: { login: vi.fn(), logout: vi.fn(), me: vi.fn(), changePassword: vi.fn() },
}));
const api = vi.mocked(authApi);

describe('validatePassword', () => {
  const ok = { current: 'one-time-pw', next: 'my-own-password', confirm: 'my-own-password' };

  it('accepts a new password of 8 characters or more, typed twice', () => {
    expect(validatePassword(ok)).toBeNull();
    expect(validatePassword({ ...ok, next: '12345678', confirm: '12345678' })).toBeNull();
  });

  it('wants every field', () => {
    expect(validatePassword({ ...ok, current: '' })).toBe('common.password.errors.required');
    expect(validatePassword({ ...ok, next: '' })).toBe('common.password.errors.required');
    expect(validatePassword({ ...ok, confirm: '' })).toBe('common.password.errors.required');
  });

  it('refuses fewer than 8 characters, counting characters rather than UTF-16 units', () => {
    expect(validatePassword({ ...ok, next: '1234567', confirm: '1234567' })).toBe('common.password.errors.tooShort');
    // Four astral characters are 8 UTF-16 units but 4 characters.
    expect(validatePassword({ ...ok, next: '😀😀😀😀', confirm: '😀😀😀😀' })).toBe('common.password.errors.tooShort');
    expect(validatePassword({ ...ok, next: '密码密码密码密码', confirm: '密码密码密码密码' })).toBeNull();
  });

  it('wants the confirmation to match', () => {
    expect(validatePassword({ ...ok, confirm: 'my-own-passwore' })).toBe('common.password.errors.mismatch');
  });

  it('wants a password different from the current one', () => {
    expect(validatePassword({ current: 'same-password', next: 'same-password', confirm: 'same-password' })).toBe(
      'common.password.errors.unchanged',
    );
  });
});

describe('serverProblem', () => {
  it("names the rule behind the server's 422 messages, else leaves them as they are", () => {
    expect(serverProblem('current_password: does not match')).toBe('common.password.errors.currentWrong');
    expect(serverProblem('new_password: must differ from the current one')).toBe('common.password.errors.unchanged');
    expect(serverProblem('password: must be at least 8 characters')).toBe('common.password.errors.tooShort');
    expect(serverProblem('password: must be at most 256 bytes')).toBeNull();
  });

  it('every problem has words in both languages', () => {
    const problems: PasswordProblem[] = ['required', 'tooShort', 'mismatch', 'unchanged', 'currentWrong'].map(
      (k) => `common.password.errors.${k}` as PasswordProblem,
    );
    for (const p of problems) {
      const key = p.split('.').pop() as keyof typeof en.password.errors;
      expect(en.password.errors[key], p).toBeTruthy();
      expect(zh.password.errors[key], p).toBeTruthy();
    }
  });
});

describe('PasswordForm', () => {
  beforeAll(async () => {
    await setLocale('en');
    await loadFeatures(['common']);
  });

  beforeEach(() => {
    vi.resetAllMocks();
    setActivePinia(createPinia());
    useSessionStore().user = { id: 1, email: 'a@x', name: 'A', role: 'admin', must_change_password: true };
    document.body.innerHTML = '';
  });

  function mountForm() {
    return mount(PasswordForm, { global: { plugins: [i18n] }, attachTo: document.body });
  }

  async function fill(w: ReturnType<typeof mountForm>, current: string, next: string, confirm: string) {
    await w.get('[data-testid="password-current"]').setValue(current);
    await w.get('[data-testid="password-new"]').setValue(next);
    await w.get('[data-testid="password-confirm"]').setValue(confirm);
    await w.get('[data-testid="password-form"]').trigger('submit');
    await flushPromises();
  }

  it('shows what is wrong without asking the server', async () => {
    const w = mountForm();
    await fill(w, 'one-time-pw', 'short', 'short');
    expect(w.get('[data-testid="password-error"]').text()).toBe('The new password must be at least 8 characters.');
    await fill(w, 'one-time-pw', 'my-own-password', 'my-own-passwd');
    expect(w.get('[data-testid="password-error"]').text()).toBe('The two new passwords do not match.');
    expect(api.changePassword).not.toHaveBeenCalled();
    expect(w.emitted('done')).toBeUndefined();
    w.unmount();
  });

  it('sends the change, reloads the user and says done', async () => {
    api.changePassword.mockResolvedValue(undefined);
    api.me.mockResolvedValue({ id: 1, email: 'a@x', name: 'A', role: 'admin', must_change_password: false });
    const w = mountForm();
    await fill(w, 'one-time-pw', 'my-own-password', 'my-own-password');
    expect(api.changePassword).toHaveBeenCalledWith('one-time-pw', 'my-own-password');
    expect(api.me).toHaveBeenCalledOnce();
    expect(useSessionStore().mustChangePassword).toBe(false);
    expect(w.emitted('done')).toHaveLength(1);
    expect(w.find('[data-testid="password-error"]').exists()).toBe(false);
    await vi.waitFor(() => expect(document.querySelector('[data-testid="password-done"]')?.textContent).toBe('Your password has been changed.'));
    // The fields are emptied for the next time.
    expect((w.get('[data-testid="password-new"]').element as HTMLInputElement).value).toBe('');
    w.unmount();
  });

  it("shows the server's refusal in the form, in the user's words", async () => {
    api.changePassword.mockRejectedValue(new ApiError(422, 'validation', 'current_password: does not match'));
    const w = mountForm();
    await fill(w, 'wrong-password', 'my-own-password', 'my-own-password');
    expect(w.get('[data-testid="password-error"]').text()).toBe('The current password is not correct.');
    expect(w.emitted('done')).toBeUndefined();
    expect(useSessionStore().mustChangePassword).toBe(true);
    w.unmount();
  });

  it('offers Cancel only in the dialog', async () => {
    const page = mountForm();
    expect(page.find('[data-testid="password-cancel"]').exists()).toBe(false);
    page.unmount();
    const dialog = mount(PasswordForm, { props: { cancelable: true }, global: { plugins: [i18n] } });
    await dialog.get('[data-testid="password-cancel"]').trigger('click');
    expect(dialog.emitted('cancel')).toHaveLength(1);
    dialog.unmount();
  });
});
