import { expect, test, type Page } from '@playwright/test';
import { api, base, login, person } from './helpers';

// An admin pages through 500 agents: searched by a word of their names, 50 a page, Next to the
// last page and Previous back, the search kept over a reload. The accounts are disabled at the end
// so later specs see the floor they expect.

/** Runs `f` over `items`, `n` at a time. */
async function inParallel<T, R>(items: T[], n: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(f))));
  return out;
}

test('zh-CN: an admin pages through 500 agents, searched by name, and the search survives a reload', async ({ browser }) => {
  test.setTimeout(300_000);
  const stamp = Date.now().toString(36);
  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const n = Array.from({ length: 500 }, (_, i) => i + 1);
  const created: { id: number; name: string }[] = await inParallel(n, 8, async (i) => {
    const body = { email: `page-${stamp}-${i}@demo.kefu`, name: `分页坐席${stamp} ${String(i).padStart(3, '0')}`, password: 'paging-agent-1', role: 'agent' };
    return { id: (await api.post(token, '/api/v1/agents', body)).id, name: body.name };
  });
  // The directory lists by id, which parallel creation does not give in name order.
  const byId = created.sort((a, b) => a.id - b.id).map((a) => a.name);
  const ids = created.map((a) => a.id);
  try {
    const admin = await person(browser, 'zh-CN');
    await login(admin.page, 'admin@demo.kefu', 'demo-admin');
    await admin.page.goto(`${base()}/app/admin/agents`);
    await admin.page.getByTestId('agents-search').fill(`分页坐席${stamp}`);
    await admin.page.getByTestId('agents-submit').click();
    const rows = admin.page.getByTestId('admin-agents-table').locator('tbody tr.el-table__row');
    await expect(admin.page.getByTestId('agents-page')).toHaveText('第 1 页 · 共 500 人');
    await expect(rows).toHaveCount(50);
    await expect(rows.first()).toContainText(byId[0]!);

    for (let page = 2; page <= 10; page++) {
      await admin.page.getByTestId('agents-next').click();
      await expect(admin.page.getByTestId('agents-page')).toHaveText(`第 ${page} 页 · 共 500 人`);
    }
    await expect(rows.first()).toContainText(byId[450]!);
    await expect(rows.last()).toContainText(byId[499]!);
    await expect(admin.page.getByTestId('agents-next')).toBeDisabled();
    await admin.page.getByTestId('agents-prev').click();
    await expect(rows.first()).toContainText(byId[400]!);

    await admin.page.reload();
    await expect(admin.page.getByTestId('agents-search')).toHaveValue(`分页坐席${stamp}`);
    await expect(admin.page.getByTestId('agents-page')).toHaveText('第 1 页 · 共 500 人');
    await admin.context.close();
  } finally {
    await inParallel(ids, 8, (id) => api.call('PATCH', `/api/v1/agents/${id}`, token, { enabled: false }));
  }
});

test('en: the widgets table pages 52 widgets from the server and finds one by name', async ({ browser }) => {
  const stamp = Date.now().toString(36);
  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const template = await api.get(token, '/api/v1/widgets/default');
  const names = Array.from({ length: 52 }, (_, i) => `pg-${stamp}-${String(i + 1).padStart(2, '0')}`);
  try {
    await inParallel(names, 8, (name) => api.call('PUT', `/api/v1/widgets/${name}`, token, template));
    const admin = await person(browser, 'en-US');
    await login(admin.page, 'admin@demo.kefu', 'demo-admin');
    await admin.page.goto(`${base()}/app/admin/widgets`);
    await admin.page.getByTestId('widget-search').fill(`pg-${stamp}`);
    const rows = admin.page.getByTestId('admin-widgets-table').locator('tbody tr.el-table__row');
    await expect(admin.page.getByTestId('widget-page')).toHaveText('Page 1 · 52 in all');
    await expect(rows).toHaveCount(50);
    await expect(rows.first().getByTestId('widget-name')).toHaveText(names[0]!);
    await admin.page.getByTestId('widget-next').click();
    await expect(admin.page.getByTestId('widget-page')).toHaveText('Page 2 · 52 in all');
    await expect(rows).toHaveCount(2);
    await expect(rows.last().getByTestId('widget-name')).toHaveText(names[51]!);
    // The editor opens a widget of the second page with its own settings.
    await rows.last().getByTestId('widget-edit').click();
    await expect(admin.page.getByTestId('widget-form-name')).toHaveValue(names[51]!);
    await admin.page.keyboard.press('Escape');
    await admin.page.getByTestId('widget-search').fill(`pg-${stamp}-07`);
    await expect(admin.page.getByTestId('widget-page')).toHaveText('Page 1 · 1 in all');
    await expect(rows).toHaveCount(1);
    await admin.context.close();
  } finally {
    await inParallel(names, 8, (name) => api.call('DELETE', `/api/v1/widgets/${name}`, token));
  }
});
