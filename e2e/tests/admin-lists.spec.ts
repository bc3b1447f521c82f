// The admin catalogs page and search on the server, through the real UI: with 55 API keys the
// table shows the first 50, Next shows the rest, Previous goes back, and a search narrows the
// list to what matches. The keys are revoked afterwards.
import { expect, test } from '@playwright/test';
import { api, base, login, person } from './helpers';

test('the API keys table pages by 50 and finds a key by name (zh-CN)', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const ids: number[] = [];
  for (let i = 0; i < 55; i++) {
    const key = await api.post(admin, '/api/v1/api-keys', { name: `批量密钥 bulk-${String(i).padStart(2, '0')}`, scopes: ['conversations:read'] });
    ids.push(key.api_key.id);
  }
  const { context, page } = await person(browser, 'zh-CN');
  try {
    await login(page, 'admin@demo.kefu', 'demo-admin');
    await page.goto(`${base()}/app/admin/api-keys`);
    const rows = page.getByTestId('admin-api-keys-table').locator('tbody tr');
    await expect(rows).toHaveCount(50);
    await expect(page.getByTestId('api-key-page')).toContainText('第 1 页');
    await expect(page.getByTestId('api-key-prev')).toBeDisabled();

    await page.getByTestId('api-key-next').click();
    await expect(page.getByTestId('api-key-page')).toContainText('第 2 页');
    await expect(page.getByTestId('admin-api-keys-table')).toContainText('bulk-54');
    await expect(page.getByTestId('api-key-next')).toBeDisabled();
    await page.getByTestId('api-key-prev').click();
    await expect(page.getByTestId('api-key-page')).toContainText('第 1 页');

    await page.getByTestId('api-key-search').fill('BULK-07');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('bulk-07');
    await expect(page.getByTestId('api-key-page')).toContainText('共 1 条');
  } finally {
    for (const id of ids) await api.call('DELETE', `/api/v1/api-keys/${id}`, admin);
    await context.close();
  }
});

test('en: the tags table filters by status on the server, kept in the URL, beside the search', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const off = await api.post(admin, '/api/v1/tags', { name: 'filter-off 停用', color: '#999999' });
  await api.call('PATCH', `/api/v1/tags/${off.id}`, admin, { disabled: true });
  const on = await api.post(admin, '/api/v1/tags', { name: 'filter-on 启用', color: '#336699' });
  const { context, page } = await person(browser, 'en');
  try {
    await login(page, 'admin@demo.kefu', 'demo-admin');
    await page.goto(`${base()}/app/admin/tags`);
    const table = page.getByTestId('admin-tags-table');
    await page.getByTestId('tag-search').fill('filter-');
    await expect(table.locator('tbody tr')).toHaveCount(2);
    await page.getByTestId('tag-status').click();
    await page.getByRole('option', { name: 'Disabled' }).click();
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table.getByTestId('tag-name')).toHaveValue('filter-off 停用');
    await expect(page).toHaveURL(/status=disabled/);
    await expect(page.getByTestId('tag-page')).toContainText('1 in all');
    // A reload keeps the filter.
    await page.reload();
    await page.getByTestId('tag-search').fill('filter-');
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table.getByTestId('tag-name')).toHaveValue('filter-off 停用');
  } finally {
    for (const id of [off.id, on.id]) await api.call('DELETE', `/api/v1/tags/${id}`, admin);
    await context.close();
  }
});
