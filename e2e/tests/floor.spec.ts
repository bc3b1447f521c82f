// The supervisor's floor view and the admin's staff management, through the real UI; and a
// visitor outside business hours leaving a message (留言) that queues for the next shift.
import { expect, test } from '@playwright/test';
import { agentReady, api, base, leaveFloor, login, person, pickOption } from './helpers';

test('the supervisor watches the queues and the day', async ({ browser }) => {
  // Someone waits in line before the supervisor looks.
  const visitor = await api.visitor('排队的客户');
  const waiting = await api.post(visitor, '/api/v1/conversations', { business_type_id: 2, message: '等待中' });
  const sup = await person(browser, 'zh-CN');
  await login(sup.page, 'supervisor@demo.kefu', 'demo-supervisor');
  await sup.page.goto(`${base()}/app/supervisor`);
  const queues = sup.page.getByTestId('supervisor-queues');
  // A supervisor sees their own groups' lines (the demo supervisor: cards), not the loans line.
  await expect(queues).toContainText('信用卡服务 Card services');
  await expect(queues).not.toContainText('贷款咨询 Loans');
  await expect(sup.page.getByTestId('stat-service-level')).toBeVisible();
  await expect(sup.page.getByTestId('supervisor-agents')).toContainText('李娜');
  await api.post(visitor, `/api/v1/conversations/${waiting.id}/leave`, {});
});

test('the admin adds an agent who can then log in', async ({ browser }) => {
  const admin = await person(browser, 'en-US');
  await login(admin.page, 'admin@demo.kefu', 'demo-admin');
  await admin.page.goto(`${base()}/app/admin/agents`);
  await admin.page.getByTestId('agent-create').click();
  await admin.page.getByTestId('agent-form-email').fill('new.agent@demo.kefu');
  await admin.page.getByTestId('agent-form-name').fill('新坐席 New');
  await admin.page.getByTestId('agent-form-password').fill('new-agent-pw');
  await pickOption(admin.page, 'agent-form-role', 'Agent');
  await admin.page.getByTestId('agent-form-submit').click();
  // The directory is paged (other specs add accounts): find the new one by its email.
  await admin.page.getByTestId('agents-search').fill('new.agent@demo.kefu');
  await admin.page.getByTestId('agents-submit').click();
  await expect(admin.page.getByTestId('admin-agents-table')).toContainText('new.agent@demo.kefu');

  const fresh = await person(browser, 'en-US');
  await login(fresh.page, 'new.agent@demo.kefu', 'new-agent-pw');
  await expect(fresh.page.getByTestId('status-switch')).toBeVisible();
});

test('outside business hours the visitor leaves a message that waits for the next shift', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const group = await api.post(admin, '/api/v1/groups', {
    name: '夜间 Night',
    strategy: 'round_robin',
    business_hours: { utc_offset_minutes: 480, days: [] },
  });
  await api.post(admin, '/api/v1/business-types', { name: '夜间业务 Night service', group_id: group.id });

  const visitor = await person(browser, 'zh-CN');
  await visitor.page.goto(`${base()}/demo`);
  await visitor.page.getByTestId('kefu-launcher').click();
  const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-business-type').selectOption({ label: '夜间业务 Night service' });
  await frame.getByTestId('prechat-start').click();
  await expect(frame.getByTestId('leave-message-form')).toBeVisible();
  await frame.getByTestId('leave-message-text').fill('请明天上午给我回电话');
  await frame.getByTestId('leave-message-submit').click();
  await expect(frame.getByTestId('leave-message-done')).toBeVisible();

  const queued = await api.get(admin, '/api/v1/conversations?status=queued');
  const left = queued.conversations.find((c: { left_message: boolean; group_id: number }) => c.left_message && c.group_id === group.id);
  expect(left).toBeTruthy();
});

test('a holiday the admin adds to the calendar closes the group for the day (zh-CN)', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '00:00', close: '24:00' }));
  await api.post(admin, '/api/v1/groups', {
    name: '节假日测试 Holiday test',
    strategy: 'round_robin',
    business_hours: { time_zone: 'Asia/Shanghai', days: allWeek },
  });
  const groups = await api.get(admin, '/api/v1/groups');
  const group = groups.groups.find((g: { name: string }) => g.name === '节假日测试 Holiday test');
  await api.post(admin, '/api/v1/business-types', { name: '假日业务 Holiday service', group_id: group.id });

  // Open all week, but nobody of the group is logged in: the widget says exactly that.
  const visitor = await person(browser, 'zh-CN');
  const hint = async () => {
    await visitor.page.goto(`${base()}/demo`);
    await visitor.page.getByTestId('kefu-launcher').click();
    const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
    await frame.getByTestId('prechat-business-type').selectOption({ label: '假日业务 Holiday service' });
    return frame.getByTestId('business-type-closed');
  };
  await expect(await hint()).toHaveText('当前暂无客服在线，您可以留言，我们会尽快回复。');

  // The admin marks today (in Shanghai) as a holiday in the group's calendar.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const page = (await person(browser, 'zh-CN')).page;
  await login(page, 'admin@demo.kefu', 'demo-admin');
  await page.goto(`${base()}/app/admin/groups`);
  await page.getByRole('row').filter({ hasText: '节假日测试 Holiday test' }).getByTestId('group-edit').click();
  await expect(page.getByTestId('business-hours-zone')).toContainText('Asia/Shanghai');
  // The hours are Element Plus selects by the quarter hour; "until midnight" shows as 24:00.
  await expect(page.getByTestId('business-hours-to-1')).toContainText('24:00');
  await pickOption(page, 'business-hours-from-1', '08:00');
  await page.getByTestId('holiday-add').click();
  const row = page.getByTestId('holiday-row');
  await row.locator('input').first().fill(today);
  await row.locator('input').first().press('Enter');
  await row.getByTestId('holiday-name').locator('input').or(row.locator('input[data-testid=holiday-name]')).first().fill('测试节日');
  await page.getByTestId('group-form-submit').click();
  await expect(page.getByTestId('group-form-submit')).toBeHidden();
  const saved = (await api.get(admin, '/api/v1/groups')).groups.find((g: { id: number }) => g.id === group.id);
  expect(saved.business_hours.holidays).toEqual([{ date: today, name: '测试节日' }]);
  expect(saved.business_hours.days.find((d: { weekday: number }) => d.weekday === 1)).toEqual({ weekday: 1, open: '08:00', close: '24:00' });
  expect(saved.business_hours.days.find((d: { weekday: number }) => d.weekday === 2)).toEqual({ weekday: 2, open: '00:00', close: '24:00' });

  await expect(await hint()).toHaveText('当前不在服务时间，您可以留言，我们会尽快回复。');
});

test('a supervisor sets an agent away for a meeting, saying why, and the agent sees it at once (zh-CN)', async ({ browser }) => {
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent3@demo.kefu');
  const sup = await person(browser, 'zh-CN');
  // agent3 serves the loans line, which the demo supervisor (cards) does not watch: the admin,
  // who watches every line, steps in as the supervisor here.
  await login(sup.page, 'admin@demo.kefu', 'demo-admin');
  await sup.page.goto(`${base()}/app/supervisor`);
  const me = await api.get(await api.login('agent3@demo.kefu', 'demo-agent'), '/api/v1/agents/me');
  const mine = sup.page.getByTestId('supervisor-agents').getByRole('row').filter({ hasText: me.name });
  await expect(mine.getByTestId('agent-status')).toHaveAttribute('data-status', 'ready');
  await mine.getByTestId('agent-set-status').click();
  const dialog = sup.page.getByTestId('set-status');
  await dialog.getByTestId('set-status-away').click();
  await dialog.getByText('会议').click();
  await dialog.locator('textarea[data-testid=set-status-note]').or(dialog.getByTestId('set-status-note').locator('textarea')).first().fill('参加质检复盘会');
  await sup.page.getByTestId('set-status-submit').click();
  await expect(mine.getByTestId('agent-status')).toHaveAttribute('data-status', 'away');
  await expect(mine).toContainText('会议');
  // The agent's own workspace follows at once.
  await expect(agent.page.getByTestId('status-switch')).toHaveAttribute('data-status', 'away');
  await expect(agent.page.getByTestId('status-switch')).toContainText('会议');
  // Opening the row shows the agent's day and what they serve now.
  await mine.getByTestId('agent-open-day').click();
  const day = sup.page.getByTestId('agent-day');
  await expect(day).toContainText('今日接待');
  await expect(day.getByTestId('agent-day-answered')).toHaveText(/^\d+$/);
  await expect(day).toContainText('正在接待');
  await agent.context.close();
  await sup.context.close();
  await leaveFloor('agent3@demo.kefu');
});
