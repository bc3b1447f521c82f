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

/** Waits for Chromium to report that `directive` refused the frame. */
function refusal(page: Page, directive: string): Promise<string> {
  return new Promise((ok) => {
    page.on('console', (m) => {
      if (m.text().includes('Refused to frame') && m.text().includes(directive)) ok(m.text());
    });
  });
}

test('the workspace and an unlisted widget refuse another origin; a listed one and the demo page work', async ({ browser }) => {
  const site = await foreignSite();
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const empty = { fields: [], welcome: { 'zh-CN': '您好', en: 'Hello' } };
  await api.call('PUT', '/api/v1/widgets/partner', admin, { ...empty, allowed_origins: [site.origin] });
  try {
    const { context, page } = await person(browser, 'en-US');

    // The workspace inside a frame on another origin: refused, the login form never appears.
    const refused = refusal(page, "frame-ancestors 'none'");
    await page.goto(site.url(`${base()}/app/`));
    await expect(page.getByRole('heading', { name: 'Another site' })).toBeVisible();
    await refused;
    await expect(page.frameLocator('#f').getByTestId('login-email')).toHaveCount(0);

    // The default widget lists no origins: only this server's pages may frame it.
    const widgetRefused = refusal(page, 'frame-ancestors');
    await page.goto(site.url(`${base()}/widget/frame.html?widget=default`));
    await widgetRefused;
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
    await api.call('DELETE', '/api/v1/widgets/partner', admin);
    await site.close();
  }
});
