// "Every message in the user's language": in the zh-CN workspace, the server's refusals read in
// Chinese — a wrong password on the login page and a transfer to an agent who is offline — and
// none of the server's English message shows; in English they read as the UI's own sentences.
import { expect, test, type Browser } from '@playwright/test';
import { agentReady, api, base, leaveFloor, person } from './helpers';

/** Two or more English words in a row: a server sentence that slipped through. */
const ENGLISH_SENTENCE = /[A-Za-z]{3,}\s+[A-Za-z]{2,}/;

const CASES = [
  {
    locale: 'zh-CN',
    wrongPassword: '邮箱或密码错误。',
    unavailable: '该坐席当前不能接收转接（未就绪或已满）',
    agent2: '张伟 Zhang Wei',
  },
  { locale: 'en-US', wrongPassword: 'Wrong email or password.', unavailable: 'This agent cannot take a transfer now', agent2: '张伟 Zhang Wei' },
];

for (const c of CASES) {
  test(`${c.locale}: a wrong password and a refused transfer are said in the UI's language`, async ({ browser }) => {
    await refusals(browser, c);
  });
}

async function refusals(browser: Browser, c: (typeof CASES)[number]) {
  const zh = c.locale === 'zh-CN';
  const { context, page } = await person(browser, c.locale);

  // Wrong password: 401 invalid_credentials.
  await page.goto(`${base()}/app/`);
  await page.getByTestId('login-email').fill('nobody@demo.kefu');
  await page.getByTestId('login-password').fill('not-the-password');
  await page.getByTestId('login-submit').click();
  const loginError = page.getByTestId('login-error');
  await expect(loginError).toHaveText(c.wrongPassword);
  await expect(loginError).not.toContainText('wrong email or password');
  if (zh) expect(await loginError.textContent()).not.toMatch(ENGLISH_SENTENCE);

  // A conversation served by agent 1, transferred to agent 2 (张伟), who is offline: 409 agent_unavailable.
  await agentReady(page, 'agent1@demo.kefu');
  const name = `转接被拒 ${c.locale}`;
  const visitor = await api.visitor(name);
  await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '请帮我转人工' });
  await page.getByTestId('offer-accept').click();
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await page.getByTestId('transfer-button').click();
  const dialog = page.getByTestId('transfer-dialog');
  await dialog.getByTestId('transfer-mode-agent').click();
  await dialog.getByTestId('transfer-target').selectOption({ label: c.agent2 });
  await dialog.getByTestId('transfer-submit').click();
  const toast = page.locator('.el-message--error');
  await expect(toast).toContainText(c.unavailable);
  // The server's own sentence ("agent 4 is not ready or has no free capacity") is not shown.
  await expect(toast).not.toContainText('no free capacity');
  if (zh) expect(await toast.textContent()).not.toMatch(ENGLISH_SENTENCE);

  await context.close();
  await leaveFloor('agent1@demo.kefu');
}
