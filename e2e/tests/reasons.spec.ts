// 咨询原因 through the real UI: agents tag conversations and customers leave CSAT comments; the
// supervisor opens the reports' contact reasons tab, sees the tags ranked with their share and
// CSAT, reads a tag's comments newest first, opens the conversation behind one, and exports a CSV.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, login, ownKefu, person } from './helpers';

// A kefu of this spec's own: the counts are this spec's traffic only.
ownKefu();

/** Three conversations served by 李娜: two tagged 退款 (one also 登录问题), rated with comments. */
async function traffic() {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const refund = await api.post(admin, '/api/v1/tags', { name: '退款', color: '#e6a23c' });
  const signIn = await api.post(admin, '/api/v1/tags', { name: '登录问题', color: '#409eff' });
  const agent = await api.login('agent1@demo.kefu', 'demo-agent');
  await api.call('PUT', '/api/v1/agents/me/status', agent, { status: 'ready' });
  const served: [number[], number, string][] = [
    [[refund.id], 2, '退款等了一周还没到账'],
    [[refund.id, signIn.id], 5, '登录和退款都解决了，谢谢'],
    [[], 4, ''],
  ];
  for (const [tags, score, comment] of served) {
    const visitor = await api.visitor('客户');
    const c = await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: '你好' });
    await api.post(agent, `/api/v1/conversations/${c.id}/accept`, {});
    for (const t of tags) await api.call('PUT', `/api/v1/conversations/${c.id}/tags/${t}`, agent);
    await api.post(agent, `/api/v1/conversations/${c.id}/close`, { wrap_up_code: 'resolved' });
    await api.post(visitor, `/api/v1/conversations/${c.id}/csat`, { score, comment: comment || undefined });
  }
  await api.call('PUT', '/api/v1/agents/me/status', agent, { status: 'offline' });
}

function row(page: Page, text: string) {
  return page.getByTestId('reasons-table').locator('.el-table__body tr', { hasText: text }).first().locator('td');
}

test('the supervisor reads the contact reasons with their CSAT comments and exports them', async ({ browser }) => {
  await traffic();
  const sup = await person(browser, 'zh-CN');
  const page = sup.page;
  await login(page, 'supervisor@demo.kefu', 'demo-supervisor');
  await page.getByTestId('nav-reports').click();
  await page.getByRole('tab', { name: '咨询原因' }).click();
  await expect(page).toHaveURL(/tab=reasons/);

  await expect(page.getByTestId('reasons-chart').locator('svg')).toBeVisible();
  await expect(page.getByTestId('reasons-summary')).toContainText('标签覆盖率');
  await expect(page.getByTestId('reasons-summary')).toContainText('66.7%');
  // Ranked: 退款 first, in 2 of the 2 tagged conversations, CSAT (2 + 5) / 2.
  const first = page.getByTestId('reasons-table').locator('.el-table__body tr').first();
  await expect(first).toContainText('退款');
  const refund = row(page, '退款');
  await expect(refund.nth(2)).toHaveText('2');
  await expect(refund.nth(3)).toHaveText('100.0%');
  await expect(refund.nth(4)).toHaveText('3.50');
  await expect(row(page, '登录问题').nth(3)).toHaveText('50.0%');

  // The comments, newest first; one opens its conversation.
  await refund.first().click();
  const comments = page.getByTestId('reason-comments-退款');
  await expect(comments.locator('li')).toHaveCount(2);
  await expect(comments.locator('li').first()).toContainText('登录和退款都解决了');
  await expect(comments.locator('li').nth(1)).toContainText('退款等了一周还没到账');
  await expect(comments.locator('li').nth(1)).toContainText('2/5');
  await comments.locator('li').nth(1).getByRole('button').click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('Escape');

  // A reload keeps the tab (it is in the URL).
  await page.reload();
  await expect(row(page, '退款').nth(2)).toHaveText('2');

  const download = page.waitForEvent('download');
  await page.getByTestId('reports-export-csv').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^kefu-reasons-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '').split('\r\n');
  expect(lines[0]).toMatch(/^时段,咨询原因,会话数,占比 %,满意度均分/);
  expect(lines).toContain('合计,退款,2,100,3.5,50,2,2');
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const log = await api.get(admin, '/api/v1/reports/exports');
  expect(log.exports[0]).toMatchObject({ report: 'reasons', format: 'csv' });

  // The channel filter goes into the URL; no conversation came by app.
  await page.getByTestId('reports-channels').click();
  await page.getByRole('option', { name: 'App' }).click();
  await expect(page).toHaveURL(/channels=app/);
  await expect(page.getByTestId('reasons-table')).toContainText('该时间范围内没有打标签的会话');
});
