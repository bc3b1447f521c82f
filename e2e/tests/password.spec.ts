// Passwords through the real UI: an agent changes theirs from the user menu (the old one stops
// working), and a user holding a one-time password is kept on the full-page "set your password"
// screen until they have set their own.
//
// The e2e server allows 10 login attempts a minute from 127.0.0.1 for the whole run, and the
// specs after this one need some: these tests make only the three attempts the story needs, and
// the second one goes on in the first one's signed-in page rather than signing in again.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { api, base, person } from './helpers';

test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  ({ context, page } = await person(browser, 'zh-CN'));
});

test.afterAll(async () => {
  await context.close();
  // Later specs sign agent4 in with the demo password: give it back.
  const token = await api.login('agent4@demo.kefu', 'agent4-own-pw');
  await api.call('PUT', '/api/v1/auth/password', token, { current_password: 'agent4-own-pw', new_password: 'demo-agent' });
});

async function signIn(email: string, password: string) {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

async function fillPassword(current: string, next: string, confirm = next) {
  await page.getByTestId('password-current').fill(current);
  await page.getByTestId('password-new').fill(next);
  await page.getByTestId('password-confirm').fill(confirm);
  await page.getByTestId('password-submit').click();
}

test('an agent changes the password from the user menu and signs in with the new one', async () => {
  await page.goto(`${base()}/app/`);
  await signIn('agent4@demo.kefu', 'demo-agent');
  await page.getByTestId('user-menu').click();
  await page.getByTestId('change-password').click();
  const dialog = page.getByTestId('password-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('修改密码');

  // Checked before anything is sent: the confirmation must match.
  await fillPassword('demo-agent', 'agent4-new-pw', 'agent4-new-px');
  await expect(dialog.getByTestId('password-error')).toHaveText('两次输入的新密码不一致。');
  // The server's refusal of a wrong current password, shown in the form.
  await fillPassword('not-my-password', 'agent4-new-pw');
  await expect(dialog.getByTestId('password-error')).toHaveText('当前密码不正确。');

  await fillPassword('demo-agent', 'agent4-new-pw');
  await expect(page.getByTestId('password-done')).toBeVisible();
  await expect(dialog).toBeHidden();
  // This session stays signed in.
  await expect(page.getByTestId('status-switch')).toBeVisible();

  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('login-submit')).toBeVisible();

  await signIn('agent4@demo.kefu', 'demo-agent');
  await expect(page.getByTestId('login-error')).toBeVisible();

  await page.getByTestId('login-password').fill('agent4-new-pw');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
  await expect(page.getByTestId('status-switch')).toBeVisible();
});

test('a one-time password is replaced on the full-page screen before anything else', async () => {
  // The demo has no one-time password (only a first admin created without KEFU_ADMIN_PASSWORD
  // gets one), so the server's "who am I" is marked as one when the page is reloaded; the
  // password change and the user loaded after it are real.
  await page.route(
    '**/api/v1/auth/me',
    async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...(await res.json()), must_change_password: true } });
    },
    { times: 1 },
  );
  await page.goto(`${base()}/app/`);
  await expect(page).toHaveURL(/\/app\/password$/);
  await expect(page.getByTestId('password-form')).toBeVisible();
  await expect(page.getByRole('heading', { name: '设置新密码' })).toBeVisible();
  await expect(page.getByTestId('user-menu')).toHaveCount(0);

  // Too short: caught before it is sent.
  await fillPassword('agent4-new-pw', 'short');
  await expect(page.getByTestId('password-error')).toHaveText('新密码至少需要 8 个字符。');

  await fillPassword('agent4-new-pw', 'agent4-own-pw');
  await expect(page.getByTestId('password-done')).toBeVisible();
  // On to the agent's start page, the workspace.
  await expect(page.getByTestId('status-switch')).toBeVisible();
  await expect(page).toHaveURL(/\/app\/$/);
});
