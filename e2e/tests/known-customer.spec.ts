// A known customer (identity token signed by the business system) reaches an agent, who sees
// their VIP level, attributes and the CRM page in the customer panel.
import { createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { agentReady, api, base, leaveFloor, person } from './helpers';

function signIdentity(secret: string, claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

test('a VIP customer with an identity token, seen by the agent with the CRM iframe', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const { secret } = await api.get(admin, '/api/v1/widgets/identity-secret');
  const token = signIdentity(secret, {
    sub: 'C-2024',
    name: '赵女士',
    vip: 2,
    attrs: { tier: '白金卡' },
    exp: Math.floor(Date.now() / 1000) + 3600,
  });

  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');

  const visitor = await person(browser, 'zh-CN');
  await visitor.page.goto(`${base()}/demo`);
  await visitor.page.evaluate((t) => (window as unknown as { KefuWidget: { setIdentity(t: string): void } }).KefuWidget.setIdentity(t), token);
  await visitor.page.getByTestId('kefu-launcher').click();
  const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('我想提高信用卡额度');
  await frame.getByTestId('composer-send').click();

  await expect(agent.page.getByTestId('offer-dialog')).toContainText('赵女士');
  await expect(agent.page.getByTestId('offer-vip')).toBeVisible();
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: '赵女士' }).click();
  const panel = agent.page.getByTestId('customer-panel');
  await expect(panel).toContainText('C-2024');
  await expect(panel).toContainText('白金卡');
  const crm = agent.page.frameLocator('[data-testid=crm-iframe]');
  await expect(crm.getByTestId('crm-customer-id')).toHaveText('C-2024');

  await leaveFloor('agent1@demo.kefu');
});

test('an invalid identity token is refused with a clear message', async ({ browser }) => {
  const visitor = await person(browser, 'en-US');
  await visitor.page.goto(`${base()}/demo`);
  await visitor.page.evaluate(() => (window as unknown as { KefuWidget: { setIdentity(t: string): void } }).KefuWidget.setIdentity('not.a.token'));
  await visitor.page.getByTestId('kefu-launcher').click();
  const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
  await expect(frame.getByTestId('widget-error')).toBeVisible();
});
