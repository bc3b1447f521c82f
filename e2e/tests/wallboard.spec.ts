// The wallboard (监控大屏) and floor alerts: a wall display that follows the line live over the
// WebSocket, and a supervisor alerted on the page and by a desktop notification when a group's
// line passes its threshold, cleared when it drops. Each test makes its own group (so other
// specs' waiting customers do not count) and removes the thresholds it set.
import { expect, test, type Page } from '@playwright/test';
import { api, base, login } from './helpers';

/** A group of its own with a business type that queues into it, and its alert levels: waiting
 * warns at 1 and is critical at 3; longest wait and service level off (this test is about the line). */
async function watchedGroup(admin: string, name: string) {
  const group = await api.post(admin, '/api/v1/groups', { name, strategy: 'round_robin' });
  const type = await api.post(admin, '/api/v1/business-types', { name: `${name} 业务`, group_id: group.id });
  await api.call('PUT', `/api/v1/groups/${group.id}/alert-thresholds`, admin, {
    waiting_warning: 1,
    waiting_critical: 3,
    longest_wait_warning_secs: 0,
    longest_wait_critical_secs: 0,
    service_level_warning_pct: 0,
    service_level_critical_pct: 0,
  });
  return { group: group.id as number, type: type.id as number };
}

async function queueVisitor(businessType: number) {
  const visitor = await api.visitor('排队的客户');
  const c = await api.post(visitor, '/api/v1/conversations', { business_type_id: businessType, message: '有人吗？' });
  return { visitor, id: c.id as number };
}

test('the wallboard updates live when a visitor queues, and the tile turns to the warning colour (zh-CN)', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const name = `大屏测试 Wall ${Date.now() % 100000}`;
  const { group, type } = await watchedGroup(admin, name);
  // A supervisor's wallboard shows their own groups: the supervisor joins this one.
  const supervisor = await api.login('supervisor@demo.kefu', 'demo-supervisor');
  const me = await api.get(supervisor, '/api/v1/agents/me');
  await api.call('PUT', `/api/v1/groups/${group}/members`, admin, [{ agent_id: me.id, skill_level: 1 }]);
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  try {
    await login(page, 'supervisor@demo.kefu', 'demo-supervisor');
    await page.getByTestId('nav-wallboard').click();
    await expect(page).toHaveURL(/\/app\/wallboard$/);
    await expect(page.getByTestId('user-menu')).toBeHidden(); // full screen: no app header
    const tile = page.getByTestId(`wallboard-tile-${group}`);
    await expect(tile).toContainText(name);
    await expect(tile).toContainText('今日服务水平');
    await expect(page.getByTestId(`wallboard-waiting-${group}`)).toHaveText('0');
    await expect(tile).toHaveAttribute('data-level', 'ok');
    await expect(page.getByTestId(`wallboard-level-${group}`)).toHaveText('正常');
    // Marks this document: still there afterwards means the update came without a reload.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    const { visitor, id } = await queueVisitor(type);
    await expect(page.getByTestId(`wallboard-waiting-${group}`)).toHaveText('1');
    await expect(tile).toHaveAttribute('data-level', 'warning');
    await expect(page.getByTestId(`wallboard-level-${group}`)).toHaveText('预警');
    // The warning colour (amber border), not only the word.
    await expect(tile).toHaveCSS('border-top-color', 'rgb(245, 158, 11)');
    // The longest wait ticks on the display between frames.
    await expect(page.getByTestId(`wallboard-longest-${group}`)).not.toHaveText('0:00');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    await api.post(visitor, `/api/v1/conversations/${id}/leave`, {});
    await expect(page.getByTestId(`wallboard-waiting-${group}`)).toHaveText('0');
    await expect(tile).toHaveAttribute('data-level', 'ok');
  } finally {
    await api.call('DELETE', `/api/v1/groups/${group}/alert-thresholds`, admin);
    await api.call('PUT', `/api/v1/groups/${group}/members`, admin, []);
    await context.close();
  }
});

test('an alert fires on the supervisor page when the line passes its threshold, and clears when it drops (en)', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const name = `Alerts ${Date.now() % 100000}`;
  const { group, type } = await watchedGroup(admin, name);
  // Alerts go to the group's supervisors (and admins): the supervisor joins this group.
  const supervisor = await api.login('supervisor@demo.kefu', 'demo-supervisor');
  const me = await api.get(supervisor, '/api/v1/agents/me');
  await api.call('PUT', `/api/v1/groups/${group}/members`, admin, [{ agent_id: me.id, skill_level: 1 }]);
  const context = await browser.newContext({ locale: 'en-US', permissions: ['notifications'] });
  // Records every desktop notification the page shows (headless Chromium has no desktop to show
  // them on).
  await context.addInitScript(() => {
    const w = window as unknown as { __notes: { title: string; body?: string }[]; Notification: typeof Notification };
    w.__notes = [];
    const Real = w.Notification;
    class Recorded extends Real {
      constructor(title: string, opts?: NotificationOptions) {
        w.__notes.push({ title, body: opts?.body });
        super(title, opts);
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
    Object.defineProperty(Recorded, 'requestPermission', { value: Real.requestPermission.bind(Real) });
    w.Notification = Recorded;
  });
  const page = await context.newPage();
  try {
    await login(page, 'supervisor@demo.kefu', 'demo-supervisor');
    await page.goto(`${base()}/app/supervisor`);
    await expect(page.getByTestId('alerts-desktop-on')).toBeVisible();
    await expect(page.getByTestId('alerts-panel')).not.toContainText('wallboard.'); // no raw i18n key
    const banner = page.getByTestId(`alert-banner-${group}-waiting`);
    await expect(banner).toHaveCount(0);

    const { visitor, id } = await queueVisitor(type);
    await expect(banner).toBeVisible();
    await expect(banner).toHaveAttribute('data-level', 'warning');
    await expect(banner).toContainText(`Warning — ${name}`);
    await expect(banner).toContainText('1 waiting (alert at 1)');
    await expect(page.getByTestId('nav-alerts-badge')).toBeVisible(); // counted on the navigation link
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __notes: { title: string }[] }).__notes.map((n) => n.title)))
      .toContain(`Warning — ${name}`);

    // The customer gives up: the line drops to 0 and, once it has stayed there, the alert clears.
    await api.post(visitor, `/api/v1/conversations/${id}/leave`, {});
    await expect(banner).toHaveCount(0, { timeout: 20_000 });
    // Recorded: today's alerts list it, cleared.
    await page.getByText(/Today's alerts/).click();
    const today = page.getByTestId('alerts-today');
    await expect(today).toContainText(name);
    const alerts = await api.get(supervisor, '/api/v1/alerts');
    const mine = alerts.alerts.find((a: { group_id: number }) => a.group_id === group);
    expect(mine.metric).toBe('waiting');
    expect(mine.cleared_at).not.toBeNull();
  } finally {
    await api.call('DELETE', `/api/v1/groups/${group}/alert-thresholds`, admin);
    await api.call('PUT', `/api/v1/groups/${group}/members`, admin, []);
    await context.close();
  }
});

test('the admin sets a group\'s alert thresholds on the admin page, and a refused level is named (zh-CN)', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const group = (await api.post(admin, '/api/v1/groups', { name: `阈值 Levels ${Date.now() % 100000}`, strategy: 'round_robin' })).id as number;
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1600, height: 900 } });
  const page = await context.newPage();
  try {
    await login(page, 'admin@demo.kefu', 'demo-admin');
    await page.goto(`${base()}/app/admin`);
    await page.getByTestId('nav-admin-alert-thresholds').click();
    const input = (field: string) => page.getByTestId(`threshold-${group}-${field}`).locator('input');
    await expect(input('waiting_warning')).toHaveValue('5'); // the defaults
    // Critical below warning: refused, and the message names the field in Chinese.
    await input('waiting_warning').fill('8');
    await input('waiting_critical').fill('4');
    await page.getByTestId(`threshold-save-${group}`).click();
    await expect(page.getByTestId('thresholds-error')).toContainText('排队数告警阈值');
    await input('waiting_critical').fill('12');
    await page.getByTestId(`threshold-save-${group}`).click();
    await expect(page.getByTestId('thresholds-error')).toHaveCount(0);
    await expect
      .poll(async () => (await api.get(admin, '/api/v1/alert-thresholds')).groups.find((g: { group_id: number }) => g.group_id === group))
      .toMatchObject({ waiting_warning: 8, waiting_critical: 12, custom: true });
    await page.getByTestId(`threshold-reset-${group}`).click();
    await expect(input('waiting_warning')).toHaveValue('5');
  } finally {
    await api.call('DELETE', `/api/v1/groups/${group}/alert-thresholds`, admin);
    await context.close();
  }
});

test('each tile shows its group’s own service-level target and turns amber once a customer waits past it (en)', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const name = `Target wall ${Date.now() % 100000}`;
  const { group, type } = await watchedGroup(admin, name);
  // Only the target can colour this tile: the line's own levels are out of reach of one customer.
  await api.call('PUT', `/api/v1/groups/${group}/alert-thresholds`, admin, {
    waiting_warning: 5,
    waiting_critical: 9,
    longest_wait_warning_secs: 0,
    longest_wait_critical_secs: 0,
    service_level_warning_pct: 0,
    service_level_critical_pct: 0,
  });
  await api.call('PATCH', `/api/v1/groups/${group}`, admin, { service_level_target_secs: 2 });
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  const queued = await queueVisitor(type);
  try {
    await login(page, 'admin@demo.kefu', 'demo-admin');
    await page.goto(`${base()}/app/wallboard`);
    await expect(page.getByTestId(`wallboard-target-${group}`)).toHaveText('Target: answered within 2 s');
    await expect(page.getByTestId('wallboard-target-1')).toHaveText('Target: answered within 20 s');
    await expect(page.getByTestId(`wallboard-tile-${group}`)).toHaveAttribute('data-level', 'warning', { timeout: 10_000 });
  } finally {
    await api.post(queued.visitor, `/api/v1/conversations/${queued.id}/leave`, {});
    await api.call('DELETE', `/api/v1/groups/${group}/alert-thresholds`, admin);
    await context.close();
  }
});
