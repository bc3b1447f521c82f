// "Every message in the user's language": in the zh-CN workspace, the server's refusals read in
// Chinese — a wrong password on the login page and a transfer to an agent who is offline — and
// none of the server's English message shows.
import { expect, test } from '@playwright/test';
import { agentReady, api, base, leaveFloor, person } from './helpers';

/** Two or more English words in a row: a server sentence that slipped through. */
const ENGLISH_SENTENCE = /[A-Za-z]{3,}\s+[A-Za-z]{2,}/;

test('zh-CN: a wrong password and a refused transfer are said in Chinese', async ({ browser }) => {
  const { context, page } = await person(browser, 'zh-CN');

  // Wrong password: 401 invalid_credentials.
  await page.goto(`${base()}/app/`);
  await page.getByTestId('login-email').fill('nobody@demo.kefu');
  await page.getByTestId('login-password').fill('not-the-password');
  await page.getByTestId('login-submit').click();
  const loginError = page.getByTestId('login-error');
  await expect(loginError).toHaveText('邮箱或密码错误。');
  await expect(loginError).not.toContainText('wrong email or password');
  expect(await loginError.textContent()).not.toMatch(ENGLISH_SENTENCE);

  // A conversation served by agent 1, transferred to agent 2 (张伟), who is offline: 409 agent_unavailable.
  await agentReady(page, 'agent1@demo.kefu');
  const visitor = await api.visitor('转接被拒');
  await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '请帮我转人工' });
  await page.getByTestId('offer-accept').click();
  await page.getByTestId('conversation-item').filter({ hasText: '转接被拒' }).click();
  await page.getByTestId('transfer-button').click();
  const dialog = page.getByTestId('transfer-dialog');
  await dialog.getByTestId('transfer-mode-agent').click();
  await dialog.getByTestId('transfer-target').selectOption({ label: '张伟 Zhang Wei' });
  await dialog.getByTestId('transfer-submit').click();
  const toast = page.locator('.el-message--error');
  await expect(toast).toContainText('该坐席当前不能接收转接（未就绪或已满）');
  await expect(toast).not.toContainText('not ready or has no free capacity');
  expect(await toast.textContent()).not.toMatch(ENGLISH_SENTENCE);

  await context.close();
  await leaveFloor('agent1@demo.kefu');
});
