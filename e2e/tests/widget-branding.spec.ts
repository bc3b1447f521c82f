import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { api, base, login, person } from './helpers';

// Widget branding (外观): an admin creates a widget, picks a colour, the left corner and a title,
// and sees them in the live preview; the embed snippet names the widget. A customer's site then
// shows the launcher in that colour on the left, and the chat header carries the title.

const RED = 'rgb(192, 57, 43)';

test('zh-CN: an admin brands a widget with a live preview, and the customer sees it', async ({ browser }) => {
  const name = `brand-${Date.now().toString(36)}`;
  const admin = await person(browser, 'zh-CN');
  await login(admin.page, 'admin@demo.kefu', 'demo-admin');
  await admin.page.goto(`${base()}/app/admin/widgets`);
  await admin.page.getByTestId('widget-create').click();
  const dialog = admin.page.getByTestId('widget-form');
  await dialog.getByTestId('widget-form-name').fill(name);

  // The preview follows every choice at once.
  await dialog.getByTestId('widget-branding-title-zh-CN').fill('招财银行视频客服');
  await expect(dialog.getByTestId('preview-title')).toHaveText('招财银行视频客服');
  await dialog.getByTestId('widget-branding-left').click();
  await expect(dialog.getByTestId('widget-branding-preview').locator('.page')).toHaveClass(/left/);
  await dialog.getByTestId('widget-branding-color').click();
  await admin.page.getByRole('button', { name: '选择 #c0392b 作为颜色' }).click();
  await admin.page.getByRole('button', { name: '确定', exact: true }).click();
  await expect(dialog.getByTestId('preview-header')).toHaveCSS('background-color', RED);
  await expect(dialog.getByTestId('preview-launcher')).toHaveCSS('background-color', RED);
  await expect(dialog.getByTestId('widget-form-snippet')).toHaveValue(`<script src="${base()}/widget/loader.js" data-widget="${name}" async></script>`);
  await dialog.getByTestId('widget-form-submit').click();
  await expect(dialog).toBeHidden();

  const token = await api.login('admin@demo.kefu', 'demo-admin');
  const saved = await api.get(token, `/api/v1/widgets/${name}`);
  expect(saved.branding).toMatchObject({ color: '#c0392b', position: 'left', title: { 'zh-CN': '招财银行视频客服' } });

  // A customer's site on another origin (a page server this test starts on loopback) pastes the snippet.
  const shop = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><body><h1>Shop</h1><script src="${base()}/widget/loader.js" data-widget="${name}" async></script></body></html>`);
  });
  await new Promise<void>((ok) => shop.listen(0, '127.0.0.1', ok));
  const customer = await person(browser, 'zh-CN');
  await customer.page.goto(`http://127.0.0.1:${(shop.address() as AddressInfo).port}/`);
  const launcher = customer.page.getByTestId('kefu-launcher');
  await expect(launcher).toHaveCSS('background-color', RED);
  await expect(launcher).toHaveCSS('left', '20px');

  // The chat itself: the header in the colour, with the title.
  await customer.page.goto(`${base()}/widget/frame.html?widget=${name}&locale=zh-CN`);
  await expect(customer.page.getByTestId('widget-title')).toHaveText('招财银行视频客服');
  await expect(customer.page.locator('.header')).toHaveCSS('background-color', RED);

  await api.call('DELETE', `/api/v1/widgets/${name}`, token);
  await admin.context.close();
  await customer.context.close();
  shop.close();
});
