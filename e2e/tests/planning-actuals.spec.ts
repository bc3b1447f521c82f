// 排班与实际对比 through the real UI: a plan is saved for this week, an agent of the group is
// ready for a while in one of its half hours, and the planner's plan-against-actuals card counts
// that agent against the plan; the plan and the period chosen live in the URL (a reload keeps
// them), and a past week can be asked for by its days.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { agentReady, api, base, login, ownKefu, person } from './helpers';

// A kefu of this spec's own: the agents counted are this spec's only.
ownKefu();

const CARDS = '信用卡服务 Card services';
const HALF_HOUR = 1_800_000;

/** Three weeks of half hours up to today's midnight (UTC): 2 calls in every half hour. */
function historyCsv(): string {
  const end = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const rows = ['interval_start,group,offered,aht'];
  for (let t = end - 21 * 86_400_000; t < end; t += HALF_HOUR) rows.push(`${new Date(t).toISOString()},${CARDS},2,240`);
  return rows.join('\n') + '\n';
}

/** The half hour's label as the planning page writes it: on the organisation's clock
 *  (Asia/Shanghai, UTC+8 all year). */
const stamp = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

function firstRow(page: Page) {
  return page.getByTestId('planning-actuals-table').locator('.el-table__body tr').first().locator('td');
}

test('an agent ready in a planned half hour is counted against the plan, for the period in the URL', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const res = await fetch(`${base()}/api/v1/planning/history/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
    body: historyCsv(),
  });
  expect(res.status).toBe(200);
  const groups = await api.get(admin, '/api/v1/planning/groups');
  const cards = groups.groups.find((g: { name: string }) => g.name === CARDS).id;
  // Ten agents who may work any hour of any day: the plan covers this half hour too.
  const contract = (i: number) => ({
    name: `坐席 ${i}`,
    hours_per_week: 40,
    shift_hours: [8],
    earliest_start: '00:00',
    latest_end: '24:00',
    days_off: [],
  });
  const plan = await api.post(admin, `/api/v1/planning/groups/${cards}/schedule`, {
    contracts: Array.from({ length: 10 }, (_, i) => contract(i + 1)),
  });

  // 李娜 (a member of card services) goes ready in the workspace and stays ready.
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const readySince = Date.now();
  await agent.page.waitForTimeout(3000);

  const planner = await person(browser, 'zh-CN');
  const page = planner.page;
  await login(page, 'supervisor@demo.kefu', 'demo-supervisor');
  await page.getByTestId('nav-planning').click();
  const card = page.getByTestId('planning-actuals');
  await expect(card).toContainText('排班与实际对比');
  // Newest half hour first: the one the agent has been ready in counts one agent ready or serving.
  const cells = firstRow(page);
  await expect(cells.nth(2)).toHaveText('1');
  const now = Date.now();
  const labels = [stamp(now - (now % HALF_HOUR)), stamp(readySince - (readySince % HALF_HOUR))];
  expect(labels).toContain(await cells.nth(0).textContent());
  await expect(cells.nth(1)).toHaveText(/^\d+$/); // the plan's agents for that half hour
  await expect(page.getByTestId('planning-actual-agents-chart').locator('svg')).toBeVisible();

  // One saved plan chosen by name: it goes into the URL, and a reload keeps it and the count.
  await page.getByTestId('planning-actuals-plan').click();
  await page.getByRole('option', { name: new RegExp(`^排班 #${plan.id}：`) }).click();
  await expect(page).toHaveURL(new RegExp(`plan=${plan.id}`));
  await expect(page).toHaveURL(new RegExp(`group=${cards}`));
  await page.reload();
  await expect(page.getByTestId('planning-actuals-plan')).toContainText(`排班 #${plan.id}`);
  await expect(firstRow(page).nth(2)).toHaveText('1');

  // The same period as a CSV: a row per half hour, the agent counted in one of them.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('planning-actuals-csv').click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^kefu-plan_actuals-${cards}-.*\\.csv$`));
  const lines = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  expect(lines[0]).toBe('时段,排班,需求人数,排班人数,就绪或服务中人数,在线人数,就绪人数,服务中人数,预测进线量,实际进线量');
  const counted = lines.slice(1).filter((l) => l.split(',')[4] === '1');
  expect(counted.length).toBeGreaterThanOrEqual(1);
  expect(counted[0]!.split(',')[1]).toBe(String(plan.id));

  // A past week by its days (a link or a bookmark): before any plan and any agent, so nothing
  // was scheduled and nobody came, and the picker shows the days asked for.
  // Days are the organisation's (Asia/Shanghai), as on the report pages.
  const day = (ms: number) => new Date(ms).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  const from = day(now - 14 * 86_400_000);
  const to = day(now - 8 * 86_400_000);
  await page.goto(`${base()}/app/planning?group=${cards}&from=${from}&to=${to}`);
  const range = page.getByTestId('planning-actuals').locator('.period .el-date-editor input');
  await expect(range.first()).toHaveValue(from);
  await expect(range.nth(1)).toHaveValue(to);
  await expect(page.getByTestId('planning-actuals-table').locator('.el-table__body tr')).toHaveCount(0);
  // Back to this week through the picker: the agent counts again.
  await range.first().fill(day(now));
  await range.nth(1).fill(day(now));
  await range.nth(1).press('Enter');
  await expect(page).toHaveURL(new RegExp(`from=${day(now)}`));
  await expect(firstRow(page).nth(2)).toHaveText('1');
});
