// Sessions end everywhere at once: when an agent's session is revoked from elsewhere (logged out
// with the same token, disabled by an admin), the open workspace goes to the login screen within
// a second and says why; the unsent draft is still in the composer after signing in again.
import { expect, test, type Page } from '@playwright/test';
import { agentReady, api, base, leaveFloor, person } from './helpers';

async function signIn(page: Page, email: string, password = 'demo-agent') {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

test('a revoked session goes to the login screen at once and keeps the draft', async ({ browser }) => {
  const { context, page } = await person(browser, 'zh-CN');
  await agentReady(page, 'agent1@demo.kefu');
  const visitor = await api.visitor('钱女士');
  const conv = await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '我的卡被锁了' });
  await page.getByTestId('offer-accept').click();
  await page.getByTestId('conversation-item').filter({ hasText: '钱女士' }).click();
  const draft = '您好，我来帮您查一下，请稍等';
  await page.getByTestId('composer-input').fill(draft);

  // The same user is logged out elsewhere with this very token.
  const token = await page.evaluate(() => localStorage.getItem('kefu.token'));
  expect(token).toBeTruthy();
  await api.call('POST', '/api/v1/auth/logout', token!);
  await expect(page.getByTestId('login-submit')).toBeVisible({ timeout: 1_000 });
  await expect(page.getByTestId('login-expired')).toContainText('其他窗口或设备');

  await signIn(page, 'agent1@demo.kefu');
  await page.getByTestId('conversation-item').filter({ hasText: '钱女士' }).click();
  await expect(page.getByTestId('composer-input')).toHaveValue(draft);

  // An admin disables the agent: the page leaves at once, saying so.
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const me = await api.get(await page.evaluate(() => localStorage.getItem('kefu.token') ?? ''), '/api/v1/auth/me');
  await api.call('PATCH', `/api/v1/agents/${me.id}`, admin, { enabled: false });
  await expect(page.getByTestId('login-submit')).toBeVisible({ timeout: 1_000 });
  await expect(page.getByTestId('login-expired')).toContainText('停用');
  // What the agent was serving went back to the front of the line.
  const back = await api.get(visitor, `/api/v1/conversations/${conv.id}`);
  expect(back.status).toBe('queued');
  expect(back.queue.position).toBe(1);

  // Leave the floor as the next spec expects it.
  await api.call('PATCH', `/api/v1/agents/${me.id}`, admin, { enabled: true });
  await api.post(visitor, `/api/v1/conversations/${conv.id}/leave`, {});
  await leaveFloor('agent1@demo.kefu');
  await context.close();
});

test('a supervisor blocks an abusive visitor from the conversation', async ({ browser }) => {
  const { context, page } = await person(browser, 'zh-CN');
  await agentReady(page, 'supervisor@demo.kefu', 'demo-supervisor');
  await page.goto(`${base()}/app/`);
  const visitor = await api.visitor('捣乱者');
  await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '骂人的话' });
  await page.getByTestId('offer-accept').click();
  await page.getByTestId('conversation-item').filter({ hasText: '捣乱者' }).click();

  await page.getByTestId('block-button').click();
  const dialog = page.getByTestId('block-dialog');
  await expect(dialog).toContainText('拉黑');
  await dialog.getByTestId('block-reason').fill('辱骂坐席');
  await dialog.getByTestId('block-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('conversation-item').filter({ hasText: '捣乱者' })).toHaveCount(0);
  // The visitor's token no longer works.
  await expect(api.get(visitor, '/api/v1/visitors/me')).rejects.toThrow(/401/);

  await leaveFloor('supervisor@demo.kefu', 'demo-supervisor');
  await context.close();
});
