// The customer panel's history pages by 50 like the API: a customer with 55 earlier conversations
// shows the newest 50, and "load older" adds the other 5 under them, then disappears. In en and
// zh-CN (the button's words).
import { expect, test } from '@playwright/test';
import { agentReady, api, leaveFloor, person } from './helpers';

/** A customer who came `n` times before and left the line each time (seeded through the API,
 * without a first message, and waiting out the visitors' rate limit when it answers 429). */
async function regular(name: string, n: number): Promise<string> {
  const v = await api.visitor(name);
  for (let i = 0; i < n; i++) {
    let c: { id: number } | undefined;
    while (!c) {
      try {
        c = await api.post(v, '/api/v1/conversations', { business_type_id: 1 });
      } catch (e) {
        if (!String(e).includes(': 429 ')) throw e;
        await new Promise((r) => setTimeout(r, 1100));
      }
    }
    await api.post(v, `/api/v1/conversations/${c.id}/leave`, {});
  }
  return v;
}

for (const [locale, older] of [
  ['en', 'Load older conversations'],
  ['zh-CN', '加载更早的会话'],
] as const) {
  test(`${locale}: "load older" in the customer panel shows a regular customer's 55 earlier conversations`, async ({ browser }) => {
    const name = `Regular ${locale} 老客户`;
    const v = await regular(name, 55);
    const agent = await person(browser, locale);
    await agentReady(agent.page, 'agent1@demo.kefu');
    try {
      await api.post(v, '/api/v1/conversations', { business_type_id: 1, message: 'again / 又来了' });
      await agent.page.getByTestId('offer-accept').click();
      await agent.page.getByTestId('conversation-item').filter({ hasText: name }).click();
      const panel = agent.page.getByTestId('customer-panel');
      const items = panel.getByTestId('history-item');
      // The newest page holds 50: the conversation being served (not listed) and 49 earlier ones.
      await expect(items).toHaveCount(49);
      const button = panel.getByTestId('history-older');
      await expect(button).toHaveText(older);
      await button.click();
      await expect(items).toHaveCount(55);
      await expect(button).toHaveCount(0);
      // Every row once: no conversation repeated across the two pages.
      const ids = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')));
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await agent.context.close();
      await leaveFloor('agent1@demo.kefu');
    }
  });
}
