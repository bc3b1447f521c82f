// Per-language texts for customers, through the real UI: an admin gives a business type its
// English name in the admin form; an English-speaking customer sees that name in the widget and
// the skill group's welcome message at the top of the chat, while a Chinese-speaking customer
// sees the Chinese welcome. The demo's business type is given back its plain name afterwards.
import { expect, test } from '@playwright/test';
import { agentReady, api, base, leaveFloor, login, person } from './helpers';

test('an English business-type name set by the admin, and the group welcome at the top of the chat', async ({ browser }) => {
  const admin = await person(browser, 'en-US');
  const adminToken = await api.login('admin@demo.kefu', 'demo-admin');
  // Someone serves card services, so the widget offers a chat (not "leave a message").
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  try {
    await login(admin.page, 'admin@demo.kefu', 'demo-admin');
    await admin.page.goto(`${base()}/app/admin/business-types`);
    await admin.page.getByRole('row').filter({ hasText: '信用卡业务 Credit cards' }).getByTestId('business-type-edit').click();
    await admin.page.getByTestId('business-type-form-names-en').fill('Credit cards');
    await admin.page.getByTestId('business-type-form-submit').click();
    await expect(admin.page.getByTestId('business-type-form')).toBeHidden();
    const types = await api.get(adminToken, '/api/v1/business-types');
    expect(types.business_types.find((b: { id: number }) => b.id === 1).names).toEqual({ en: 'Credit cards' });

    const en = await person(browser, 'en-US');
    await en.page.goto(`${base()}/demo`);
    await en.page.getByTestId('kefu-launcher').click();
    const frame = en.page.frameLocator('[data-testid=kefu-frame]');
    await frame.getByTestId('prechat-name').fill('Ann');
    await frame.getByTestId('prechat-business-type').selectOption({ label: 'Credit cards' });
    await frame.getByTestId('prechat-start').click();
    // The agent takes it, so leaving the floor at the end closes it (no one left in line).
    await agent.page.getByTestId('offer-accept').click();
    await expect(frame.getByTestId('group-welcome')).toHaveText(/this is card services/);
    await frame.getByTestId('composer-input').fill('My card was declined');
    await frame.getByTestId('composer-input').press('Enter');
    await expect(frame.getByTestId('message-list')).toContainText('My card was declined');
    await expect(frame.getByTestId('agent-name')).toBeVisible();
    // The welcome stays above the customer's first message.
    const firstIsWelcome = await frame
      .getByTestId('message-list')
      .evaluate((el) => el.firstElementChild?.getAttribute('data-testid') === 'group-welcome');
    expect(firstIsWelcome).toBe(true);
    await en.context.close();

    const zh = await person(browser, 'zh-CN');
    await zh.page.goto(`${base()}/demo`);
    await zh.page.getByTestId('kefu-launcher').click();
    const zhFrame = zh.page.frameLocator('[data-testid=kefu-frame]');
    await zhFrame.getByTestId('prechat-name').fill('王芳');
    // No Chinese entry: the plain name shows.
    await zhFrame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
    await zhFrame.getByTestId('prechat-start').click();
    await agent.page.getByTestId('offer-accept').click();
    await expect(zhFrame.getByTestId('group-welcome')).toHaveText(/这里是信用卡服务/);
    await expect(zhFrame.getByTestId('agent-name')).toBeVisible();
    await zh.context.close();
  } finally {
    await api.call('PATCH', '/api/v1/business-types/1', adminToken, { names: {} });
    await leaveFloor('agent1@demo.kefu');
    await agent.context.close();
    await admin.context.close();
  }
});
