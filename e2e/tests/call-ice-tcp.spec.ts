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
import { agentReady, api, expectSteadyVideo, leaveFloor, prechat, startVideoService, withTestHooks } from './helpers';

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

/** Media over TCP: a TCP pair selected (to the SFU's passive candidate), the other's video decoding steadily. */
async function expectTcpVideo(side: string, where: Page | Frame) {
  const pair = await expectSteadyVideo(side, where);
  expect(pair.protocol, `${side}: the selected pair's transport`).toBe('tcp');
  expect(pair.remoteTcpType, `${side}: the SFU's candidate`).toBe('passive');
}

test('video service with UDP to the SFU dropped: both sides reach it over ICE-TCP and see each other', async ({ browser }) => {
  test.setTimeout(150_000);
  const agent = await withTestHooks(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, 'TCP 客户');
  const { panel, callView, widgetFrame } = await startVideoService(agent.page, visitor.page, frame);
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
