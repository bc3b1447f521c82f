// 快捷回复 through the real UI: an agent types `/` plus a shortcut in the composer, picks a
// canned response, gets its text with the customer's name filled in, edits nothing, and the
// visitor receives it. In Chinese with the team library, and in English with a personal response
// the agent first adds on the 快捷回复 page. The library page shows the server's pages: one
// library, one category, searched on the server.
import { expect, test, type Page } from '@playwright/test';
import { agentReady, api, base, leaveFloor, login, person, pickOption } from './helpers';

/** A visitor on /demo starts a chat on card services; the agent accepts it and opens it. */
async function serve(agent: Page, visitorPage: Page, name: string, first: string) {
  await visitorPage.goto(`${base()}/demo`);
  await visitorPage.getByTestId('kefu-launcher').click();
  const frame = visitorPage.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-name').fill(name);
  await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill(first);
  await frame.getByTestId('composer-input').press('Enter');
  await expect(agent.getByTestId('offer-dialog')).toContainText(name);
  await agent.getByTestId('offer-accept').click();
  await agent.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(agent.getByTestId('message').filter({ hasText: first })).toBeVisible();
  return frame;
}

test('zh-CN: /问候 inserts the team greeting with the customer name, and it reaches the visitor', async ({ browser }) => {
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await person(browser, 'zh-CN');
  const frame = await serve(agent.page, visitor.page, '赵丽', '你好，我想查账单');

  const input = agent.page.getByTestId('composer-input');
  await input.click();
  await agent.page.keyboard.type('/问候');
  const picker = agent.page.getByTestId('canned-picker');
  await expect(picker).toBeVisible();
  await expect(picker.getByTestId('canned-option')).toHaveCount(1);
  await expect(picker.getByTestId('canned-option')).toHaveAttribute('data-shortcut', '问候');
  await agent.page.keyboard.press('Enter');
  await expect(picker).toBeHidden();

  // The text is in the composer, not sent yet, with the names filled in: the agent can edit it.
  const expected = '赵丽您好，我是客服李娜 Li Na，很高兴为您服务，请问有什么可以帮您？';
  await expect(input).toHaveValue(expected);
  await expect(agent.page.getByTestId('message').filter({ hasText: expected })).toHaveCount(0);
  await input.press('Enter');
  await expect(frame.getByTestId('message').filter({ hasText: expected })).toBeVisible();
  await expect(input).toHaveValue('');

  await agent.context.close();
  await visitor.context.close();
  await leaveFloor('agent1@demo.kefu');
});

test('en: an agent adds a personal response on the page, then picks it with the keyboard', async ({ browser }) => {
  const agent = await person(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');

  // My own library: a response with a variable inserted from the editor's buttons.
  await agent.page.getByTestId('nav-canned').click();
  await agent.page.getByTestId('canned-mine-create').click();
  // Element Plus puts the test id on the native input (inside the dialog, which is teleported).
  const field = (name: string) => agent.page.getByTestId(`canned-mine-form-${name}`);
  await field('shortcut').fill('refund');
  await field('title').fill('Refund time');
  await field('body').fill('Dear ');
  await field('body').press('End');
  await agent.page.getByRole('button', { name: 'Customer name' }).click();
  await field('body').press('End');
  await agent.page.keyboard.type(', refunds take 3 working days. {{order.no}}');
  await expect(field('body')).toHaveValue('Dear {{customer.name}}, refunds take 3 working days. {{order.no}}');
  await agent.page.getByTestId('canned-mine-form-submit').click();
  await expect(agent.page.getByTestId('canned-mine-table')).toContainText('/refund');
  // The same shortcut twice in one library is refused while typing, in the user's language.
  await agent.page.getByTestId('canned-mine-create').click();
  await field('shortcut').fill('/refund');
  await expect(agent.page.getByText('This library already has this shortcut')).toBeVisible();
  await expect(agent.page.getByTestId('canned-mine-form-submit')).toBeDisabled();
  await agent.page.keyboard.press('Escape');

  await agent.page.getByTestId('nav-workspace').click();
  const visitor = await person(browser, 'en-US');
  const frame = await serve(agent.page, visitor.page, 'Ann Lee', 'Where is my refund?');
  const input = agent.page.getByTestId('composer-input');
  await input.click();
  await agent.page.keyboard.type('Hi! /re');
  await expect(agent.page.getByTestId('canned-option').first()).toHaveAttribute('data-shortcut', 'refund');
  await agent.page.keyboard.press('Tab');
  // The unknown variable stays visible, so the agent sees it must be filled by hand.
  const expected = 'Hi! Dear Ann Lee, refunds take 3 working days. {{order.no}}';
  await expect(input).toHaveValue(expected);
  await agent.page.keyboard.press('Escape');
  await agent.page.getByTestId('composer-send').click();
  await expect(frame.getByTestId('message').filter({ hasText: expected })).toBeVisible();

  await agent.context.close();
  await visitor.context.close();
  await leaveFloor('agent1@demo.kefu');
});

test('zh-CN: the library page pages a category of 55 personal responses from the server and searches them', async ({ browser }) => {
  const stamp = Date.now().toString(36);
  const category = `分页${stamp}`;
  const token = await api.login('agent3@demo.kefu', 'demo-agent');
  const ids: number[] = [];
  try {
    for (let i = 1; i <= 55; i++) {
      const n = String(i).padStart(2, '0');
      const body = { shortcut: `pg${stamp}${n}`, title: `分页回复 ${n}`, body: `第 ${n} 条`, category };
      ids.push((await api.post(token, '/api/v1/canned-responses', body)).id);
    }
    const agent = await person(browser, 'zh-CN');
    await login(agent.page, 'agent3@demo.kefu');
    await agent.page.getByTestId('nav-canned').click();
    await pickOption(agent.page, 'canned-mine-category', category);
    const rows = agent.page.getByTestId('canned-mine-table').locator('tbody tr.el-table__row');
    await expect(agent.page.getByTestId('canned-mine-page')).toHaveText('第 1 页 · 共 55 条');
    await expect(rows).toHaveCount(50);
    await expect(rows.first()).toContainText(`/pg${stamp}01`);
    await agent.page.getByTestId('canned-mine-next').click();
    await expect(agent.page.getByTestId('canned-mine-page')).toHaveText('第 2 页 · 共 55 条');
    await expect(rows).toHaveCount(5);
    await expect(rows.last()).toContainText(`/pg${stamp}55`);
    await expect(agent.page.getByTestId('canned-mine-next')).toBeDisabled();
    // The search box asks the server, inside the chosen category, from page 1.
    await agent.page.getByTestId('canned-mine-search').fill('分页回复 07');
    await expect(agent.page.getByTestId('canned-mine-page')).toHaveText('第 1 页 · 共 1 条');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(`/pg${stamp}07`);
    // The team library's tab pages only the team's responses.
    await agent.page.getByRole('tab', { name: '团队快捷回复' }).click();
    await expect(agent.page.getByTestId('canned-team-table')).toContainText('/问候');
    await expect(agent.page.getByTestId('canned-team-table')).not.toContainText(`/pg${stamp}`);
    await agent.context.close();
  } finally {
    for (const id of ids) await api.call('DELETE', `/api/v1/canned-responses/${id}`, token);
    await leaveFloor('agent3@demo.kefu');
  }
});
