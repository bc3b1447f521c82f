// A video call that works only through TURN: this spec starts its own coturn on 127.0.0.1 (TURN
// REST credentials from a shared secret) and its own kefu whose `turn_urls`/`turn_secret` point
// at it (the shared e2e kefu, used by every other spec, stays without TURN). Both pages are forced
// to `iceTransportPolicy: 'relay'` (test hook `{ relayOnly: true }`), so the only way media can
// flow is browser -> coturn relay -> kefu's SFU. getStats() proves it on both sides: the selected
// candidate pair's local candidate is a relay candidate, and the other's video is decoding.
// coturn's own log shows the allocations, made with the credentials kefu handed out.
import { expect, test, type Frame, type Page } from '@playwright/test';
import { startCoturn, type Coturn } from '../coturn';
import { startKefu, type Kefu } from '../server';
import { agentReady, api, base, expectSteadyVideo, leaveFloor, withTestHooks, prechat, startVideoService } from './helpers';

let coturn: Coturn;
let kefu: Kefu;
let sharedUrl: string | undefined;

test.beforeAll(async () => {
  coturn = await startCoturn();
  kefu = await startKefu(`turn_urls = ["${coturn.url}"]\nturn_secret = "${coturn.secret}"\nturn_ttl_secs = 600\n`);
  // helpers' base() and api read KEFU_E2E_URL: point them at this spec's kefu until it ends.
  sharedUrl = process.env.KEFU_E2E_URL;
  process.env.KEFU_E2E_URL = kefu.url;
});

test.afterAll(() => {
  process.env.KEFU_E2E_URL = sharedUrl;
  kefu?.stop();
  coturn?.stop();
});

/** Media through the relay: a relay pair selected, and the other's video decoding steadily. */
async function expectRelayedVideo(side: string, where: Page | Frame) {
  const pair = await expectSteadyVideo(side, where);
  expect(pair.localType, `${side}: the selected pair's local candidate`).toBe('relay');
}

test('video service through TURN only: both sides relay through coturn and see each other', async ({ browser }) => {
  test.setTimeout(150_000);
  const agent = await withTestHooks(browser, 'en-US', { relayOnly: true });
  await agentReady(agent.page, 'agent1@demo.kefu');

  const visitor = await withTestHooks(browser, 'zh-CN', { relayOnly: true });
  const frame = await prechat(visitor.page, '隔着防火墙的客户');
  const { panel, callView, widgetFrame } = await startVideoService(agent.page, visitor.page, frame);
  await expectRelayedVideo('agent', agent.page);
  await expectRelayedVideo('visitor', widgetFrame);

  // coturn allocated relays for both, with the usernames kefu made (`<expiry>:user-<id>` for the
  // agent, `<expiry>:visitor-<id>` for the visitor), and relayed to the SFU on loopback.
  const log = coturn.log();
  const allocations = log.split('\n').filter((l) => /ALLOCATE processed, success/.test(l));
  console.log(`coturn: ${allocations.length} successful allocations`);
  expect(allocations.some((l) => /user <\d+:user-\d+>/.test(l)), 'an allocation for the agent').toBe(true);
  expect(allocations.some((l) => /user <\d+:visitor-\d+>/.test(l)), 'an allocation for the visitor').toBe(true);
  expect(log).toMatch(/CREATE_PERMISSION processed, success|CHANNEL_BIND processed, success/);

  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await expect(callView).toBeHidden();
  const token = await api.login('agent1@demo.kefu', 'demo-agent');
  await expect.poll(async () => (await api.get(token, '/api/v1/agents/me')).load.call).toBe(0);
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});
