// The planner (班长) imports an old system's interval history as CSV, then sees the forecast
// against the actuals, the staffing curve and, after asking for them, suggested shifts with
// the coverage curve against the requirement.
import { expect, test } from '@playwright/test';
import { api, base, person } from './helpers';

/** The organisation's zone (the demo's Asia/Shanghai, UTC+8 all year). */
const SHANGHAI = 8 * 3_600_000;

/** Three weeks of half hours up to today's midnight in Shanghai: 12 calls each half hour from
 *  09:00 to 18:00 Shanghai time on its weekdays, 240 s handle time. */
function historyCsv(group: string): string {
  const end = Math.floor((Date.now() + SHANGHAI) / 86_400_000) * 86_400_000 - SHANGHAI;
  const rows = ['interval_start,group,offered,aht'];
  for (let t = end - 21 * 86_400_000; t < end; t += 1_800_000) {
    // Shanghai's wall clock read through the UTC getters.
    const d = new Date(t + SHANGHAI);
    const weekday = d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
    const slot = d.getUTCHours() * 2 + d.getUTCMinutes() / 30;
    const offered = weekday && slot >= 18 && slot < 36 ? 12 : 0;
    rows.push(`${new Date(t).toISOString()},${group},${offered},${offered ? 240 : ''}`);
  }
  return rows.join('\n') + '\n';
}

test('the planner imports a CSV and sees the forecast and the suggested shifts', async ({ browser }) => {
  const { page } = await person(browser, 'zh-CN');
  await page.goto(`${base()}/app/`);
  await page.getByTestId('login-email').fill('supervisor@demo.kefu');
  await page.getByTestId('login-password').fill('demo-supervisor');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('user-menu')).toBeVisible();

  await page.getByTestId('nav-planning').click();
  await expect(page.getByRole('heading', { name: '话务预测与排班' })).toBeVisible();
  await page.getByTestId('planning-import-input').setInputFiles({
    name: 'history.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(historyCsv('信用卡服务 Card services')),
  });
  await expect(page.getByText('已导入 1008 个时段')).toBeVisible();

  const forecast = page.getByTestId('planning-forecast-chart');
  await expect(forecast.locator('svg')).toBeVisible();
  await expect.poll(() => forecast.locator('svg path').count()).toBeGreaterThan(10);
  await expect(page.getByTestId('planning-method')).not.toBeEmpty();
  await expect(page.getByTestId('planning-backtest')).toContainText('上周同时段');
  // Times on the organisation's clock: calls from 09:00 Shanghai time are at 09:00 (not 01:00).
  await expect(page.getByTestId('planning-staffing-table')).toContainText('时段（Asia/Shanghai）');
  await expect(page.getByTestId('planning-staffing-table')).toContainText('09:00');

  await page.getByTestId('planning-suggest').click();
  const shifts = page.getByTestId('planning-shifts');
  await expect(shifts).toContainText('坐席 1');
  await expect(shifts).toContainText('开始（Asia/Shanghai）');
  // The default contract (08:00-20:00, weekends off) is kept on the Shanghai clock: the
  // demand is 09:00-18:00 there, so every shift starts and ends inside those hours.
  const cells = await shifts.locator('.el-table__body tr td').allTextContents();
  const times = cells.filter((c) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(c.trim())).map((c) => c.trim().slice(11));
  expect(times.length).toBeGreaterThan(0);
  for (const hm of times) expect(hm >= '08:00' && hm <= '20:00', hm).toBe(true);
  await expect(page.getByTestId('planning-gaps')).toContainText('个班次');
  const coverage = page.getByTestId('planning-coverage-chart');
  await expect(coverage.locator('svg')).toBeVisible();
  await expect.poll(() => coverage.locator('svg path').count()).toBeGreaterThan(10);
});

test('the admin changes the shrinkage and the agents to schedule follow', async ({ browser }) => {
  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const res = await fetch(`${base()}/api/v1/planning/history/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: historyCsv('信用卡服务 Card services'),
  });
  expect(res.status).toBe(200);
  const { page } = await person(browser, 'en-US');
  await page.goto(`${base()}/app/`);
  await page.getByTestId('login-email').fill('admin@demo.kefu');
  await page.getByTestId('login-password').fill('demo-admin');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
  await page.goto(`${base()}/app/planning`);
  // 12 calls × 240 s per half hour = 1.6 erlangs: 4 agents for 80/20 (4 reach 92.6%).
  const firstRow = page.getByTestId('planning-staffing-table').locator('tbody tr').first();
  await expect(firstRow).toContainText('92.6%');
  await expect(firstRow.locator('td').nth(4)).toHaveText('6'); // ceil(4 / 0.7)
  await page.getByTestId('planning-settings').click();
  await page.getByTestId('planning-shrinkage').locator('input').fill('50');
  await page.getByTestId('planning-settings-save').click();
  await expect(firstRow.locator('td').nth(4)).toHaveText('8'); // 4 / (1 - 0.5)
});

test('the planning page reads in English: texts, forecast chart, no raw keys', async ({ browser }) => {
  const { page } = await person(browser, 'en-US');
  await page.goto(`${base()}/app/`);
  await page.getByTestId('login-email').fill('supervisor@demo.kefu');
  await page.getByTestId('login-password').fill('demo-supervisor');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('user-menu')).toBeVisible();

  await page.getByTestId('nav-planning').click();
  await expect(page.getByRole('heading', { name: 'Forecast and scheduling' })).toBeVisible();
  await page.getByTestId('planning-import-input').setInputFiles({
    name: 'history.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(historyCsv('信用卡服务 Card services')),
  });
  await expect(page.getByText('1008 intervals imported')).toBeVisible();

  const forecast = page.getByTestId('planning-forecast-chart');
  await expect(forecast.locator('svg')).toBeVisible();
  await expect.poll(() => forecast.locator('svg path').count()).toBeGreaterThan(10);
  await expect(forecast).toHaveAttribute('aria-label', /Contacts offered per half hour/);
  await expect(forecast.locator('svg')).toContainText('Actual');
  await expect(forecast.locator('svg')).toContainText('Forecast');
  await expect(page.getByText('Forecast against actual')).toBeVisible();
  await expect(page.getByTestId('planning-backtest')).toContainText('Same interval last week');
  await expect(page.getByTestId('planning-backtest')).toContainText('Backtest error (wMAPE)');
  const staffing = page.getByTestId('planning-staffing-table');
  await expect(staffing).toContainText('Interval (Asia/Shanghai)');
  await expect(staffing).toContainText('Agents required');
  await expect(staffing).toContainText('09:00');

  await page.getByTestId('planning-suggest').click();
  const shifts = page.getByTestId('planning-shifts');
  await expect(shifts).toContainText('Agent 1');
  await expect(shifts).toContainText('Start (Asia/Shanghai)');
  await expect(page.getByTestId('planning-gaps')).toContainText('shifts');
  await expect(page.getByTestId('planning-coverage-chart')).toHaveAttribute('aria-label', /Agents on shift per half hour/);

  // No message key shown raw, and no Chinese outside the data (the demo group's own name).
  const text = (await page.locator('main').innerText()).replaceAll('信用卡服务', '');
  expect(text).not.toMatch(/\bplanning\.[a-zA-Z]/);
  expect(text).not.toMatch(/[\u4e00-\u9fff]/);
});
