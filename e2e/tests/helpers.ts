import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const base = () => {
  const url = process.env.KEFU_E2E_URL;
  if (!url) throw new Error('KEFU_E2E_URL is not set: the global setup did not start kefu');
  return url;
};

/** A new browser context (one person) with its own storage. */
export async function person(browser: Browser, locale: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  return { context, page };
}

/** Log in to the workspace and set the status to ready. */
export async function agentReady(page: Page, email: string, password = 'demo-agent') {
  await page.goto(`${base()}/app/`);
  await page.getByTestId('login-email').locator('input').or(page.locator('input[data-testid=login-email]')).first().fill(email);
  await page.getByTestId('login-password').locator('input').or(page.locator('input[data-testid=login-password]')).first().fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('status-switch').click();
  await page.getByTestId('status-ready').click();
  await expect(page.getByTestId('status-switch')).toHaveAttribute('data-status', 'ready');
}
