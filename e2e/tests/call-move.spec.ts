// A video call survives the death of its media home, in Chromium (issue 6/7): two kefu nodes on
// one PostgreSQL and one nats-server, all on loopback, and the pages loaded through a front that
// hands each connection to the first node that accepts it (cluster.ts: a load balancer with
// failover). While both nodes live everything reaches the first, so it is the call's home (the
// node whose socket joins the call's media first). The agent (workspace) and the visitor (widget)
// start a video call, frames decode both ways, and the agent shares a screen the visitor decodes.
// Then the home is SIGKILLed: the clients' WebSockets die with it and come back through the front
// on the survivor, which takes the call over (`call.moved`); both sides show "reconnecting", make
// a new peer connection to the survivor's SFU, and decode each other's video again — and the
// agent's screen share is back on the visitor's screen without a second screen picker.
//
// The spec starts its own PostgreSQL (initdb in a temp dir; a fresh schema in
// KEFU_TEST_POSTGRES_URL's database when scripts/with-postgres.sh set it) and nats-server, and is
// skipped, saying why, only where those binaries are missing.
import { expect, test, type Frame, type Page } from '@playwright/test';
import { clusterMissing, startBacking, startFront, type Backing, type Front } from '../cluster';
import { startKefu, type Kefu } from '../server';
import { agentReady, expectSteadyVideo, prechat, startVideoService, withTestHooks } from './helpers';

const missing = clusterMissing();
let backing: Backing | undefined;
let home: Kefu | undefined;
let survivor: Kefu | undefined;
let front: Front | undefined;
let sharedUrl: string | undefined;

test.beforeAll(async () => {
  if (missing) return;
  backing = await startBacking();
  const toml = `database_url = ${JSON.stringify(backing.databaseUrl)}\nnats_url = ${JSON.stringify(backing.natsUrl)}\n`;
  // One after the other: the first runs the migrations and seeds the demo data.
  home = await startKefu(toml);
  survivor = await startKefu(toml);
  for (const node of [home, survivor]) expect((await fetch(`${node.url}/readyz`)).ok, `${node.url} ready`).toBe(true);
  front = await startFront([home.url, survivor.url]);
  sharedUrl = process.env.KEFU_E2E_URL;
  process.env.KEFU_E2E_URL = front.url;
});

test.afterAll(() => {
  if (front) process.env.KEFU_E2E_URL = sharedUrl;
  front?.stop();
  home?.stop();
  survivor?.stop();
  backing?.stop();
});

/** Frames decoded so far for the track a <video> (by test id) shows, and that track's id ('' when none). */
async function shown(where: Page | Frame, testid: string): Promise<{ track: string; frames: number }> {
  return where.evaluate(async (id) => {
    const video = document.querySelector(`[data-testid=${id}]`) as HTMLVideoElement | null;
    const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? '';
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    if (!track || !call) return { track, frames: -1 };
    let frames = 0;
    (await call.peer.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.trackIdentifier === track) frames = Number(s.framesDecoded ?? 0);
    });
    return { track, frames };
  }, testid);
}

/** The screen the visitor is shown decodes steadily (more than 10 frames in 4 s); its track id. */
async function expectScreenDecoding(widget: Frame, when: string): Promise<string> {
  await expect.poll(async () => (await shown(widget, 'call-remote-screen')).frames, { message: `visitor decodes the screen ${when}`, timeout: 30_000 }).toBeGreaterThan(0);
  const before = await shown(widget, 'call-remote-screen');
  await new Promise((r) => setTimeout(r, 4_000));
  const after = await shown(widget, 'call-remote-screen');
  console.log(`visitor: screen ${when}: ${after.frames - before.frames} frames decoded in 4 s`);
  expect(after.track, 'the same screen track over the 4 s').toBe(before.track);
  expect(after.frames - before.frames, `screen frames decoded in 4 s ${when}`).toBeGreaterThan(10);
  return after.track;
}

interface StatusLine {
  text: string;
  /** When it showed (Date.now() in the page: the same machine clock as the test's). */
  at: number;
}

/** Keeps every text the call's status line shows from now on (a state can be short-lived). */
async function recordStatus(where: Page | Frame): Promise<void> {
  await where.evaluate(() => {
    const seen: { text: string; at: number }[] = [];
    (window as unknown as { __statusSeen: typeof seen }).__statusSeen = seen;
    const note = () => {
      const text = document.querySelector('[data-testid=call-status]')?.textContent?.trim() ?? '';
      if (text && seen.at(-1)?.text !== text) seen.push({ text, at: Date.now() });
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

function statusLines(where: Page | Frame): Promise<StatusLine[]> {
  return where.evaluate(() => (window as unknown as { __statusSeen: { text: string; at: number }[] }).__statusSeen);
}

/** How long after `since` the status said `reconnecting`, and went back to the running call (ms). */
function moveTimes(lines: StatusLine[], reconnecting: string, since: number): string {
  const at = lines.findIndex((l) => l.text === reconnecting);
  const back = lines.slice(at + 1).find((l) => l.text !== reconnecting);
  return `reconnecting shown at +${lines[at]!.at - since} ms, in call again at +${(back?.at ?? NaN) - since} ms`;
}

/** The SFU port the call's media flows to (the selected ICE pair's remote candidate), 0 when none. */
async function sfuPort(where: Page | Frame): Promise<number> {
  return where.evaluate(async () => {
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    if (!call) return 0;
    const report = await call.peer.getStats();
    let port = 0;
    report.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') return;
      const pair = report.get(s.selectedCandidatePairId);
      port = Number(report.get(pair?.remoteCandidateId)?.port ?? 0);
    });
    return port;
  });
}

async function statusSeen(where: Page | Frame): Promise<string[]> {
  return (await statusLines(where)).map((l) => l.text);
}

test('a video call with a screen share goes on through the survivor when its home node is SIGKILLed', async ({ browser }) => {
  test.skip(!!missing, `skipped: ${missing}`);
  test.setTimeout(180_000);
  const agent = await withTestHooks(browser, 'en-US');
  // Counts the screen pickers the agent is shown: the share must survive the move without another.
  await agent.context.addInitScript(() => {
    const md = navigator.mediaDevices;
    const pick = md.getDisplayMedia.bind(md);
    const w = window as unknown as { __displayPickers: number };
    w.__displayPickers = 0;
    md.getDisplayMedia = (c?: DisplayMediaStreamOptions) => {
      w.__displayPickers += 1;
      return pick(c);
    };
  });
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '迁移通话客户');
  const { panel, callView, widgetFrame } = await startVideoService(agent.page, visitor.page, frame);
  await expectSteadyVideo('agent, on the home', agent.page);
  await expectSteadyVideo('visitor, on the home', widgetFrame);
  const homePorts = [await sfuPort(agent.page), await sfuPort(widgetFrame)];
  expect(homePorts[0], 'both sides on one SFU').toBe(homePorts[1]);

  // The agent shares a screen; the visitor sees it large and decoding.
  const share = agent.page.getByTestId('call-screen-share');
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'true');
  await expect(frame.getByTestId('call-remote-screen')).toBeVisible({ timeout: 30_000 });
  await expectScreenDecoding(widgetFrame, 'on the home');

  await recordStatus(agent.page);
  await recordStatus(widgetFrame);
  home!.kill();
  const killedAt = Date.now();

  // Both say the call is reconnecting (not ended), then are connected again.
  const reconnecting = { agent: 'Reconnecting… the call goes on, video and sound are coming back', visitor: '正在重新连接…通话未中断，音视频即将恢复' };
  await expect.poll(() => statusSeen(agent.page), { message: 'agent: reconnecting shown', timeout: 30_000 }).toContain(reconnecting.agent);
  await expect.poll(() => statusSeen(widgetFrame), { message: 'visitor: reconnecting shown', timeout: 30_000 }).toContain(reconnecting.visitor);
  await expect(panel).toHaveAttribute('data-state', 'connected', { timeout: 45_000 });
  await expect(callView).toHaveAttribute('data-state', 'connected', { timeout: 45_000 });

  // Frames arrive both ways again, over a new connection to the survivor's SFU.
  await expectSteadyVideo('agent, on the survivor', agent.page);
  await expectSteadyVideo('visitor, on the survivor', widgetFrame);
  const survivorPorts = [await sfuPort(agent.page), await sfuPort(widgetFrame)];
  console.log(`SFU port: ${homePorts[0]} (home) -> ${survivorPorts[0]} (survivor)`);
  expect(survivorPorts[0], 'both sides on one SFU').toBe(survivorPorts[1]);
  expect(survivorPorts[0], "the survivor's SFU, not the dead home's").not.toBe(homePorts[0]);

  // The screen share is back on the visitor's screen, decoding on the new connection (the stats
  // are the current peer's; the survivor names the track as the home did); the agent still
  // shares, and was never asked to pick a screen again.
  await expect(frame.getByTestId('call-remote-screen')).toBeVisible({ timeout: 30_000 });
  expect(await expectScreenDecoding(widgetFrame, 'after the move')).toMatch(/^kefu-screen-/);
  await expect(share).toHaveAttribute('aria-pressed', 'true');
  expect(await agent.page.evaluate(() => (window as unknown as { __displayPickers: number }).__displayPickers)).toBe(1);
  console.log(`home SIGKILLed at +0 ms; agent: ${moveTimes(await statusLines(agent.page), reconnecting.agent, killedAt)}`);
  console.log(`home SIGKILLed at +0 ms; visitor: ${moveTimes(await statusLines(widgetFrame), reconnecting.visitor, killedAt)}`);

  // The call still ends normally, on the survivor.
  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await expect(callView).toBeHidden();
  await expect(frame.getByTestId('composer-input')).toBeVisible();
  await agent.context.close();
  await visitor.context.close();
});
