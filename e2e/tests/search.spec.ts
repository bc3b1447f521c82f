// Search (搜索) through the real workspace: after a chat in which the customer wrote a Chinese
// sentence, the agent searches a word from inside it in the zh-CN workspace, sees the highlighted
// excerpt and opens the transcript; then the same in English, in any letter case.
import { expect, test, type Page } from '@playwright/test';
import { agentReady, api, leaveFloor, person, prechat } from './helpers';

/** A customer starts a chat with `text`; the ready agent accepts it. */
async function chatWith(agent: Page, visitorPage: Page, name: string, text: string) {
  const frame = await prechat(visitorPage, name);
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill(text);
  await frame.getByTestId('composer-input').press('Enter');
  await expect(agent.getByTestId('offer-dialog')).toContainText(name);
  await agent.getByTestId('offer-accept').click();
  await agent.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(agent.getByTestId('message').filter({ hasText: text })).toBeVisible();
}

/** On the search page, look for `q` and return the result of customer `name`. */
async function searchFor(agent: Page, q: string, name: string) {
  await agent.getByTestId('nav-search').click();
  await agent.getByTestId('search-q').fill(q);
  await agent.getByTestId('search-q').press('Enter');
  const result = agent.getByTestId('search-result').filter({ hasText: name });
  await expect(result).toHaveCount(1);
  return result;
}

test('zh-CN: a word from inside a Chinese sentence finds the chat, highlighted, and opens its transcript', async ({ browser }) => {
  const suffix = Date.now().toString(36);
  const name = `周先生${suffix}`;
  const sentence = '我想办理信用卡分期业务';
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await person(browser, 'zh-CN');
  await chatWith(agent.page, visitor.page, name, sentence);

  await agent.page.getByTestId('nav-search').click();
  await expect(agent.page.getByTestId('search-page')).toContainText('搜索会话');
  const result = await searchFor(agent.page, '分期', name);
  const conversationId = Number(await result.getAttribute('data-conversation-id'));
  await expect(result.getByTestId('search-snippet')).toContainText(sentence);
  await expect(result.locator('mark')).toHaveText('分期');
  await expect(result).toContainText('进行中');
  // Another word of the same sentence finds it too.
  await expect((await searchFor(agent.page, '信用卡', name)).locator('mark')).toHaveText('信用卡');
  // A word it does not hold finds nothing of this customer.
  await agent.page.getByTestId('search-q').fill('贷款');
  await agent.page.getByTestId('search-run').click();
  await expect(agent.page.getByTestId('search-result').filter({ hasText: name })).toHaveCount(0);

  // A staff note is found too, marked as one (staff search only; the customer never sees it).
  const token = await api.login('agent1@demo.kefu', 'demo-agent');
  await api.post(token, `/api/v1/conversations/${conversationId}/notes`, { body: `客户要求加急处理 ${suffix}` });
  const noted = await searchFor(agent.page, '加急', name);
  await expect(noted.getByTestId('search-snippet')).toHaveAttribute('data-source', 'note');
  await expect(noted.getByTestId('search-snippet')).toContainText('内部备注');

  // Open the transcript from a result.
  await (await searchFor(agent.page, '分期', name)).click();
  const dialog = agent.page.getByTestId('history-dialog');
  await expect(dialog.getByTestId('message').filter({ hasText: sentence })).toBeVisible();
  // It opens at the found message, marked.
  await expect(dialog.locator('[data-focused="true"]')).toContainText(sentence);

  await visitor.context.close();
  await agent.context.close();
  await leaveFloor('agent1@demo.kefu');
});

test('en: an English word in any case finds the chat and opens its transcript', async ({ browser }) => {
  const suffix = Date.now().toString(36);
  const name = `Mr Zhou ${suffix}`;
  const text = `Where is my REFUND for order ${suffix}?`;
  const agent = await person(browser, 'en');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await person(browser, 'en');
  await chatWith(agent.page, visitor.page, name, text);

  const result = await searchFor(agent.page, 'refund', name);
  await expect(agent.page.getByTestId('search-page')).toContainText('Search conversations');
  await expect(result.locator('mark')).toHaveText('REFUND');
  await expect(result).toContainText('In progress');
  await result.click();
  await expect(agent.page.getByTestId('history-dialog').getByTestId('message').filter({ hasText: text })).toBeVisible();

  await visitor.context.close();
  await agent.context.close();
  await leaveFloor('agent1@demo.kefu');
});
