import { expect, test } from '@playwright/test';
import { api, base, login, person } from './helpers';

// 组织设置: an admin picks the organisation's time zone from the named IANA zones and the reports
// count days in it; the sentiment levels are checked while typing. The demo settings are put
// back at the end so later specs see the defaults.

test('zh-CN: an admin sets the organisation time zone and the reports use it', async ({ browser }) => {
  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const before = await api.get(token, '/api/v1/settings');
  try {
    const admin = await person(browser, 'zh-CN');
    await login(admin.page, 'admin@demo.kefu', 'demo-admin');
    await admin.page.goto(`${base()}/app/admin`);
    await admin.page.getByTestId('nav-admin-settings').click();
    await expect(admin.page.getByRole('heading', { name: '组织设置' })).toBeVisible();
    await admin.page.getByTestId('org-settings-zone').click();
    await admin.page.keyboard.type('Europe/Lon');
    await admin.page.getByRole('option', { name: 'Europe/London', exact: true }).click();

    // A clear level at or below the alert level is refused before it is sent.
    const clear = admin.page.getByTestId('org-settings-clear-at').locator('input');
    await clear.fill('-0.6');
    await clear.blur();
    await expect(admin.page.getByText('解除阈值必须高于预警阈值')).toBeVisible();
    await expect(admin.page.getByTestId('org-settings-save')).toBeDisabled();
    await clear.fill('-0.2');
    await clear.blur();
    await admin.page.getByTestId('org-settings-save').click();
    await expect(admin.page.getByText('已保存')).toBeVisible();
    const saved = await api.get(token, '/api/v1/settings');
    expect(saved).toMatchObject({ time_zone: 'Europe/London', sentiment_clear_at: -0.2 });

    await admin.page.goto(`${base()}/app/reports`);
    await expect(admin.page.getByTestId('reports-zone')).toContainText('Europe/London');
    await admin.context.close();
  } finally {
    await api.call('PUT', '/api/v1/settings', token, before);
  }
});
