import { expect, test, type Page } from '@playwright/test';
import { agentReady, api, base, leaveFloor, login, person, prechat } from './helpers';

// 接管: a supervisor opens a live chat from 班长监控 and takes it over; it opens in their
// workspace, the agent's list no longer has it, and the customer reads who serves them now and
// gets the supervisor's reply.

test('zh-CN: a supervisor takes over a live chat and answers the customer', async ({ browser }) => {
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await person(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '周先生');
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('我要投诉');
  await frame.getByTestId('composer-input').press('Enter');
  await agent.page.getByTestId('offer-accept').click();
  await expect(agent.page.getByTestId('conversation-item').filter({ hasText: '周先生' })).toBeVisible();

  const sup = await person(browser, 'zh-CN');
  await login(sup.page, 'supervisor@demo.kefu', 'demo-supervisor');
  // Logged in and watching the floor: away from new work, but able to serve.
  const token = await api.login('supervisor@demo.kefu', 'demo-supervisor');
  await api.call('PUT', '/api/v1/agents/me/status', token, { status: 'away', reason: '监听' });
  await sup.page.getByTestId('nav-supervisor').click();
  await sup.page.getByTestId('supervisor-live').locator('tr', { hasText: '周先生' }).getByTestId('live-view').click();
  const dialog = sup.page.getByTestId('history-dialog');
  await dialog.getByTestId('take-over').click();
  await sup.page.getByRole('button', { name: '确定' }).click();

  // It opens in the supervisor's workspace; the agent's list drops it.
  await expect(sup.page.getByTestId('conversation-item').filter({ hasText: '周先生' })).toBeVisible();
  await expect(sup.page.getByTestId('system-line').filter({ hasText: '接管了会话' })).toBeVisible();
  await expect(agent.page.getByTestId('conversation-item').filter({ hasText: '周先生' })).toHaveCount(0);

  // The customer reads who serves them now, and gets the supervisor's reply.
  await expect(frame.locator('body')).toContainText('王班长');
  await sup.page.getByTestId('composer-input').fill('您好，我是值班班长，您的问题由我处理');
  await sup.page.getByTestId('composer-input').press('Enter');
  await expect(frame.getByTestId('message').filter({ hasText: '我是值班班长' })).toBeVisible();

  await agent.context.close();
  await visitor.context.close();
  await sup.context.close();
  await leaveFloor('supervisor@demo.kefu', 'demo-supervisor');
  await leaveFloor('agent1@demo.kefu');
});
