// Who may frame what, in a real browser: a page on another origin (a second 127.0.0.1 port)
// cannot show the workspace in a frame, nor a widget that does not list it; it can show a widget
// that lists its origin; and the demo page (this server's own origin) shows the widget as always.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { api, base, person } from './helpers';

/** A tiny site on another origin whose page frames `src`. */
async function foreignSite(): Promise<{ origin: string; url: (src: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Elsewhere</title><h1>Another site</h1><iframe id="f" src="${src.replace(/"/g, '&quot;')}" style="width:800px;height:600px"></iframe>`);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (src) => `${origin}/?src=${encodeURIComponent(src)}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/**
 * Waits until Chromium has refused to load the page's frame: a frame refused by
 * `frame-ancestors` or `X-Frame-Options` shows the browser's error page instead.
 */
async function frameRefused(page: Page): Promise<void> {
  const child = () => page.frames().find((f) => f !== page.mainFrame());
  await expect.poll(() => child()?.url() ?? '').toMatch(/^chrome-error:/);
}

test('the workspace and an unlisted widget refuse another origin; a listed one and the demo page work', async ({ browser }) => {
  const site = await foreignSite();
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  try {
    // The admin creates a widget for the partner site and lists its origin.
    const { context: adminContext, page: adminPage } = await person(browser, 'en-US');
    await adminPage.goto(`${base()}/app/admin/widgets`);
    await adminPage.getByTestId('login-email').fill('admin@demo.kefu');
    await adminPage.getByTestId('login-password').fill('demo-admin');
    await adminPage.getByTestId('login-submit').click();
    await adminPage.getByRole('link', { name: 'Administration', exact: true }).click();
    await adminPage.getByRole('link', { name: 'Widgets', exact: true }).click();
    await adminPage.getByTestId('widget-create').click();
    await adminPage.getByTestId('widget-form-name').fill('partner');
    await adminPage.getByTestId('widget-form-allowed-origins').fill(`${site.origin}/\n`);
    await adminPage.getByTestId('widget-form-submit').click();
    await expect(adminPage.getByTestId('widget-allowed-origins').filter({ hasText: site.origin })).toBeVisible();
    await adminContext.close();

    const { context, page } = await person(browser, 'en-US');

    // The workspace inside a frame on another origin: refused, the login form never appears.
    await page.goto(site.url(`${base()}/app/`));
    await expect(page.getByRole('heading', { name: 'Another site' })).toBeVisible();
    await frameRefused(page);
    await expect(page.frameLocator('#f').getByTestId('login-email')).toHaveCount(0);

    // The default widget lists no origins: only this server's pages may frame it.
    await page.goto(site.url(`${base()}/widget/frame.html?widget=default`));
    await frameRefused(page);
    await expect(page.frameLocator('#f').getByTestId('prechat-start')).toHaveCount(0);

    // A widget that lists this origin renders here.
    await page.goto(site.url(`${base()}/widget/frame.html?widget=partner&locale=en`));
    await expect(page.frameLocator('#f').getByTestId('prechat-start')).toBeVisible();
    await context.close();

    // The demo page is this server's own origin: the launcher opens the chat frame.
    const visitor = await person(browser, 'en-US');
    await visitor.page.goto(`${base()}/demo`);
    await visitor.page.getByTestId('kefu-launcher').click();
    await expect(visitor.page.frameLocator('[data-testid=kefu-frame]').getByTestId('prechat-start')).toBeVisible();
    await visitor.context.close();
  } finally {
    await api.call('DELETE', '/api/v1/widgets/partner', admin).catch(() => {});
    await site.close();
  }
});
