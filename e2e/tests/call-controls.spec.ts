// Call controls through the real UIs and the real SFU (issue 6): screen share, voice-only calls
// and one-way video. Chromium's fake capture (`--use-fake-device-for-media-stream` with
// `--use-fake-ui-for-media-stream`, already in the config) answers getDisplayMedia with a
// synthetic 1280x720 "screen", so no picker is needed in headless mode.
//
// The pages start with `window.__KEFU_TEST_HOOKS__ = true`: the call's RTCPeerConnection is then
// at `window.__kefuCall.peer`, which getStats() is read from.
import { expect, test, type Browser, type Frame, type FrameLocator, type Page } from '@playwright/test';
import { agentReady, leaveFloor, withTestHooks, prechat } from './helpers';


interface Inbound {
  /** framesDecoded per inbound video track id. */
  video: Record<string, number>;
  audioEnergy: number;
  /** Video tracks this side sends (a sender with a live video track). */
  videoSenders: number;
  /** RTP video frames this side has sent so far. */
  framesSent: number;
}

async function inbound(where: Page | Frame): Promise<Inbound> {
  return where.evaluate(async () => {
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    const out = { video: {} as Record<string, number>, audioEnergy: 0, videoSenders: 0, framesSent: 0 };
    if (!call) return out;
    (await call.peer.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.video[String(s.trackIdentifier)] = Number(s.framesDecoded ?? 0);
      if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioEnergy += Number(s.totalAudioEnergy ?? 0);
      if (s.type === 'outbound-rtp' && s.kind === 'video') out.framesSent += Number(s.framesSent ?? 0);
    });
    out.videoSenders = call.peer.getSenders().filter((x) => x.track?.kind === 'video' && x.track.readyState === 'live').length;
    return out;
  });
}

/** Frames decoded so far for the track shown in a <video> (by test id), -1 when it shows none. */
async function framesOf(where: Page | Frame, testid: string): Promise<number> {
  const id = await where.locator(`[data-testid=${testid}]`).evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? '');
  if (!id) return -1;
  return (await inbound(where)).video[id] ?? 0;
}

/** The audio energy received so far for the track an <audio> plays (by test id), -1 when it plays none. */
async function energyOf(where: Page | Frame, testid: string): Promise<number> {
  return where.evaluate(async (testid) => {
    const el = document.querySelector(`[data-testid=${testid}]`) as HTMLAudioElement | null;
    const id = (el?.srcObject as MediaStream | null)?.getAudioTracks()[0]?.id;
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    if (!id || !call) return -1;
    let energy = 0;
    (await call.peer.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio' && s.trackIdentifier === id) energy = Number(s.totalAudioEnergy ?? 0);
    });
    return energy;
  }, testid);
}

async function widgetFrameOf(page: Page): Promise<Frame> {
  return (await (await page.$('[data-testid=kefu-frame]'))!.contentFrame())!;
}

/** A visitor chats on /demo and agent1 takes it; both sides have the conversation open. */
async function servedChat(browser: Browser, name: string) {
  const agent = await withTestHooks(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, name);
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('你好');
  await frame.getByTestId('composer-send').click();
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(agent.page.getByTestId('message').filter({ hasText: '你好' })).toBeVisible();
  return { agent, visitor, frame };
}

async function connected(agent: Page, frame: FrameLocator) {
  await expect(agent.getByTestId('call-panel')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect(frame.getByTestId('call-view')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
}

test('screen share: the agent shares, the visitor sees the screen large and decoding; stopping takes it away', async ({ browser }) => {
  test.setTimeout(150_000);
  const { agent, visitor, frame } = await servedChat(browser, '共享屏幕客户');
  await agent.page.getByTestId('call-start').click();
  await frame.getByTestId('call-accept').click();
  await connected(agent.page, frame);
  const widget = await widgetFrameOf(visitor.page);
  await expect.poll(() => framesOf(widget, 'call-remote-video'), { timeout: 30_000 }).toBeGreaterThan(0);

  // 共享屏幕 on the agent's side: the visitor's page gets a second inbound video, shown large.
  const share = agent.page.getByTestId('call-screen-share');
  await expect(share).toHaveText('共享屏幕');
  await share.click();
  await expect(share).toHaveText('停止共享');
  await expect(share).toHaveAttribute('aria-pressed', 'true');
  await expect(frame.getByTestId('call-remote-screen')).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => framesOf(widget, 'call-remote-screen'), { message: 'visitor decodes the screen', timeout: 30_000 }).toBeGreaterThan(0);
  const before = await framesOf(widget, 'call-remote-screen');
  await new Promise((r) => setTimeout(r, 4_000));
  const after = await framesOf(widget, 'call-remote-screen');
  const stats = await inbound(widget);
  console.log(`visitor: screen frames ${before} -> ${after} in 4 s; inbound video tracks ${Object.keys(stats.video).length}`);
  expect(after - before, 'screen frames decoded in 4 s').toBeGreaterThan(10);
  expect(Object.keys(stats.video).length, 'camera and screen arrive').toBeGreaterThanOrEqual(2);
  // The agent's camera goes on, small.
  await expect(frame.getByTestId('call-view')).toHaveClass(/call--screen/);
  expect(await framesOf(widget, 'call-remote-video')).toBeGreaterThan(0);

  // Stopping renegotiates it away: the screen leaves the visitor's stage, the call goes on.
  await share.click();
  await expect(share).toHaveText('共享屏幕');
  await expect(frame.getByTestId('call-remote-screen')).toBeHidden({ timeout: 15_000 });
  await expect(frame.getByTestId('call-view')).not.toHaveClass(/call--screen/);
  await expect(frame.getByTestId('call-view')).toHaveAttribute('data-state', 'connected');

  // The visitor shares back (a desktop browser: the button is there); the agent sees it large.
  const visitorShare = frame.getByTestId('call-screen-share');
  await expect(visitorShare).toHaveText('共享屏幕');
  await visitorShare.click();
  await expect(agent.page.getByTestId('call-remote-screen')).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => framesOf(agent.page, 'call-remote-screen'), { message: 'agent decodes the screen', timeout: 30_000 }).toBeGreaterThan(0);
  // The browser's own "stop sharing" (the track ends) stops it as well.
  await widget.evaluate(() => {
    const call = (window as unknown as { __kefuCall: { peer: RTCPeerConnection } }).__kefuCall;
    const screen = call.peer.getTransceivers().find((t) => t.direction === 'sendonly')?.sender.track;
    screen?.stop();
    screen?.dispatchEvent(new Event('ended'));
  });
  await expect(visitorShare).toHaveText('共享屏幕');
  await expect(agent.page.getByTestId('call-remote-screen')).toBeHidden({ timeout: 15_000 });

  await agent.page.getByTestId('call-panel').getByTestId('call-hangup').click();
  await expect(frame.getByTestId('call-view')).toBeHidden();
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

test("screen share with the tab's sound: the other side hears it beside the voice; stopping the share stops both", async ({ browser }) => {
  test.setTimeout(150_000);
  const { agent, visitor, frame } = await servedChat(browser, '共享声音客户');
  await agent.page.getByTestId('call-start').click();
  await frame.getByTestId('call-accept').click();
  await connected(agent.page, frame);
  const widget = await widgetFrameOf(visitor.page);

  // Chromium's fake capture answers getDisplayMedia({ video, audio: true }) with a screen and a
  // (fake) sound: the agent's share publishes both.
  const share = agent.page.getByTestId('call-screen-share');
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'true');
  const sent = await agent.page.evaluate(() => {
    const call = (window as unknown as { __kefuCall: { peer: RTCPeerConnection } }).__kefuCall;
    return call.peer.getTransceivers().filter((t) => t.direction === 'sendonly').map((t) => t.sender.track?.kind);
  });
  expect(sent, 'the share sends its picture and its sound').toEqual(['video', 'audio']);
  await expect(frame.getByTestId('call-remote-screen')).toBeVisible({ timeout: 30_000 });
  // The visitor's page plays the share's sound on its own element, beside the agent's voice.
  await expect.poll(() => energyOf(widget, 'call-remote-screen-sound'), { message: 'the share sounds at the visitor', timeout: 30_000 }).toBeGreaterThan(0);
  const before = await energyOf(widget, 'call-remote-screen-sound');
  await new Promise((r) => setTimeout(r, 3_000));
  const after = await energyOf(widget, 'call-remote-screen-sound');
  const voice = (await inbound(widget)).audioEnergy - after;
  console.log(`visitor: the share's audio energy ${before.toFixed(4)} -> ${after.toFixed(4)} in 3 s; the agent's voice ${voice.toFixed(4)}`);
  expect(after, "the share's audio energy rises").toBeGreaterThan(before);
  expect(voice, "the agent's voice goes on beside it").toBeGreaterThan(0);
  await expect(frame.getByTestId('call-remote-screen-sound')).toHaveAttribute('aria-label', '坐席共享的声音');

  // Stopping the share stops the sound with the picture.
  await share.click();
  await expect(frame.getByTestId('call-remote-screen')).toBeHidden({ timeout: 15_000 });
  await expect.poll(() => energyOf(widget, 'call-remote-screen-sound'), { message: 'the share sound is gone', timeout: 15_000 }).toBe(-1);
  const live = await agent.page.evaluate(() => {
    const call = (window as unknown as { __kefuCall: { peer: RTCPeerConnection } }).__kefuCall;
    return call.peer.getSenders().filter((x) => x.track?.readyState === 'live').map((x) => x.track!.kind).sort();
  });
  expect(live, 'only the microphone and camera are sent after the share').toEqual(['audio', 'video']);

  await agent.page.getByTestId('call-panel').getByTestId('call-hangup').click();
  await expect(frame.getByTestId('call-view')).toBeHidden();
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

test('voice call from a chat: audio flows both ways, no video is sent, names instead of video', async ({ browser }) => {
  test.setTimeout(150_000);
  const { agent, visitor, frame } = await servedChat(browser, '语音客户');
  // Both UIs offer 语音通话 next to 视频通话; the visitor calls by voice.
  await expect(agent.page.getByTestId('call-start-voice')).toHaveText('语音通话');
  await expect(frame.getByTestId('call-start')).toHaveText('视频通话');
  await frame.getByTestId('call-start-voice').click();
  const incoming = agent.page.getByTestId('incoming-call-dialog');
  await expect(incoming).toContainText('语音来电');
  await incoming.getByTestId('incoming-call-accept').click();
  await connected(agent.page, frame);
  await expect(agent.page.getByTestId('call-panel')).toHaveAttribute('data-media', 'voice');

  // Avatars and names instead of video; no camera control, no screen share in a voice call.
  await expect(agent.page.getByTestId('call-voice')).toContainText('语音客户');
  await expect(frame.getByTestId('call-voice')).toContainText('语音通话');
  await expect(frame.getByTestId('call-camera')).toHaveCount(0);
  await expect(agent.page.getByTestId('call-screen-share')).toHaveCount(0);

  const widget = await widgetFrameOf(visitor.page);
  for (const [side, where] of [['agent', agent.page], ['visitor', widget]] as const) {
    await expect.poll(async () => (await inbound(where)).audioEnergy, { message: `${side} hears the other`, timeout: 30_000 }).toBeGreaterThan(0);
  }
  await new Promise((r) => setTimeout(r, 3_000));
  for (const [side, where] of [['agent', agent.page], ['visitor', widget]] as const) {
    const s = await inbound(where);
    console.log(`${side}: audio energy ${s.audioEnergy.toFixed(4)}, video senders ${s.videoSenders}, video frames sent ${s.framesSent}, inbound video ${JSON.stringify(s.video)}`);
    expect(s.videoSenders, `${side} sends no video track`).toBe(0);
    expect(s.framesSent, `${side} sent no video frames`).toBe(0);
    expect(Object.values(s.video).reduce((a, b) => a + b, 0), `${side} decodes no video`).toBe(0);
  }

  await frame.getByTestId('call-hangup').click();
  await expect(agent.page.getByTestId('call-panel')).toBeHidden();
  await expect(agent.page.locator('[data-testid=system-line][data-event=call_ended]')).toContainText('语音通话');
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

test('one-way video: the visitor answers with 仅看坐席, sees the agent and sends no picture', async ({ browser }) => {
  test.setTimeout(150_000);
  const { agent, visitor, frame } = await servedChat(browser, '仅观看客户');
  await agent.page.getByTestId('call-start').click();
  await expect(frame.getByTestId('call-accept-oneway')).toHaveText('仅看坐席');
  await frame.getByTestId('call-accept-oneway').click();
  await connected(agent.page, frame);
  // No own preview and no camera button for the visitor; the agent is told the camera is off.
  await expect(frame.getByTestId('call-local-video')).toBeHidden();
  await expect(frame.getByTestId('call-camera')).toHaveCount(0);
  await expect(agent.page.getByTestId('call-customer-camera-off')).toContainText('仅观看客户');

  const widget = await widgetFrameOf(visitor.page);
  await expect.poll(() => framesOf(widget, 'call-remote-video'), { message: 'visitor decodes the agent', timeout: 30_000 }).toBeGreaterThan(0);
  const before = await framesOf(widget, 'call-remote-video');
  await new Promise((r) => setTimeout(r, 4_000));
  const after = await framesOf(widget, 'call-remote-video');
  const v = await inbound(widget);
  const a = await inbound(agent.page);
  console.log(`visitor: agent frames ${before} -> ${after} in 4 s, video senders ${v.videoSenders}, frames sent ${v.framesSent}; agent: inbound video ${JSON.stringify(a.video)}, audio energy ${a.audioEnergy.toFixed(4)}`);
  expect(after - before, 'the visitor decodes the agent in 4 s').toBeGreaterThan(10);
  expect(v.videoSenders, 'the visitor sends no video track').toBe(0);
  expect(v.framesSent, 'the visitor sent no video frames').toBe(0);
  expect(Object.values(a.video).reduce((x, y) => x + y, 0), 'the agent decodes no video from the visitor').toBe(0);
  expect(a.audioEnergy, 'the agent hears the visitor').toBeGreaterThan(0);

  await agent.page.getByTestId('call-panel').getByTestId('call-hangup').click();
  await expect(frame.getByTestId('call-view')).toBeHidden();
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

test('voice service: the widget entry queues a voice call; the agent takes it and both hear each other', async ({ browser }) => {
  test.setTimeout(120_000);
  const agent = await withTestHooks(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'en-US');
  const frame = await prechat(visitor.page, 'Voice customer');
  await expect(frame.getByTestId('voice-service')).toHaveText('Voice service');
  await frame.getByTestId('voice-service').click();

  await expect(agent.page.getByTestId('offer-voice-service')).toContainText('语音客服');
  await agent.page.getByTestId('offer-accept').click();
  await connected(agent.page, frame);
  await expect(agent.page.getByTestId('call-panel')).toHaveAttribute('data-media', 'voice');
  await expect(frame.getByTestId('call-voice')).toContainText('Voice call');
  const widget = await widgetFrameOf(visitor.page);
  for (const [side, where] of [['agent', agent.page], ['visitor', widget]] as const) {
    await expect.poll(async () => (await inbound(where)).audioEnergy, { message: `${side} hears the other`, timeout: 30_000 }).toBeGreaterThan(0);
    expect((await inbound(where)).videoSenders, `${side} sends no video`).toBe(0);
  }
  await agent.page.getByTestId('call-panel').getByTestId('call-hangup').click();
  await expect(frame.getByTestId('call-view')).toBeHidden();
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

test('camera switch: a visitor with several cameras switches to another, skipping one that gives no picture, and the agent keeps decoding', async ({ browser }) => {
  test.setTimeout(120_000);
  const { agent, visitor, frame } = await servedChat(browser, '切换摄像头客户');
  await agent.page.getByTestId('call-start').click();
  await frame.getByTestId('call-accept').click();
  await connected(agent.page, frame);
  const widget = await widgetFrameOf(visitor.page);
  const sentCamera = () =>
    widget.evaluate(() => {
      const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
      return call?.peer.getSenders().find((s) => s.track?.kind === 'video' && s.track.readyState === 'live')?.track?.label ?? '';
    });
  const frames = () => framesOf(agent.page, 'call-remote-video');
  // Before the switch the agent decodes the visitor's first camera.
  await expect.poll(frames, { message: 'the agent decodes before the switch', timeout: 30_000 }).toBeGreaterThan(0);
  const first = await frames();
  await expect.poll(frames, { message: 'the agent keeps decoding before the switch', timeout: 20_000 }).toBeGreaterThan(first + 20);
  const before = await sentCamera();
  expect(before).toBe('fake_device_0');
  const flip = frame.getByTestId('call-switch-camera');
  await expect(flip).toHaveText('切换摄像头');
  await flip.click();
  // Chromium's second fake camera is an emulated depth camera (16-bit frames WebRTC never
  // encodes): sending it would freeze the agent's picture, so the widget moves on to the third.
  await expect.poll(sentCamera, { message: 'another camera that gives a picture is sent', timeout: 15_000 }).toBe('fake_device_2');
  await expect(flip).toBeEnabled();
  await expect(frame.getByTestId('call-notice')).toBeHidden();
  // The agent's picture goes on with the new camera, without a renegotiation or a new track.
  const start = await frames();
  await expect.poll(frames, { message: 'the agent keeps decoding after the switch', timeout: 20_000 }).toBeGreaterThan(start + 20);
  await expect(agent.page.getByTestId('call-panel')).toHaveAttribute('data-state', 'connected');
  await agent.page.getByTestId('call-panel').getByTestId('call-hangup').click();
  await expect(frame.getByTestId('call-view')).toBeHidden();
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});
