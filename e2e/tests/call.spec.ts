// A video call through the real UIs and the real SFU: a visitor on /demo chooses "video service"
// in the widget, agent1 takes the offer in the workspace, and on BOTH sides the peer connection's
// getStats() shows the other's video decoding (framesDecoded rising over several seconds) and
// audio arriving (totalAudioEnergy > 0). The agent hangs up: both UIs go back to the chat, the
// timeline says the call ended, and the agent's call slot is free again.
//
// The pages are started with `window.__KEFU_TEST_HOOKS__ = true`, which makes the call code put
// its RTCPeerConnection at `window.__kefuCall.peer` (nothing is exposed without the flag).
import { expect, test, type Frame, type Page } from '@playwright/test';
import { agentReady, api, leaveFloor, withTestHooks, prechat } from './helpers';

interface MediaStats {
  framesDecoded: number;
  audioEnergy: number;
  connection: string;
}

/** Inbound video frames decoded and inbound audio energy so far, from the exposed peer connection. */
async function mediaStats(where: Page | Frame): Promise<MediaStats> {
  return where.evaluate(async () => {
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    if (!call) return { framesDecoded: -1, audioEnergy: -1, connection: 'none' };
    let framesDecoded = 0;
    let audioEnergy = 0;
    (await call.peer.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') framesDecoded += Number(s.framesDecoded ?? 0);
      if (s.kind === 'audio') audioEnergy += Number(s.totalAudioEnergy ?? 0);
    });
    return { framesDecoded, audioEnergy, connection: call.peer.connectionState };
  });
}

/** Both sides decode the other's video steadily and hear the other's audio. */
async function expectMediaFlows(side: string, where: Page | Frame) {
  await expect.poll(async () => (await mediaStats(where)).framesDecoded, { message: `${side}: first video frames`, timeout: 30_000 }).toBeGreaterThan(0);
  const before = await mediaStats(where);
  await new Promise((r) => setTimeout(r, 6_000));
  const after = await mediaStats(where);
  console.log(`${side}: ${after.framesDecoded - before.framesDecoded} frames decoded in 6 s, audio energy ${after.audioEnergy.toFixed(4)}, ${after.connection}`);
  expect(after.connection, side).toBe('connected');
  // The fake camera runs at ~20-30 fps; even a slow, busy machine decodes well over 5 fps.
  expect(after.framesDecoded - before.framesDecoded, `${side}: frames decoded in 6 s`).toBeGreaterThan(30);
  expect(after.audioEnergy, `${side}: audio energy`).toBeGreaterThan(0);
}


test('video service: the visitor and the agent see and hear each other, and the agent hangs up', async ({ browser }) => {
  test.setTimeout(150_000);
  const agent = await withTestHooks(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');

  // The customer chooses "video service" in the widget (Chinese browser).
  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '视频客户');
  await expect(frame.getByTestId('video-service')).toHaveText('视频客服');
  await frame.getByTestId('video-service').click();

  // Agent 1 is offered a video-service conversation and takes it: the call starts at once.
  const offer = agent.page.getByTestId('offer-dialog');
  await expect(offer).toContainText('视频客户');
  await expect(offer.getByTestId('offer-video-service')).toBeVisible();
  await agent.page.getByTestId('offer-accept').click();

  const panel = agent.page.getByTestId('call-panel');
  await expect(panel).toBeVisible();
  const callView = frame.getByTestId('call-view');
  await expect(callView).toBeVisible();
  await expect(panel).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect(callView).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });

  const widgetFrame = (await (await visitor.page.$('[data-testid=kefu-frame]'))!.contentFrame())!;
  await expectMediaFlows('agent', agent.page);
  await expectMediaFlows('visitor', widgetFrame);

  // The chat goes on during the call.
  await frame.getByTestId('composer-input').fill('能看到我吗？');
  await frame.getByTestId('composer-send').click();
  await expect(agent.page.getByTestId('message').filter({ hasText: '能看到我吗？' })).toBeVisible();

  // The agent hangs up: both sides are back to the chat.
  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await expect(callView).toBeHidden();
  await expect(frame.getByTestId('composer-input')).toBeVisible();
  await expect(agent.page.getByTestId('composer-input')).toBeVisible();
  await expect(frame.locator('[data-testid=system-line][data-event=call_ended]')).toBeVisible();
  await expect(agent.page.locator('[data-testid=system-line][data-event=call_ended]')).toBeVisible();
  expect(await widgetFrame.evaluate(() => (window as unknown as { __kefuCall?: unknown }).__kefuCall ?? null)).toBeNull();

  // The agent's call slot is free again (a chat slot is still taken by the conversation).
  const token = await api.login('agent1@demo.kefu', 'demo-agent');
  await expect.poll(async () => (await api.get(token, '/api/v1/agents/me')).load.call).toBe(0);

  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

test('from a chat: the agent calls, the visitor answers in the prompt, and the visitor hangs up', async ({ browser }) => {
  test.setTimeout(120_000);
  const agent = await withTestHooks(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');

  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '先聊天的客户');
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('可以视频吗？');
  await frame.getByTestId('composer-send').click();
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: '先聊天的客户' }).click();
  await expect(agent.page.getByTestId('message').filter({ hasText: '可以视频吗？' })).toBeVisible();

  // The agent starts a video call; the visitor is asked, with the focus on 接听.
  await agent.page.getByTestId('call-start').click();
  await expect(agent.page.getByTestId('call-ringing')).toContainText('正在呼叫客户');
  const prompt = frame.getByTestId('call-incoming');
  await expect(prompt).toHaveAttribute('role', 'alertdialog');
  await expect(prompt).toContainText('客服邀请您进行视频通话');
  await expect(frame.getByTestId('call-accept')).toBeFocused();
  await frame.getByTestId('call-accept').click();

  await expect(agent.page.getByTestId('call-panel')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect(frame.getByTestId('call-view')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  const widgetFrame = (await (await visitor.page.$('[data-testid=kefu-frame]'))!.contentFrame())!;
  for (const where of [agent.page, widgetFrame]) {
    await expect.poll(async () => (await mediaStats(where)).framesDecoded, { timeout: 30_000 }).toBeGreaterThan(10);
  }

  // Mute is the track's enabled flag, shown as a pressed button with its label.
  await frame.getByTestId('call-mute').click();
  await expect(frame.getByTestId('call-mute')).toHaveAttribute('aria-pressed', 'true');
  await expect(frame.getByTestId('call-mute')).toHaveText('取消静音');

  // The visitor hangs up: both back to the chat, the timeline has the call's lines.
  await frame.getByTestId('call-hangup').click();
  await expect(frame.getByTestId('call-view')).toBeHidden();
  await expect(agent.page.getByTestId('call-panel')).toBeHidden();
  await expect(agent.page.locator('[data-testid=system-line][data-event=call_started]')).toBeVisible();
  await expect(agent.page.locator('[data-testid=system-line][data-event=call_ended]')).toContainText('视频通话结束');
  await expect(frame.getByTestId('call-start')).toBeVisible();
  await expect(agent.page.getByTestId('call-start')).toBeVisible();
  const token = await api.login('agent1@demo.kefu', 'demo-agent');
  await expect.poll(async () => (await api.get(token, '/api/v1/agents/me')).load.call).toBe(0);

  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

test('a refused camera is said before the visitor waits in line', async ({ browser }) => {
  // Someone is serving, so the form offers chat and video service (not "leave a message").
  const agent = await withTestHooks(browser, 'zh-CN');
  await agentReady(agent.page, 'agent2@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
  // The browser (or the visitor) refuses camera and microphone.
  await visitor.context.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  const frame = await prechat(visitor.page, '没有授权的客户');
  await frame.getByTestId('video-service').click();
  await expect(frame.getByTestId('prechat-error')).toContainText('摄像头和麦克风的访问权限被拒绝');
  // Nothing was queued: the form is still there, and the visitor can still start a text chat.
  await expect(frame.getByTestId('prechat-start')).toBeEnabled();
  await expect(frame.getByTestId('composer-input')).toHaveCount(0);
  await expect(agent.page.getByTestId('offer-dialog')).toHaveCount(0);
  await leaveFloor('agent2@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});
