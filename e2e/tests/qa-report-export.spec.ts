// 质检报表 exports: after a conversation is closed and scored automatically, the QA report page
// (its range kept in the URL) downloads its per-agent and per-rule lines as CSV, with the same
// figures as the tables.
import { readFileSync } from 'node:fs';
import { expect, test, type Download } from '@playwright/test';
import { api, leaveFloor, login, ownKefu, person } from './helpers';

// A kefu of this spec's own: the report holds this spec's conversation only.
ownKefu();

async function lines(download: Download): Promise<string[]> {
  return readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
}

test('zh-CN: the QA report downloads its agent and rule lines as CSV', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  await api.post(admin, '/api/v1/qa/starter', {});
  // 陈静 (loans) serves a customer with a forbidden word and no greeting, and closes.
  const agent = await api.login('agent4@demo.kefu', 'demo-agent');
  await api.call('PUT', '/api/v1/agents/me/status', agent, { status: 'ready' });
  const visitor = await api.visitor('质检导出客户');
  const conv = await api.post(visitor, '/api/v1/conversations', { business_type_id: 2, message: '我的贷款申请被拒了' });
  await expect.poll(async () => (await fetch(`${process.env.KEFU_E2E_URL}/api/v1/conversations/${conv.id}/accept`, { method: 'POST', headers: { authorization: `Bearer ${agent}` } })).ok).toBe(true);
  await api.post(agent, `/api/v1/conversations/${conv.id}/messages`, { body: '这个你自己看着办' });
  await api.post(agent, `/api/v1/conversations/${conv.id}/close`, { wrap_up_code: 'resolved' });
  await leaveFloor('agent4@demo.kefu');
  await expect.poll(async () => Boolean((await api.get(admin, `/api/v1/qa/conversations/${conv.id}`)).auto)).toBe(true);

  const { page } = await person(browser, 'zh-CN');
  await login(page, 'admin@demo.kefu', 'demo-admin');
  await page.getByTestId('nav-qa').click();
  await page.goto(`${page.url().split('/app/')[0]}/app/qa/report`);
  await expect(page).toHaveURL(/from=\d{4}-\d{2}-\d{2}/);
  const agentRow = page.getByTestId('qa-report-agents').locator('.el-table__body tr', { hasText: '陈静' });
  await expect(agentRow.locator('td').nth(1)).toHaveText('1');

  const [byAgent] = await Promise.all([page.waitForEvent('download'), page.getByTestId('qa-report-agents-csv').click()]);
  expect(byAgent.suggestedFilename()).toMatch(/^kefu-qa_agents-.*\.csv$/);
  const agents = await lines(byAgent);
  expect(agents[0]).toBe('坐席,自动评分会话数,平均自动得分,严重命中会话数,人工复核数,平均复核得分');
  expect(agents.find((l) => l.startsWith('陈静'))?.split(',')[1]).toBe('1');

  const [byRule] = await Promise.all([page.waitForEvent('download'), page.getByTestId('qa-report-rules-csv').click()]);
  const rules = await lines(byRule);
  expect(rules[0]).toBe('规则,命中次数,命中会话数');
  expect(rules.length).toBeGreaterThan(1);
  const shownRules = await page.getByTestId('qa-report-rules').locator('.el-table__body tr').count();
  expect(rules.length - 1).toBe(shownRules);
});
