import { expect, test } from '@playwright/test';
import { agentReady, api, base, leaveFloor, login, person } from './helpers';

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

test('en: the message length limit set in Organisation is what the agent composer and the widget count against', async ({ browser }) => {
  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const before = await api.get(token, '/api/v1/settings');
  const admin = await person(browser, 'en');
  const agent = await person(browser, 'en');
  // The demo's business-type label is the same in both languages for a zh-CN visitor.
  const visitor = await person(browser, 'zh-CN');
  try {
    await login(admin.page, 'admin@demo.kefu', 'demo-admin');
    await admin.page.goto(`${base()}/app/admin/settings`);
    const limit = admin.page.getByTestId('org-settings-max-message-chars').locator('input');
    await limit.fill('300');
    await limit.blur();
    await admin.page.getByTestId('org-settings-save').click();
    await expect(admin.page.getByText('Saved')).toBeVisible();
    expect((await api.get(token, '/api/v1/settings')).max_message_chars).toBe(300);

    await agentReady(agent.page, 'agent1@demo.kefu');
    await visitor.page.goto(`${base()}/demo`);
    await visitor.page.getByTestId('kefu-launcher').click();
    const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
    await frame.getByTestId('prechat-name').fill('Limit customer');
    await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
    await frame.getByTestId('prechat-start').click();
    await agent.page.getByTestId('offer-accept').click();
    await agent.page.getByTestId('conversation-item').filter({ hasText: 'Limit customer' }).click();

    // The agent's composer: a counter from 90% of 300, and no send over it.
    const input = agent.page.getByTestId('composer-input');
    await input.fill('a'.repeat(280));
    await expect(agent.page.getByTestId('composer-counter')).toHaveText('280 / 300');
    await input.fill('a'.repeat(303));
    await expect(agent.page.getByTestId('composer-too-long')).toContainText('Remove 3');
    // The widget's composer reads the same figure.
    await frame.getByTestId('composer-input').fill('b'.repeat(280));
    await expect(frame.getByTestId('composer-counter')).toHaveText('280 / 300');
  } finally {
    await api.call('PUT', '/api/v1/settings', token, before);
    for (const p of [admin, agent, visitor]) await p.context.close();
    await leaveFloor('agent1@demo.kefu');
  }
});
