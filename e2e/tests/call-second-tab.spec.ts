// The newest tab of a side takes the call: an agent in a video call opens the workspace in a
// second tab of the same browser. The second tab joins the call's media, the server drops the
// first tab's participant at once and tells it (`call.replaced`): the first tab's call panel goes
// away with a notice that the call continues in another tab, and it does not join again; the
// customer keeps seeing and hearing the agent, now through the second tab.
// The visitor's side likewise: the same visitor (the same visitor token, from the frame's
// localStorage) opens the site on another device in English, then in a second tab of the first
// browser; each newer page's widget joins the call by itself, the page it took the call from says
// so in its own language and stays out, and the agent keeps receiving the visitor throughout.
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

/**
 * More video frames decode on `where`: at least `atLeast` within 15 s (arrival, not a rate). Summed
 * over rises between samples, since a replaced sender's stream may leave the stats and lower the total.
 */
async function framesArrive(side: string, where: Page | Frame, atLeast = 10) {
  const started = Date.now();
  let last = await framesDecoded(where);
  let arrived = 0;
  while (arrived <= atLeast && Date.now() - started < 15_000) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await framesDecoded(where);
    arrived += Math.max(0, now - Math.max(last, 0));
    last = now;
  }
  console.log(`${side}: ${arrived} frames in ${Date.now() - started} ms`);
  expect(arrived, `${side}: frames decoded`).toBeGreaterThan(atLeast);
}

/** The visitor's widget on `page` (the /demo site): opened, its frame for getStats(). */
async function openWidget(page: Page) {
  await page.goto(`${base()}/demo`);
  await page.getByTestId('kefu-launcher').click();
  const frame = page.frameLocator('[data-testid=kefu-frame]');
  const callView = frame.getByTestId('call-view');
  await expect(callView, 'the widget joins the open call by itself').toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  return { frame, callView, widgetFrame: (await (await page.$('[data-testid=kefu-frame]'))!.contentFrame())! };
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

test('a newer page of the visitor takes the call; the page it left says so in its language', async ({ browser }) => {
  test.setTimeout(180_000);
  const agent = await withTestHooks(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '两个页面的访客');
  const { panel, callView, widgetFrame } = await startVideoService(agent.page, visitor.page, frame);
  await framesArrive('the agent, before', agent.page);

  // The same visitor on another device, in English: its widget takes the call.
  const device = await withTestHooks(browser, 'en-US', true, visitor.context);
  const onDevice = await openWidget(device.page);
  await expect(frame.getByTestId('widget-notice')).toHaveText('通话已在另一个窗口或设备上继续。', { timeout: 30_000 });
  await expect(callView).toBeHidden();
  expect(await framesDecoded(widgetFrame), 'the first page holds no call').toBe(-1);
  await framesArrive('the visitor on the other device', onDevice.widgetFrame);
  await framesArrive('the agent, from the other device', agent.page);
  await expect(panel).toHaveAttribute('data-state', 'connected');

  // Back to the first browser, in a second tab: it takes the call from the English device.
  const tab = await visitor.context.newPage();
  const inTab = await openWidget(tab);
  await expect(onDevice.frame.getByTestId('widget-notice')).toHaveText('The call continues in another window or on another device.', { timeout: 30_000 });
  await expect(onDevice.callView).toBeHidden();
  await framesArrive('the visitor in the second tab', inTab.widgetFrame);
  await framesArrive('the agent, from the second tab', agent.page);
  // The pages that were left stay out of the call.
  await expect(callView).toBeHidden();
  await expect(onDevice.callView).toBeHidden();

  await agent.page.getByTestId('call-hangup').click();
  await expect(inTab.callView).toBeHidden({ timeout: 15_000 });
  await agent.context.close();
  await device.context.close();
  await visitor.context.close();
  await leaveFloor('agent1@demo.kefu');
});
