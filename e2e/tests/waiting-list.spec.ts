// The supervisor's waiting list (排队客户): who waits in the supervisor's groups, since when, with
// the first message; new arrivals appear without a reload, a row opens the chat read-only, and
// customers who leave drop off.
import { expect, test } from '@playwright/test';
import { api, base, login, person } from './helpers';

test('the supervisor sees who waits with their first message and opens the chat (zh-CN)', async ({ browser }) => {
  const suffix = Date.now().toString(36);
  const first = await api.visitor(`排队甲-${suffix}`);
  const c1 = await api.post(first, '/api/v1/conversations', { business_type_id: 1, message: `信用卡额度怎么提高-${suffix}` });
  // Another group's customer (loans): the cards supervisor does not watch that line.
  const other = await api.visitor(`贷款客户-${suffix}`);
  const c3 = await api.post(other, '/api/v1/conversations', { business_type_id: 2, message: `贷款利率-${suffix}` });

  const sup = await person(browser, 'zh-CN');
  await login(sup.page, 'supervisor@demo.kefu', 'demo-supervisor');
  await sup.page.goto(`${base()}/app/supervisor`);
  const list = sup.page.getByTestId('supervisor-waiting');
  await expect(sup.page.getByText('排队客户', { exact: true })).toBeVisible();
  const row1 = list.locator('tr', { hasText: `排队甲-${suffix}` });
  await expect(row1.getByTestId('waiting-first-message')).toHaveText(`信用卡额度怎么提高-${suffix}`);
  await expect(row1).toContainText('信用卡服务 Card services');
  await expect(row1.getByTestId('waiting-wait')).toHaveAttribute('aria-label', /已等待/);
  await expect(list).not.toContainText(`贷款客户-${suffix}`);

  // A customer who arrives while the page is open appears without a reload.
  const second = await api.visitor(`排队乙-${suffix}`);
  const c2 = await api.post(second, '/api/v1/conversations', { business_type_id: 1, message: `我要挂失-${suffix}` });
  await expect(list.locator('tr', { hasText: `排队乙-${suffix}` }).getByTestId('waiting-first-message')).toHaveText(`我要挂失-${suffix}`);

  // The row opens the chat read-only.
  await row1.click();
  const dialog = sup.page.getByTestId('history-dialog');
  await expect(dialog.getByTestId('message').filter({ hasText: `信用卡额度怎么提高-${suffix}` })).toBeVisible();
  await expect(dialog.getByTestId('composer-input')).toHaveCount(0);
  await sup.page.keyboard.press('Escape');

  // Customers who leave drop off the list; nobody is left waiting.
  await api.post(first, `/api/v1/conversations/${c1.id}/leave`, {});
  await api.post(second, `/api/v1/conversations/${c2.id}/leave`, {});
  await api.post(other, `/api/v1/conversations/${c3.id}/leave`, {});
  await expect(list.locator('tr', { hasText: suffix })).toHaveCount(0);
  await sup.context.close();
});
