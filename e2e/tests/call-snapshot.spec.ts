// A call snapshot through the real UIs: during a video-service call the agent presses 抓拍 /
// Capture; the visitor's widget takes a still from its own camera track (not from the stream the
// agent receives) and uploads it; the snapshot message appears on both sides with its label,
// time and hash, and the image's natural size equals the visitor camera's capture settings
// (Chromium's fake camera, read with getSettings() through the test hook).
import { expect, test, type Frame, type Page } from '@playwright/test';
import { agentReady, leaveFloor, withTestHooks, prechat, startVideoService } from './helpers';


/** The capture size of the camera track this side sends (from the exposed peer connection). */
async function cameraSettings(where: Page | Frame): Promise<{ width: number; height: number }> {
  return where.evaluate(() => {
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    const track = call?.peer.getSenders().find((s) => s.track?.kind === 'video')?.track;
    const s = track?.getSettings() ?? {};
    return { width: s.width ?? 0, height: s.height ?? 0 };
  });
}

/** The natural size of the snapshot image shown in a timeline (0 until it has loaded). */
async function shownSize(img: ReturnType<Page['locator']>): Promise<string> {
  return img.evaluate((el: HTMLImageElement) => (el.complete && el.naturalWidth ? `${el.naturalWidth}x${el.naturalHeight}` : ''));
}

test('the agent captures a snapshot: a full-resolution still of the visitor camera reaches both timelines', async ({ browser }) => {
  test.setTimeout(120_000);
  const agent = await withTestHooks(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');

  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '抓拍客户');
  const { panel, widgetFrame } = await startVideoService(agent.page, visitor.page, frame);
  const camera = await cameraSettings(widgetFrame);
  expect(camera.width, 'the visitor camera reports its capture size').toBeGreaterThan(0);
  const received = await agent.page.getByTestId('call-remote-video').evaluate((v: HTMLVideoElement) => `${v.videoWidth}x${v.videoHeight}`);
  console.log(`visitor camera ${camera.width}x${camera.height}, agent receives ${received}`);

  await expect(panel.getByTestId('call-capture')).toHaveText('抓拍');
  await panel.getByTestId('call-capture').click();
  await expect(frame.getByTestId('call-notice')).toHaveText('坐席已抓拍');

  const size = `${camera.width}x${camera.height}`;
  const agentSnap = agent.page.getByTestId('message').filter({ has: agent.page.getByTestId('message-snapshot') });
  const visitorSnap = frame.getByTestId('message').filter({ has: frame.getByTestId('message-snapshot') });
  await expect(agentSnap).toHaveCount(1);
  await expect(visitorSnap).toHaveCount(1);
  // Label, capture size and short hash; the full SHA-256 on hover; the time of the message.
  const label = agentSnap.getByTestId('message-snapshot');
  await expect(label).toHaveText(new RegExp(`^\\s*抓拍\\s*${camera.width}×${camera.height} · SHA-256 [0-9a-f]{12}\\s*$`));
  const title = (await label.getAttribute('title')) ?? '';
  const hash = /[0-9a-f]{64}/.exec(title)?.[0] ?? '';
  expect(hash, title).toHaveLength(64);
  await expect(label).toContainText(hash.slice(0, 12));
  await expect(agentSnap.locator('time')).toHaveCount(1);
  await expect(visitorSnap.getByTestId('message-snapshot')).toHaveText(`抓拍 ${camera.width}×${camera.height} · SHA-256 ${hash.slice(0, 12)}`);
  await expect(visitorSnap.getByTestId('message-snapshot')).toHaveAttribute('title', hash);
  await expect(visitorSnap.locator('time')).toHaveCount(1);

  // Full resolution: the image itself is the camera's capture size, on both sides.
  await expect.poll(() => shownSize(agentSnap.getByTestId('message-image')), { timeout: 15_000 }).toBe(size);
  await expect.poll(() => shownSize(visitorSnap.getByTestId('message-image')), { timeout: 15_000 }).toBe(size);
  // The button is free again once the snapshot arrived.
  await expect(panel.getByTestId('call-capture')).toHaveText('抓拍');

  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});
