// Issue 8's transfer list and wrap-up codes, in zh-CN: an agent who cannot take the chat is greyed
// with the reason and cannot be chosen, groups show their line; an admin reorders, relabels and
// disables a wrap-up code, and a disabled code is no longer offered when closing.
import { expect, test, type Page } from '@playwright/test';
import { agentReady, api, base, leaveFloor, login, person } from './helpers';

test('zh-CN: the transfer list greys an away agent with the reason and shows each group\'s line', async ({ browser }) => {
  const { context, page } = await person(browser, 'zh-CN');
  await agentReady(page, 'agent1@demo.kefu');
  // Agent 3 (刘洋) is logged in but away.
  const agent3 = await api.login('agent3@demo.kefu', 'demo-agent');
  await api.call('PUT', '/api/v1/agents/me/status', agent3, { status: 'away', reason: '用餐' });
  const name = `转接列表 ${Date.now().toString(36)}`;
  const visitor = await api.visitor(name);
  await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '想转给专员' });
  await page.getByTestId('offer-accept').click();
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();

  await page.getByTestId('transfer-button').click();
  const dialog = page.getByTestId('transfer-dialog');
  const away = dialog.getByTestId('transfer-option').filter({ hasText: '刘洋 Liu Yang' });
  await expect(away).toHaveAttribute('data-available', 'false');
  await expect(away.getByTestId('transfer-option-status')).toHaveText('小休');
  await expect(away.getByTestId('transfer-option-reason')).toHaveText('小休中');
  await expect(away.getByTestId('transfer-option-load')).toHaveText(/^接待 \d+\/5$/);
  await expect(away.locator('input[type=radio]')).toBeDisabled();
  // Clicking a greyed agent chooses nothing.
  await away.click({ force: true });
  await expect(dialog.getByTestId('transfer-submit')).toBeDisabled();
  // The serving agent is listed too, greyed as the one serving it, with their load.
  const me = dialog.getByTestId('transfer-option').filter({ hasText: '李娜 Li Na' });
  await expect(me.getByTestId('transfer-option-reason')).toHaveText('您正在接待');
  await expect(me.getByTestId('transfer-option-load')).toHaveText(/^接待 [1-5]\/5$/);

  // The open list follows the floor: 刘洋 turns ready and can take it, without a refresh click.
  await api.call('PUT', '/api/v1/agents/me/status', agent3, { status: 'ready' });
  await expect(away).toHaveAttribute('data-available', 'true', { timeout: 10_000 });
  await expect(away.getByTestId('transfer-option-status')).toHaveText('空闲');

  // Groups: the line and the members ready now.
  await dialog.getByTestId('transfer-mode-group').click();
  const cards = dialog.getByTestId('transfer-option').filter({ hasText: '信用卡服务 Card services' });
  await expect(cards.getByTestId('transfer-option-counts')).toHaveText(/^等待 \d+ · 就绪 [1-9]\d*$/);
  await expect(cards).toHaveAttribute('data-available', 'true');

  await context.close();
  await api.call('PUT', '/api/v1/agents/me/status', agent3, { status: 'offline' });
  await leaveFloor('agent1@demo.kefu');
});

test('zh-CN: an admin reorders, relabels and disables a wrap-up code; closing no longer offers it', async ({ browser }) => {
  const code = `e2e_${Date.now().toString(36)}`;
  const label = `回访 ${code}`;
  const admin = await person(browser, 'zh-CN');
  await login(admin.page, 'admin@demo.kefu', 'demo-admin');
  await admin.page.getByTestId('nav-admin').click();
  await admin.page.getByTestId('nav-admin-wrap-up-codes').click();
  await expect(admin.page.getByRole('heading', { name: '会话小结' })).toBeVisible();
  await admin.page.getByTestId('wrap-up-form-code').fill(code);
  await admin.page.getByTestId('wrap-up-form-label').fill(label);
  await admin.page.getByTestId('wrap-up-form-submit').click();
  const table = admin.page.getByTestId('admin-wrap-up-codes-table');
  const rows = table.locator('tbody tr');
  const labels = () => rows.getByTestId('wrap-up-label').allTextContents();
  await expect(rows.last()).toContainText(code);
  await expect(rows.last().getByTestId('wrap-up-down')).toBeDisabled();

  // Up one place; the order is kept after a reload.
  await rows.last().getByTestId('wrap-up-up').click();
  await expect(rows.nth((await rows.count()) - 2)).toContainText(code);
  const before = await labels();
  await admin.page.reload();
  await expect(rows.first()).toBeVisible();
  await expect.poll(labels).toEqual(before);

  // Relabel.
  const row = table.locator('tr', { hasText: code });
  await row.getByTestId('wrap-up-label-edit').click();
  await row.getByTestId('wrap-up-label-input').fill(`${label} 新`);
  await row.getByTestId('wrap-up-label-save').click();
  await expect(row.getByTestId('wrap-up-label')).toHaveText(`${label} 新`);

  // Disable: marked 已停用, and an agent closing a conversation is not offered it.
  await row.getByTestId('wrap-up-enabled').click();
  await expect(row.getByTestId('wrap-up-disabled-tag')).toHaveText('已停用');
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const name = `小结 ${code}`;
  const visitor = await api.visitor(name);
  await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '你好' });
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await agent.page.getByTestId('close-button').click();
  await agent.page.getByTestId('close-dialog').getByTestId('close-wrap-up-code').click();
  const options = agent.page.locator('.el-select-dropdown__item:visible');
  await expect(options.filter({ hasText: '已解决' })).toHaveCount(1);
  await expect(options.filter({ hasText: code })).toHaveCount(0);

  await agent.context.close();
  await admin.context.close();
  await leaveFloor('agent1@demo.kefu');
  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const { codes } = await api.get(token, '/api/v1/wrap-up-codes');
  const mine = codes.find((c: { code: string }) => c.code === code);
  if (mine) await api.call('DELETE', `/api/v1/wrap-up-codes/${mine.id}`, token);
});
