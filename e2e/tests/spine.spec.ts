// The spine through the real UI: a visitor on /demo chats with an agent in the workspace,
// is transferred to another skill group, the conversation is closed with a wrap-up code,
// and the visitor rates it and downloads the transcript.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { agentReady, base, leaveFloor, person } from './helpers';

test('visitor and agents: chat, transfer, close, CSAT', async ({ browser }) => {
  const agent1 = await person(browser, 'en-US');
  await agentReady(agent1.page, 'agent1@demo.kefu');

  // The customer opens the widget on the demo page (Chinese browser).
  const visitor = await person(browser, 'zh-CN');
  await visitor.page.goto(`${base()}/demo`);
  await visitor.page.getByTestId('kefu-launcher').click();
  const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-name').fill('王小明');
  await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('我的信用卡被锁了');
  await frame.getByTestId('composer-input').press('Enter');
  await expect(frame.getByTestId('message').filter({ hasText: '我的信用卡被锁了' })).toBeVisible();

  // Agent 1 is offered it and accepts.
  const offer = agent1.page.getByTestId('offer-dialog');
  await expect(offer).toBeVisible();
  await expect(offer).toContainText('王小明');
  await agent1.page.getByTestId('offer-accept').click();
  await agent1.page.getByTestId('conversation-item').filter({ hasText: '王小明' }).click();
  await expect(agent1.page.getByTestId('message').filter({ hasText: '我的信用卡被锁了' })).toBeVisible();

  // They chat both ways.
  await agent1.page.getByTestId('composer-input').fill('您好，我来帮您解锁');
  await agent1.page.getByTestId('composer-send').click();
  await expect(frame.getByTestId('message').filter({ hasText: '您好，我来帮您解锁' })).toBeVisible();
  await frame.getByTestId('composer-input').fill('谢谢，另外我想问贷款');
  await frame.getByTestId('composer-send').click();
  await expect(agent1.page.getByTestId('message').filter({ hasText: '另外我想问贷款' })).toBeVisible();

  // Transfer to the loans group with a note; agent 3 takes it and sees the history.
  const agent3 = await person(browser, 'zh-CN');
  await agentReady(agent3.page, 'agent3@demo.kefu');
  await agent1.page.getByTestId('transfer-button').click();
  const dialog = agent1.page.getByTestId('transfer-dialog');
  await dialog.getByTestId('transfer-mode-group').click();
  // The loans group shows its line and its ready members (agent 3) before it is chosen.
  const loans = dialog.getByTestId('transfer-option').filter({ hasText: '贷款咨询 Loans' });
  await expect(loans.getByTestId('transfer-option-counts')).toHaveText(/^Waiting \d+ · Ready [1-9]\d*$/);
  await loans.click();
  await dialog.getByTestId('transfer-note').locator('textarea').or(dialog.locator('textarea[data-testid=transfer-note]')).first().fill('客户想咨询贷款');
  await dialog.getByTestId('transfer-submit').click();

  await expect(agent3.page.getByTestId('offer-dialog')).toBeVisible();
  await agent3.page.getByTestId('offer-accept').click();
  await agent3.page.getByTestId('conversation-item').filter({ hasText: '王小明' }).click();
  await expect(agent3.page.getByTestId('message').filter({ hasText: '我的信用卡被锁了' })).toBeVisible();
  await expect(agent3.page.getByTestId('customer-panel')).toContainText('王小明');

  // Agent 3 answers and closes with a wrap-up code.
  await agent3.page.getByTestId('composer-input').fill('贷款的问题我来解答');
  await agent3.page.getByTestId('composer-send').click();
  await expect(frame.getByTestId('message').filter({ hasText: '贷款的问题我来解答' })).toBeVisible();
  await agent3.page.getByTestId('close-button').click();
  const close = agent3.page.getByTestId('close-dialog');
  await close.getByTestId('close-wrap-up-code').click();
  await agent3.page.locator('.el-select-dropdown__item:visible', { hasText: '已解决 Resolved' }).click();
  await close.getByTestId('close-submit').click();

  // The visitor sees the end and rates it.
  await expect(frame.getByTestId('conversation-closed')).toBeVisible();
  await frame.getByTestId('csat-score-5').click();
  await frame.getByTestId('csat-comment').fill('非常满意');
  await frame.getByTestId('csat-submit').click();
  await expect(frame.getByTestId('csat-thanks')).toBeVisible();

  // The customer keeps a copy: what they saw, without the note left for the next agent.
  const download = visitor.page.waitForEvent('download');
  await frame.getByTestId('transcript-download').click();
  const transcript = await readFile(await (await download).path(), 'utf8');
  expect(transcript).toContain('我: 我的信用卡被锁了');
  expect(transcript).toContain('贷款的问题我来解答');
  expect(transcript).not.toContain('客户想咨询贷款');

  // The rating is stored: the day's figures show it (to the admin: the conversation ended in the
  // loans line, which the demo supervisor, cards only, does not watch).
  const login = await fetch(`${base()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.kefu', password: 'demo-admin' }),
  }).then((r) => r.json());
  const auth = { headers: { authorization: `Bearer ${login.token}` } };
  const closed = await fetch(`${base()}/api/v1/conversations?status=closed`, auth).then((r) => r.json());
  const rated = closed.conversations.find((c: { csat: { comment: string | null } | null }) => c.csat?.comment === '非常满意');
  expect(rated?.csat?.score).toBe(5);
  // The day's figures count it (other specs on this server rate conversations too).
  const stats = await fetch(`${base()}/api/v1/stats/live`, auth).then((r) => r.json());
  expect(stats.today.csat_average).toBeGreaterThan(0);
  expect(stats.today.answered).toBeGreaterThanOrEqual(1);

  // Off the floor, so later specs' offers go to the agents they expect.
  await leaveFloor('agent1@demo.kefu');
  await leaveFloor('agent3@demo.kefu');
});
