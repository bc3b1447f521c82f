// 报表 through the real UI: after some traffic the supervisor opens the reports from the nav,
// sees the chart and the table with the day's counts, changes the interval (kept in the URL,
// so a reload keeps it), and exports a CSV whose rows carry the same counts.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, base, login, ownKefu, person } from './helpers';

// A kefu of this spec's own: the counts are this spec's traffic only.
ownKefu();

/** Three customers of card services: one gives up at once, two are served and closed by 李娜. */
async function traffic() {
  const quitter = await api.visitor('走了的客户');
  const gone = await api.post(quitter, '/api/v1/conversations', { business_type_id: 1, message: '有人吗' });
  await api.post(quitter, `/api/v1/conversations/${gone.id}/leave`, {});
  const agent = await api.login('agent1@demo.kefu', 'demo-agent');
  await api.call('PUT', '/api/v1/agents/me/status', agent, { status: 'ready' });
  for (const name of ['客户甲', '客户乙']) {
    const visitor = await api.visitor(name);
    const c = await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '你好' });
    await api.post(agent, `/api/v1/conversations/${c.id}/accept`, {});
    await api.post(agent, `/api/v1/conversations/${c.id}/messages`, { body: '您好，请讲' });
    await api.post(agent, `/api/v1/conversations/${c.id}/close`, { wrap_up_code: 'resolved' });
    await api.post(visitor, `/api/v1/conversations/${c.id}/csat`, { score: 5 });
  }
}

/** The cells of the table row naming `text`. */
function row(page: Page, table: string, text: string) {
  return page.getByTestId(table).locator('.el-table__body tr', { hasText: text }).first().locator('td');
}

test('the supervisor reads the day in charts and tables, reloads, and exports a CSV', async ({ browser }) => {
  await traffic();
  const sup = await person(browser, 'zh-CN');
  const page = sup.page;
  await login(page, 'supervisor@demo.kefu', 'demo-supervisor');
  await page.getByTestId('nav-reports').click();
  await expect(page).toHaveURL(/\/app\/reports/);

  await expect(page.getByTestId('reports-volume-chart').locator('svg')).toBeVisible();
  await expect(page.getByTestId('reports-zone')).toContainText('Asia/Shanghai');
  const cards = row(page, 'reports-key-table', '信用卡服务 Card services');
  await expect(cards.nth(1)).toHaveText('3'); // offered
  await expect(cards.nth(2)).toHaveText('2'); // answered
  await expect(cards.nth(3)).toHaveText('1'); // abandoned
  await expect(cards.nth(5)).toHaveText('100.0%'); // the quick abandon is out of the service level
  await expect(page.getByTestId('reports-summary')).toContainText('进线量');

  // Quarter hours: the interval goes into the URL and survives a reload.
  await page.getByTestId('reports-interval').click();
  await page.getByRole('option', { name: '15 分钟' }).click();
  await expect(page).toHaveURL(/interval=15m/);
  await page.reload();
  await expect(page).toHaveURL(/interval=15m/);
  await expect(page.getByTestId('reports-interval')).toContainText('15 分钟');
  const quarter = page.getByTestId('reports-volume-table').locator('.el-table__body tr').first().locator('td');
  await expect(quarter.nth(0)).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:(00|15|30|45)$/);
  await expect(row(page, 'reports-key-table', '信用卡服务 Card services').nth(1)).toHaveText('3');

  // The CSV: Chinese headers, the group's totals, and the export logged for the admin.
  const download = page.waitForEvent('download');
  await page.getByTestId('reports-export-csv').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^kefu-conversations-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '');
  const lines = csv.split('\r\n');
  expect(lines[0]).toMatch(/^时段,维度,进线量,接通量,放弃量,5秒内放弃,服务水平 %/);
  expect(lines).toContainEqual(expect.stringMatching(/^合计,信用卡服务 Card services,3,2,1,1,100,/));
  expect(lines.filter((l) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2},信用卡服务 Card services,/.test(l)).length).toBeGreaterThan(0);
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const log = await api.get(admin, '/api/v1/reports/exports');
  expect(log.exports[0]).toMatchObject({ report: 'conversations', format: 'csv' });
  expect(log.exports[0].query).toContain('interval=15m');
});

test('the agent state report names away reasons in words (zh-CN)', async ({ browser }) => {
  const agent = await api.login('agent1@demo.kefu', 'demo-agent');
  for (const reason of ['meal', 'missed_offers']) {
    await api.call('PUT', '/api/v1/agents/me/status', agent, { status: 'away', reason });
    await new Promise((r) => setTimeout(r, 1100));
  }
  await api.call('PUT', '/api/v1/agents/me/status', agent, { status: 'offline' });
  const sup = await person(browser, 'zh-CN');
  await login(sup.page, 'supervisor@demo.kefu', 'demo-supervisor');
  await sup.page.goto(`${base()}/app/reports?tab=agents`);
  const cells = row(sup.page, 'reports-agent-table', '李娜');
  await expect(cells.nth(6)).toContainText('用餐');
  await expect(cells.nth(6)).toContainText('多次未接');
  await expect(cells.nth(6)).not.toContainText('meal');
  await expect(cells.nth(6)).not.toContainText('missed_offers');
  await sup.context.close();
});
