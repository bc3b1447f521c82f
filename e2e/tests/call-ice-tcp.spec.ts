// A video call over ICE-TCP (RFC 6544, RFC 4571 framing) where UDP cannot be used: this spec
// starts its own kefu with `media_tcp = true` on a media port of its choosing, and an nftables
// rule (a table of its own, on loopback, for that one UDP port, removed afterwards) drops every
// UDP datagram sent to the SFU — a firewall that lets only TCP through. Both browsers then can
// only reach the SFU's passive TCP candidate. getStats() on both sides: the selected candidate
// pair is TCP and the other's video keeps decoding. (Checked: with `media_tcp = false` the same
// spec fails, the call never connects.)
//
// Chromium's `--force-webrtc-ip-handling-policy=disable_non_proxied_udp` was tried first: with
// `media_tcp = false` the call still connected over a UDP host pair, so it does not make UDP
// unusable here; the firewall rule does.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { expect, test, type Frame, type Page } from '@playwright/test';
import { startKefu, type Kefu } from '../server';
import { agentReady, api, leaveFloor, prechat, withTestHooks } from './helpers';

const TABLE = `kefu_icetcp_${process.pid}`;
let kefu: Kefu | undefined;
let sharedUrl: string | undefined;

/** A UDP port free now on 127.0.0.1 (the server binds TCP to the same number). */
function freeUdpPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createSocket('udp4');
    s.once('error', fail);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

test.beforeAll(async () => {
  const port = await freeUdpPort();
  const rule = `table inet ${TABLE} {\n chain input {\n  type filter hook input priority 0; policy accept;\n  iifname "lo" udp dport ${port} drop\n }\n}\n`;
  execFileSync('nft', ['-f', '-'], { input: rule });
  kefu = await startKefu('', { mediaToml: `media_udp = "127.0.0.1:${port}"\nmedia_loopback_only = true\nmedia_tcp = true\n` });
  sharedUrl = process.env.KEFU_E2E_URL;
  process.env.KEFU_E2E_URL = kefu.url;
});

test.afterAll(() => {
  process.env.KEFU_E2E_URL = sharedUrl;
  kefu?.stop();
  try {
    execFileSync('nft', ['delete', 'table', 'inet', TABLE]);
  } catch {
    /* not created */
  }
});

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

test('video service with UDP to the SFU dropped: both sides reach it over ICE-TCP and see each other', async ({ browser }) => {
  test.setTimeout(150_000);
  const agent = await withTestHooks(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
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
