// A video call over ICE-TCP (RFC 6544, RFC 4571 framing) where UDP cannot be used: this spec
// starts its own kefu with `media_tcp = true`, and its own Chromium with
// `--force-webrtc-ip-handling-policy=disable_non_proxied_udp` — WebRTC then sends no UDP at all
// (no proxy is set, so there is no proxied UDP either) and can only open TCP connections to the
// SFU's passive TCP candidate. getStats() on both sides: the selected candidate pair is TCP and
// the other's video keeps decoding.
import { chromium, expect, test, type Browser, type Frame, type Page } from '@playwright/test';
import config from '../playwright.config';
import { agentReady, api, leaveFloor, ownKefu, prechat } from './helpers';

ownKefu(() => 'media_tcp = true\n');

let browser: Browser;

test.beforeAll(async () => {
  const launch = config.use?.launchOptions ?? {};
  browser = await chromium.launch({ ...launch, args: [...(launch.args ?? []), '--force-webrtc-ip-handling-policy=disable_non_proxied_udp'] });
});

test.afterAll(async () => {
  await browser?.close();
});

/** A page with the call code's test hooks (the peer connection at `window.__kefuCall.peer`). */
async function hooked(locale: string) {
  const context = await browser.newContext({ locale });
  await context.addInitScript(() => {
    (window as unknown as { __KEFU_TEST_HOOKS__: unknown }).__KEFU_TEST_HOOKS__ = true;
  });
  return { context, page: await context.newPage() };
}

interface PairStats {
  connection: string;
  protocol: string;
  localType: string;
  remoteTcpType: string;
  framesDecoded: number;
}

/** The selected candidate pair's transport and the inbound video frames decoded so far. */
async function pairStats(where: Page | Frame): Promise<PairStats> {
  return where.evaluate(async () => {
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    if (!call) return { connection: 'none', protocol: '', localType: '', remoteTcpType: '', framesDecoded: -1 };
    const report = await call.peer.getStats();
    let protocol = '';
    let localType = '';
    let remoteTcpType = '';
    let framesDecoded = 0;
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') framesDecoded += Number(s.framesDecoded ?? 0);
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = report.get(s.selectedCandidatePairId);
        const local = pair && report.get(pair.localCandidateId);
        const remote = pair && report.get(pair.remoteCandidateId);
        protocol = local?.protocol ?? '';
        localType = local?.candidateType ?? '';
        remoteTcpType = remote?.tcpType ?? '';
      }
    });
    return { connection: call.peer.connectionState, protocol, localType, remoteTcpType, framesDecoded };
  });
}

/** Media over TCP: a TCP pair selected (to the SFU's passive candidate), the other's video decoding steadily. */
async function expectTcpVideo(side: string, where: Page | Frame) {
  await expect.poll(async () => (await pairStats(where)).framesDecoded, { message: `${side}: first video frames`, timeout: 30_000 }).toBeGreaterThan(0);
  const before = await pairStats(where);
  await new Promise((r) => setTimeout(r, 5_000));
  const after = await pairStats(where);
  console.log(`${side}: ${after.framesDecoded - before.framesDecoded} frames decoded in 5 s over ${after.protocol} ${after.localType} -> ${after.remoteTcpType}, ${after.connection}`);
  expect(after.connection, side).toBe('connected');
  expect(after.protocol, `${side}: the selected pair's transport`).toBe('tcp');
  expect(after.remoteTcpType, `${side}: the SFU's candidate`).toBe('passive');
  expect(after.framesDecoded - before.framesDecoded, `${side}: frames decoded in 5 s`).toBeGreaterThan(20);
}

test('video service with UDP unusable: both sides reach the SFU over ICE-TCP and see each other', async () => {
  test.setTimeout(150_000);
  const agent = await hooked('en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await hooked('zh-CN');
  const frame = await prechat(visitor.page, 'TCP 客户');
  await frame.getByTestId('video-service').click();
  await agent.page.getByTestId('offer-accept').click();

  const panel = agent.page.getByTestId('call-panel');
  const callView = frame.getByTestId('call-view');
  await expect(panel).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect(callView).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });

  const widgetFrame = (await (await visitor.page.$('[data-testid=kefu-frame]'))!.contentFrame())!;
  await expectTcpVideo('agent', agent.page);
  await expectTcpVideo('visitor', widgetFrame);

  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await expect(callView).toBeHidden();
  const token = await api.login('agent1@demo.kefu', 'demo-agent');
  await expect.poll(async () => (await api.get(token, '/api/v1/agents/me')).load.call).toBe(0);
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});
