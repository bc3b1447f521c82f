// "Every message in the user's language": in the zh-CN workspace, the server's refusals read in
// Chinese — a wrong password on the login page and a transfer to an agent who went offline after
// the transfer list was shown — and none of the server's English message shows; in English they
// read as the UI's own sentences.
import { expect, test, type Browser } from '@playwright/test';
import { agentReady, api, base, leaveFloor, person } from './helpers';

/** Two or more English words in a row: a server sentence that slipped through. */
const ENGLISH_SENTENCE = /[A-Za-z]{3,}\s+[A-Za-z]{2,}/;

const CASES = [
  {
    locale: 'zh-CN',
    wrongPassword: '邮箱或密码错误。',
    unavailable: '该坐席当前不能接收转接（未就绪或已满）',
    offline: '离线',
  },
  { locale: 'en-US', wrongPassword: 'Wrong email or password.', unavailable: 'This agent cannot take a transfer now', offline: 'Offline' },
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

  // A conversation served by agent 1. Agent 2 (张伟) is ready when the transfer list is shown, and
  // logs out before agent 1 submits: the server refuses (409 agent_unavailable).
  await agentReady(page, 'agent1@demo.kefu');
  // Agent 2 is ready in a workspace of their own: a ready agent with no workspace connected is
  // set away once the disconnect grace of a page that closed earlier runs out (an earlier spec's
  // agent 2 page closed about a minute before this line, the grace's length).
  const colleague = await person(browser, c.locale);
  await agentReady(colleague.page, 'agent2@demo.kefu');
  const agent2 = await api.login('agent2@demo.kefu', 'demo-agent');
  const name = `转接被拒 ${c.locale}`;
  const visitor = await api.visitor(name);
  await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '请帮我转人工' });
  await page.getByTestId('offer-accept').click();
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await page.getByTestId('transfer-button').click();
  const dialog = page.getByTestId('transfer-dialog');
  await dialog.getByTestId('transfer-mode-agent').click();
  const option = dialog.getByTestId('transfer-option').filter({ hasText: '张伟 Zhang Wei' });
  await expect(option).toHaveAttribute('data-available', 'true');
  await option.click();
  await api.call('PUT', '/api/v1/agents/me/status', agent2, { status: 'offline' });
  await dialog.getByTestId('transfer-submit').click();
  const toast = page.locator('.el-message--error');
  await expect(toast).toContainText(c.unavailable);
  // The server's own sentence ("agent 4 is not ready or has no free capacity") is not shown.
  await expect(toast).not.toContainText('no free capacity');
  if (zh) expect(await toast.textContent()).not.toMatch(ENGLISH_SENTENCE);
  // The list is fetched again: agent 2 is now greyed, with the reason in the UI's language.
  await expect(option).toHaveAttribute('data-available', 'false');
  await expect(option.getByTestId('transfer-option-reason')).toHaveText(c.offline);

  await context.close();
  await colleague.context.close();
  await leaveFloor('agent1@demo.kefu');
}
