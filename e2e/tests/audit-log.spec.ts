import { expect, test, type Page } from '@playwright/test';
import { api, base, login, person } from './helpers';

// 操作日志: an admin changes a tag in the Tags page, then finds the change in the audit log by a
// Chinese word inside its name, sees who did it and the field before and after; the search
// survives a reload (it lives in the URL).

test('zh-CN: an admin finds a tag rename in the audit log with before and after', async ({ browser }) => {
  const stamp = Date.now().toString(36);
  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const tag = await api.post(token, '/api/v1/tags', { name: `分期投诉${stamp}`, color: '#f56c6c' });
  await api.call('PATCH', `/api/v1/tags/${tag.id}`, token, { name: `分期投诉升级${stamp}` });

  const admin = await person(browser, 'zh-CN');
  await login(admin.page, 'admin@demo.kefu', 'demo-admin');
  await admin.page.getByTestId('nav-admin').click();
  await admin.page.getByTestId('nav-admin-audit-log').click();
  await expect(admin.page.getByRole('heading', { name: '操作日志' })).toBeVisible();

  await admin.page.getByTestId('audit-search').fill(`升级${stamp}`);
  await admin.page.getByTestId('audit-submit').click();
  const rows = admin.page.getByTestId('audit-table').locator('tbody tr.el-table__row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('修改');
  await expect(rows.first()).toContainText('标签');
  await expect(rows.first()).toContainText('管理员 Admin');

  await rows.first().locator('.el-table__expand-icon').click();
  const diff = admin.page.getByTestId('audit-diff');
  await expect(diff.locator('tr', { hasText: 'name' })).toContainText(`分期投诉${stamp}`);
  await expect(diff.locator('tr', { hasText: 'name' })).toContainText(`分期投诉升级${stamp}`);

  await admin.page.reload();
  await expect(admin.page.getByTestId('audit-search')).toHaveValue(`升级${stamp}`);
  await expect(admin.page.getByTestId('audit-table').locator('tbody tr.el-table__row')).toHaveCount(1);
  await admin.context.close();
});
