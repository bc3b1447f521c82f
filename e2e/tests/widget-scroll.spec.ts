// The customer's message list follows the conversation: it stays at the bottom when an image the
// agent sent loads after it (it used to stop short by the image's height), and a customer who
// scrolled up to re-read is not pulled down — a "new messages" pill says something arrived.
import { expect, test, type Browser, type FrameLocator } from '@playwright/test';
import { agentReady, leaveFloor, person, prechat } from './helpers';

/** How far the widget's message list is from its end, in pixels. */
const gap = (frame: FrameLocator) =>
  frame.getByTestId('message-list').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

/** The words each locale's run uses: the customer's name and lines, and the pill's text. */
interface Words {
  name: string;
  ask: string;
  line: (i: number) => string;
  more: string;
  pill: string;
}

async function followsTheConversation(browser: Browser, locale: string, w: Words) {
  const agent = await person(browser, locale);
  await agentReady(agent.page, 'agent2@demo.kefu');
  const visitor = await person(browser, locale);
  const frame = await prechat(visitor.page, w.name);
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill(w.ask);
  await frame.getByTestId('composer-input').press('Enter');
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: w.name }).click();

  const input = agent.page.getByTestId('composer-input');
  for (let i = 1; i <= 12; i++) {
    await input.fill(w.line(i));
    await input.press('Enter');
  }
  await expect(frame.getByTestId('message').filter({ hasText: w.line(12) })).toBeVisible();

  // A tall image (a screenshot of a long form), pasted by the agent.
  await input.evaluate(async (el) => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 300, height: 1400 });
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.fillStyle = '#3a7';
      ctx.fillRect(0, 0, 300, 1400);
    }
    const blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, 'image/png'));
    const dt = new DataTransfer();
    if (blob) dt.items.add(new File([blob], 'form.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  const img = frame.getByTestId('message-image');
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalHeight)).toBe(1400);
  await expect.poll(() => gap(frame)).toBeLessThan(80);

  // Scrolled up to re-read: a new line does not pull the customer down; the pill brings them back.
  // The browser reports the scroll with its next frame: an image finishing in the same frame
  // (its load event before the scroll event) must not take the customer back down.
  await frame.getByTestId('message-list').evaluate((el) => {
    el.scrollTo({ top: 0 });
    el.querySelector('img')?.dispatchEvent(new Event('load'));
  });
  expect(await frame.getByTestId('message-list').evaluate((el) => el.scrollTop)).toBeLessThan(50);
  await input.fill(w.more);
  await input.press('Enter');
  const pill = frame.getByTestId('new-messages');
  await expect(pill).toHaveText(w.pill);
  expect(await frame.getByTestId('message-list').evaluate((el) => el.scrollTop)).toBeLessThan(50);
  await pill.click();
  await expect.poll(() => gap(frame)).toBeLessThan(80);
  await expect(pill).toBeHidden();

  await agent.context.close();
  await visitor.context.close();
  await leaveFloor('agent2@demo.kefu');
}

test('zh-CN: the widget stays at the bottom after an image, and shows a pill when scrolled up', async ({ browser }) => {
  await followsTheConversation(browser, 'zh-CN', { name: '滚动测试', ask: '请发一张图片给我', line: (i) => `第 ${i} 条说明`, more: '还有一个问题', pill: '有新消息 ↓' });
});

test('en: the widget stays at the bottom after an image, and shows a pill when scrolled up', async ({ browser }) => {
  await followsTheConversation(browser, 'en', { name: 'Scroll Test', ask: 'Please send me a picture', line: (i) => `Note number ${i}`, more: 'One more question', pill: 'New messages ↓' });
});
