// The newest tab of a side takes the call: an agent in a video call opens the workspace in a
// second tab of the same browser. The second tab joins the call's media, the server drops the
// first tab's participant at once and tells it (`call.replaced`): the first tab's call panel goes
// away with a notice that the call continues in another tab, and it does not join again; the
// customer keeps seeing and hearing the agent, now through the second tab.
import { expect, test, type Frame, type Page } from '@playwright/test';
import { agentReady, base, leaveFloor, prechat, startVideoService, withTestHooks } from './helpers';

/** Inbound video frames decoded so far on the exposed peer connection (-1: none). */
async function framesDecoded(where: Page | Frame): Promise<number> {
  return where.evaluate(async () => {
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    if (!call) return -1;
    let frames = 0;
    (await call.peer.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames += Number(s.framesDecoded ?? 0);
    });
    return frames;
  });
}

test('a second tab of the agent takes the call; the first steps out and says so', async ({ browser }) => {
  test.setTimeout(150_000);
  const agent = await withTestHooks(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '两个标签页的坐席');
  const { panel, callView, widgetFrame } = await startVideoService(agent.page, visitor.page, frame);

  // The same agent opens the workspace in a second tab: it joins the call's media by itself.
  const second = await agent.context.newPage();
  await second.goto(`${base()}/app/`);
  await expect(agent.page.getByText('The call continues in another tab or window.')).toBeVisible({ timeout: 30_000 });
  await expect(panel).toBeHidden();
  await second.getByTestId('conversation-item').filter({ hasText: '两个标签页的坐席' }).click();
  const secondPanel = second.getByTestId('call-panel');
  await expect(secondPanel).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });

  // The customer sees the agent through the second tab; the first tab stays out of the call.
  await expect(callView).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  const before = await framesDecoded(widgetFrame);
  await new Promise((r) => setTimeout(r, 5_000));
  const after = await framesDecoded(widgetFrame);
  console.log(`the visitor decoded ${after - before} frames in 5 s after the second tab took the call`);
  expect(after - before, 'the visitor decodes the agent again').toBeGreaterThan(25);
  await expect(panel).toBeHidden();
  expect(await framesDecoded(second), 'the second tab receives the customer').toBeGreaterThan(0);

  await second.getByTestId('call-hangup').click();
  await expect(callView).toBeHidden({ timeout: 15_000 });
  await agent.context.close();
  await visitor.context.close();
  await leaveFloor('agent1@demo.kefu');
});
