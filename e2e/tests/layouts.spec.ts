// The workspace on a tablet and a phone, through the real UI: on a tablet (iPad, 820 wide) the
// chat and the list sit side by side, the list folds away, and the customer panel opens as a
// drawer; on a phone (390 wide) one pane shows at a time — the list, then the chat with a back
// button — and nothing is wider than the screen.
import { expect, test, type Page } from '@playwright/test';
import { agentReady, base, leaveFloor, prechat } from './helpers';

async function noSideways(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

async function customerWrites(browser: import('@playwright/test').Browser, name: string, text: string) {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const frame = await prechat(page, name);
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill(text);
  await frame.getByTestId('composer-input').press('Enter');
  return { context, frame };
}

test('tablet: the list folds away and the customer panel opens as a drawer (en)', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 820, height: 1180 }, hasTouch: true });
  const page = await context.newPage();
  await agentReady(page, 'agent1@demo.kefu');
  await expect(page.getByTestId('agent-workspace')).toHaveAttribute('data-viewport', 'tablet');
  const customer = await customerWrites(browser, '平板客户', 'tablet hello');
  await page.getByTestId('offer-accept').click();
  await expect(page.getByTestId('message-list')).toContainText('tablet hello');

  // No customer column beside the chat; the drawer shows it.
  await expect(page.locator('aside.customer')).toHaveCount(0);
  await page.getByTestId('pane-customer').click();
  await expect(page.getByTestId('customer-drawer')).toContainText('平板客户');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('customer-drawer')).toBeHidden();

  // Fold the list for a wider chat, and bring it back.
  await expect(page.getByTestId('conversation-tabs')).toBeVisible();
  await page.getByTestId('pane-list-toggle').click();
  await expect(page.getByTestId('conversation-tabs')).toBeHidden();
  await page.getByTestId('pane-list-toggle').click();
  await expect(page.getByTestId('conversation-tabs')).toBeVisible();
  await noSideways(page);

  await leaveFloor('agent1@demo.kefu');
  await customer.context.close();
  await context.close();
});

test('phone: the list, then the chat with a back button, one at a time (zh-CN)', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await agentReady(page, 'agent1@demo.kefu');
  await expect(page.getByTestId('agent-workspace')).toHaveAttribute('data-viewport', 'phone');
  await noSideways(page);
  const customer = await customerWrites(browser, '手机客户', '手机上能看到吗');
  await page.getByTestId('offer-accept').click();

  // Accepting shows the chat alone; the agent answers from the phone.
  await expect(page.getByTestId('message-list')).toContainText('手机上能看到吗');
  await expect(page.getByTestId('conversation-tabs')).toBeHidden();
  await page.getByTestId('composer-input').fill('能看到，请讲');
  await page.getByTestId('composer-input').press('Enter');
  await expect(customer.frame.getByTestId('message-list')).toContainText('能看到，请讲');
  await noSideways(page);

  // The customer's details in a full-width drawer.
  await page.getByTestId('pane-customer').click();
  await expect(page.getByTestId('customer-drawer')).toContainText('手机客户');
  await page.keyboard.press('Escape');

  // Back to the list; tapping the conversation opens it again.
  await page.getByTestId('pane-back').click();
  await expect(page.getByTestId('conversation-tabs')).toBeVisible();
  await expect(page.getByTestId('message-list')).toBeHidden();
  await page.getByTestId('conversation-item').filter({ hasText: '手机客户' }).click();
  await expect(page.getByTestId('message-list')).toBeVisible();
  await page.screenshot({ path: 'test-results/phone-chat.png' });

  await leaveFloor('agent1@demo.kefu');
  await customer.context.close();
  await context.close();
});
