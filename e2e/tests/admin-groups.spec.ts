import { expect, test, type Page } from '@playwright/test';
import { api, base, login, person, pickOption } from './helpers';

// The skill group form shows only what applies to the chosen strategy, says what the hold does,
// and creates a group with its defaults (the hold used to default to a value the server refuses).

test('zh-CN: the group form hides the returning-customer options until that strategy is chosen', async ({ browser }) => {
  const name = `熟客组${Date.now().toString(36)}`;
  const admin = await person(browser, 'zh-CN');
  await login(admin.page, 'admin@demo.kefu', 'demo-admin');
  await admin.page.goto(`${base()}/app/admin/groups`);
  await admin.page.getByTestId('group-create').click();
  const dialog = admin.page.getByTestId('group-form');
  await dialog.getByTestId('group-form-name').fill(name);
  await expect(dialog.getByTestId('group-form-fallback')).toBeHidden();
  await expect(dialog.getByTestId('group-form-returning')).toBeHidden();

  await pickOption(admin.page, 'group-form-strategy', '熟客优先');
  await expect(dialog.getByTestId('group-form-returning-by')).toBeVisible();
  await expect(dialog).toContainText('等待指定坐席（秒）');
  await expect(dialog).not.toContainText('识别时长');
  // A fallback cannot itself name an agent.
  await dialog.getByTestId('group-form-fallback').click();
  await expect(admin.page.getByRole('option', { name: '指定客服分配', exact: true })).toHaveCount(0);
  await admin.page.getByRole('option', { name: '轮流分配', exact: true }).click();
  await dialog.getByTestId('group-form-submit').click();
  await expect(dialog).toBeHidden();

  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const group = (await api.get(token, '/api/v1/groups')).groups.find((g: { name: string }) => g.name === name);
  expect(group).toMatchObject({ strategy: 'returning_customer', fallback_strategy: 'round_robin', returning_window_secs: 30 });
  await api.call('DELETE', `/api/v1/groups/${group.id}`, token);
  await admin.context.close();
});
