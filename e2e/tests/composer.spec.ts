// The agent's everyday tools around the composer, through the real UI: the offer shows what the
// customer asked, for how long they have waited and the business type; emoji, a pasted screenshot
// and a dropped file reach the visitor; the length counter blocks an over-long message without
// losing it; a send that fails offline keeps its text, which Edit brings back; and the agent sees
// the rating and comment the customer gave an earlier conversation.
import { expect, test, type Locator } from '@playwright/test';
import { agentReady, api, base, leaveFloor, person } from './helpers';

// A 1x1 PNG, as a screenshot on the clipboard would be.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** Fires a paste (or a drop) carrying one file, as the browser does for a screenshot or a drag. */
async function fileEvent(target: Locator, type: 'paste' | 'drop', name: string, mime: string, b64: string) {
  await target.evaluate(
    (el, { type, name, mime, b64 }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: mime }));
      const e =
        type === 'paste'
          ? new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true })
          : new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
      el.dispatchEvent(e);
    },
    { type, name, mime, b64 },
  );
}

test('en: offer details, emoji, pasted and dropped files, the length limit, and a failed send kept', async ({ browser }) => {
  const agent = await person(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await person(browser, 'zh-CN');
  await visitor.page.goto(`${base()}/demo`);
  await visitor.page.getByTestId('kefu-launcher').click();
  const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-name').fill('周杰');
  await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('我的卡在国外被拒了');
  await frame.getByTestId('composer-input').press('Enter');

  // The offer says what the customer asked, for which business, and how long they have waited.
  const offer = agent.page.getByTestId('offer-dialog');
  await expect(offer).toContainText('周杰');
  await expect(offer.getByTestId('offer-first-message')).toHaveText('我的卡在国外被拒了');
  await expect(offer.getByTestId('offer-business-type')).toContainText('Credit cards');
  await expect(offer.getByTestId('offer-waited')).toHaveText(/^Waiting for \d+:\d\d$/);
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: '周杰' }).click();

  // An emoji goes in at the caret.
  const input = agent.page.getByTestId('composer-input');
  await input.fill('您好！');
  await input.press('End');
  await input.press('ArrowLeft');
  await agent.page.getByTestId('composer-emoji').click();
  await agent.page.getByTestId('emoji-option').filter({ hasText: '😊' }).click();
  await expect(input).toHaveValue('您好😊！');
  await input.press('Enter');
  await expect(frame.getByTestId('message').filter({ hasText: '您好😊！' })).toBeVisible();

  // A pasted screenshot and a dropped file reach the visitor.
  await fileEvent(input, 'paste', 'image.png', 'image/png', PNG);
  await expect(frame.getByTestId('message-image')).toHaveCount(1);
  await fileEvent(agent.page.getByTestId('composer'), 'drop', 'notes.txt', 'text/plain', btoa('card blocked abroad'));
  await expect(frame.getByTestId('message-file').filter({ hasText: 'notes.txt' })).toBeVisible();

  // Near the limit a counter shows; over it, sending is refused and the text stays.
  await input.fill('a'.repeat(4600));
  await expect(agent.page.getByTestId('composer-counter')).toHaveText('4600 / 5000');
  await input.fill('a'.repeat(5003));
  await expect(agent.page.getByTestId('composer-too-long')).toContainText('Remove 3');
  await expect(agent.page.getByTestId('composer-send')).toBeDisabled();
  await input.press('Enter');
  await expect(input).toHaveValue('a'.repeat(5003));
  await input.fill('');
  await expect(agent.page.getByTestId('composer-counter')).toHaveCount(0);

  // Offline, the send fails: the message says so, and Edit brings its text back to the composer.
  await agent.context.setOffline(true);
  await input.fill('请稍等，我查一下');
  await input.press('Enter');
  const failed = agent.page.locator('[data-testid=message][data-state=failed]').filter({ hasText: '请稍等，我查一下' });
  await expect(failed).toBeVisible();
  await agent.context.setOffline(false);
  await failed.getByTestId('message-edit').click();
  await expect(failed).toHaveCount(0);
  await expect(input).toHaveValue('请稍等，我查一下');
  await input.press('Enter');
  await expect(frame.getByTestId('message').filter({ hasText: '请稍等，我查一下' })).toBeVisible();

  await agent.context.close();
  await visitor.context.close();
  await leaveFloor('agent1@demo.kefu');
});

test('zh-CN: the agent sees the rating and comment the customer gave last time', async ({ browser }) => {
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const token = await api.login('agent1@demo.kefu', 'demo-agent');
  const v = await api.visitor('吴敏');

  // Last time: served, closed, rated 2 with a comment.
  const first = await api.post(v, '/api/v1/conversations', { business_type_id: 1, message: '账单金额不对' });
  const offer = agent.page.getByTestId('offer-dialog');
  await expect(offer.getByTestId('offer-first-message')).toHaveText('账单金额不对');
  await agent.page.getByTestId('offer-accept').click();
  await api.post(token, `/api/v1/conversations/${first.id}/close`, { wrap_up_code: 'resolved' });
  await api.post(v, `/api/v1/conversations/${first.id}/csat`, { score: 2, comment: '等太久了' });

  // This time the customer panel shows that rating with the earlier conversation.
  await api.post(v, '/api/v1/conversations', { business_type_id: 1, message: '又来问账单' });
  await expect(offer.getByTestId('offer-first-message')).toHaveText('又来问账单');
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: '吴敏' }).click();
  const past = agent.page.getByTestId('history-item').filter({ has: agent.page.getByTestId('csat') });
  await expect(past.getByTestId('csat')).toHaveAttribute('data-score', '2');
  await expect(past.getByTestId('csat')).toContainText('满意度评价 2/5');
  await expect(past.getByTestId('csat-comment')).toHaveText('等太久了');
  await past.click();
  await expect(agent.page.getByTestId('history-dialog').getByTestId('csat-comment')).toHaveText('等太久了');

  await agent.context.close();
  await leaveFloor('agent1@demo.kefu');
});

test('zh-CN widget: the customer picks an emoji at the caret, and a counter blocks an over-long message without losing it', async ({ browser }) => {
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await person(browser, 'zh-CN');
  await visitor.page.goto(`${base()}/demo`);
  await visitor.page.getByTestId('kefu-launcher').click();
  const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-name').fill('表情客户');
  await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
  await frame.getByTestId('prechat-start').click();
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: '表情客户' }).click();

  // The emoji goes in where the caret is, from the keyboard too (Enter on a grid cell).
  const input = frame.getByTestId('composer-input');
  await input.fill('谢谢！');
  await input.press('End');
  await input.press('ArrowLeft');
  await frame.getByTestId('composer-emoji').click();
  await expect(frame.getByTestId('emoji-panel')).toBeVisible();
  await frame.getByTestId('emoji-option').filter({ hasText: '🙏' }).click();
  await expect(frame.getByTestId('emoji-panel')).toBeHidden();
  await expect(input).toHaveValue('谢谢🙏！');
  await input.press('Enter');
  await expect(agent.page.getByTestId('message').filter({ hasText: '谢谢🙏！' })).toBeVisible();
  await frame.getByTestId('composer-emoji').focus();
  await frame.getByTestId('composer-emoji').press('Enter');
  await frame.getByTestId('emoji-option').first().press('ArrowRight');
  await frame.getByTestId('emoji-option').nth(1).press('Enter');
  await expect(input).toHaveValue('😄');
  await input.fill('');

  // Near the limit a counter shows; over it the send is refused, the counter is red and the text stays.
  await input.fill('好'.repeat(4600));
  await expect(frame.getByTestId('composer-counter')).toHaveText('4600 / 5000');
  await input.fill('好'.repeat(5003));
  await expect(frame.getByTestId('composer-counter')).toContainText('超出 3 个字');
  await expect(frame.getByTestId('composer-counter')).toHaveClass(/composer__counter--over/);
  await input.press('Enter');
  await expect(frame.getByTestId('composer-send')).toHaveAttribute('aria-disabled', 'true');
  await frame.getByTestId('composer-send').click({ force: true });
  await expect(input).toHaveValue('好'.repeat(5003));
  await input.fill('好'.repeat(5000));
  await input.press('Enter');
  await expect(input).toHaveValue('');
  await expect(agent.page.getByTestId('message').filter({ hasText: '好'.repeat(50) })).toBeVisible();
  await expect(frame.getByTestId('composer-counter')).toBeHidden();

  await visitor.context.close();
  await agent.context.close();
  await leaveFloor('agent1@demo.kefu');
});
