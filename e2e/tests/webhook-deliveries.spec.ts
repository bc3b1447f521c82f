// The webhook delivery log pages: the drawer shows the newest 50 with the count, and loads older
// pages on request. A kefu of its own, allowed to post to loopback (nothing listens there, so
// the deliveries fail and retry without touching the shared server).
import { expect, test } from '@playwright/test';
import { api, base, login, ownKefu, person } from './helpers';

ownKefu(() => 'outbound_allow = ["127.0.0.1"]\n');

test('the admin pages through a webhook delivery log (zh-CN)', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const hook = await api.post(admin, '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['conversation.created'] });
  const id = hook.webhook.id;
  // 60 conversations start: one delivery each.
  for (let i = 0; i < 60; i++) {
    const v = await api.visitor(`投递客户${i}`);
    const c = await api.post(v, '/api/v1/conversations', { business_type_id: 1, message: 'hi' });
    await api.post(v, `/api/v1/conversations/${c.id}/leave`, {});
  }
  await expect.poll(async () => (await api.get(admin, `/api/v1/webhooks/${id}/deliveries?limit=1`)).total).toBe(60);

  const page = (await person(browser, 'zh-CN')).page;
  await login(page, 'admin@demo.kefu', 'demo-admin');
  await page.goto(`${base()}/app/admin/webhooks`);
  await page.locator('[data-testid=webhook-deliveries-button]:visible').first().click();
  const drawer = page.getByTestId('webhook-deliveries-drawer');
  const rows = drawer.getByTestId('webhook-deliveries').locator('.el-table__body tr');
  await expect(rows).toHaveCount(50);
  await expect(drawer.getByTestId('webhook-deliveries-count')).toHaveText('已显示 50 / 共 60 条投递记录');
  await drawer.getByTestId('webhook-deliveries-more').click();
  await expect(rows).toHaveCount(60);
  await expect(drawer.getByTestId('webhook-deliveries-count')).toHaveText('已显示 60 / 共 60 条投递记录');
  await expect(drawer.getByTestId('webhook-deliveries-more')).toHaveCount(0);
});
