// A video call over a weak network. The visitor's browser runs in a network namespace of this
// spec's own, behind a veth pair (e2e/weaknet.ts); kefu (a kefu of this spec's own, so the shaping
// never touches the shared one) and a delay relay stay on this side, the agent's browser in a
// namespace of its own behind an unshaped pair. kefu's media socket is on 127.0.0.1 and
// advertises the pair's address as its 1:1 NAT address (`media_public_ip`), where the relay holds
// each datagram 50 ms each way (100 ms round trip) before passing it on.
//
// First the link is unlimited and the visitor is forwarded a high layer of the agent's simulcast
// camera. Then `tbf` limits it to 300 kbit/s each way and nftables drops 5% of the media towards
// the visitor: the SFU's estimate falls, the visitor is forwarded the lowest layer (the quality
// timeline's `video_rid` and the decoded width say so), frames go on being decoded (>= 10 fps),
// audio goes on (samples keep arriving, little of them concealed) and the call stays up. When the
// limits lift, a higher layer comes back. getStats() on the visitor's page (in the widget frame)
// gives the figures.
import { chromium, expect, test, type Browser, type Frame } from '@playwright/test';
import { createSocket } from 'node:dgram';
import { startKefu, type Kefu } from '../server';
import { createWeakNet, type WeakNet } from '../weaknet';
import { agentReady, api, prechat, startVideoService } from './helpers';

interface Seen {
  connection: string;
  frameWidth: number;
  framesDecoded: number;
  audioEnergy: number;
  audioSamples: number;
  concealedSamples: number;
}

/** What the visitor's page receives, from the exposed peer connection. */
async function seen(frame: Frame): Promise<Seen> {
  return frame.evaluate(async () => {
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    const out = { connection: 'none', frameWidth: 0, framesDecoded: 0, audioEnergy: 0, audioSamples: 0, concealedSamples: 0 };
    if (!call) return out;
    out.connection = call.peer.connectionState;
    (await call.peer.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') {
        out.frameWidth = Math.max(out.frameWidth, Number(s.frameWidth ?? 0));
        out.framesDecoded += Number(s.framesDecoded ?? 0);
      } else if (s.kind === 'audio') {
        out.audioEnergy += Number(s.totalAudioEnergy ?? 0);
        out.audioSamples += Number(s.totalSamplesReceived ?? 0);
        out.concealedSamples += Number(s.concealedSamples ?? 0);
      }
    });
    return out;
  });
}

/** A UDP port free on 127.0.0.1 and on `host` (kefu takes the one, the relay the other). */
async function freeUdpPort(host: string): Promise<number> {
  const tryBind = (port: number, address: string) =>
    new Promise<number>((ok) => {
      const s = createSocket('udp4');
      s.once('error', () => ok(0));
      s.bind(port, address, () => {
        const bound = s.address().port;
        s.close(() => ok(bound));
      });
    });
  for (;;) {
    const port = await tryBind(0, '127.0.0.1');
    if (port && (await tryBind(port, host))) return port;
  }
}

/** Whether `check` holds within `ms` (polled every half second). */
async function reaches(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
    if (await check()) return true;
  }
  return false;
}

let net: WeakNet | undefined;
let kefu: Kefu | undefined;
let mediaPort = 0;
const browsers: Browser[] = [];
let sharedUrl: string | undefined;

test.beforeAll(async () => {
  net = await createWeakNet();
  mediaPort = await freeUdpPort(net.hostIp);
  await net.relay(mediaPort, 50);
  kefu = await startKefu('', {
    host: net.hostIp,
    mediaToml: `media_udp = "127.0.0.1:${mediaPort}"\nmedia_public_ip = "${net.hostIp}"\nmedia_loopback_only = true\n`,
  });
  // helpers' base() and api read KEFU_E2E_URL: point them at this spec's kefu until it ends.
  sharedUrl = process.env.KEFU_E2E_URL;
  process.env.KEFU_E2E_URL = kefu.url;
});

test.afterAll(async () => {
  process.env.KEFU_E2E_URL = sharedUrl;
  for (const b of browsers) await b.close().catch(() => {});
  kefu?.stop();
  net?.stop();
});

// One retry: how fast str0m's estimate recovers on this link varies with the machine's load (a
// full-suite run decoded 10.1 fps against the bar of 10; alone it decodes 14-18). A product that
// cannot carry the lowest layer fails both attempts. Each attempt prints its figures.
test.describe.configure({ retries: 1 });

test('weak network: the layer drops, video and audio go on, and quality climbs back', async ({ launchOptions }) => {
  test.setTimeout(300_000);
  const weak = net!;
  const origin = new URL(kefu!.url).origin;
  // The pages come from the pair's address, not loopback: getUserMedia needs it taken as secure,
  // and the resolver must leave that address alone (every name still resolves to nothing).
  const args = (launchOptions.args ?? [])
    .filter((a) => !a.startsWith('--host-resolver-rules='))
    .concat([`--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE ${weak.hostIp}`, `--unsafely-treat-insecure-origin-as-secure=${origin}`]);
  const agentBrowser = await chromium.launch({ ...launchOptions, args, executablePath: weak.agentChromium });
  browsers.push(agentBrowser);
  const visitorBrowser = await chromium.launch({ ...launchOptions, args, executablePath: weak.chromium });
  browsers.push(visitorBrowser);
  const hooks = async (b: Browser, locale: string) => {
    const context = await b.newContext({ locale });
    await context.addInitScript(() => {
      (window as unknown as { __KEFU_TEST_HOOKS__: unknown }).__KEFU_TEST_HOOKS__ = true;
    });
    return context.newPage();
  };

  const agent = await hooks(agentBrowser, 'zh-CN');
  await agentReady(agent, 'agent1@demo.kefu');
  const visitor = await hooks(visitorBrowser, 'en-US');
  const frame = await prechat(visitor, 'Customer on a weak network');
  const { panel, callView, callId, widgetFrame: widget } = await startVideoService(agent, visitor, frame);
  const token = await api.login('agent1@demo.kefu', 'demo-agent');
  /** The layer the server forwards to the visitor now (its latest quality sample). */
  const visitorRid = async (): Promise<string | null> => {
    const q = await api.get(token, `/api/v1/calls/${callId}/quality`);
    const s = q.samples.filter((x: { side: string }) => x.side === 'visitor').pop();
    return s?.video_rid ?? null;
  };
  // KEFU_E2E_DEBUG=1: every 2 s, the visitor's latest quality sample and inbound video counters.
  const debug = process.env.KEFU_E2E_DEBUG
    ? setInterval(async () => {
        try {
          const q = await api.get(token, `/api/v1/calls/${callId}/quality`);
          const s = q.samples.filter((x: { side: string }) => x.side === 'visitor').pop();
          const v = await widget.evaluate(async () => {
            const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
            const out: Record<string, unknown> = {};
            (await call?.peer.getStats())?.forEach((x: Record<string, unknown>) => {
              if (x.type === 'inbound-rtp' && x.kind === 'video')
                for (const k of ['packetsReceived', 'packetsLost', 'retransmittedPacketsReceived', 'nackCount', 'pliCount', 'firCount', 'framesDecoded', 'keyFramesDecoded', 'framesDropped', 'freezeCount', 'frameWidth', 'jitterBufferDelay', 'jitterBufferEmittedCount']) out[k] = x[k];
            });
            return out;
          });
          console.log(`[${new Date().toISOString().slice(14, 23)}] rid ${s?.video_rid} est ${s?.estimate_bps} out ${s?.bitrate_out_bps} loss ${s?.loss_out} rtt ${s?.rtt_ms} | ${JSON.stringify(v)}`);
        } catch {
          /* the call ended */
        }
      }, 2_000)
    : undefined;
  const log = async (phase: string) => {
    const s = await seen(widget);
    console.log(`${phase}: width ${s.frameWidth}, rid ${await visitorRid()}, ${s.connection}`);
  };

  // Baseline: unlimited (only the relay's delay), the visitor gets more than the lowest layer.
  const t0 = Date.now();
  await expect
    .poll(async () => (await seen(widget)).frameWidth, { message: 'the visitor is forwarded a high layer (>= 640 wide)', timeout: 60_000 })
    .toBeGreaterThanOrEqual(640);
  // …chosen from a bandwidth estimate (before the first, the allocator sets no limit).
  await expect.poll(visitorRid, { message: 'the quality timeline names a high layer', timeout: 30_000 }).toMatch(/^[mh]$/);
  // The top layer comes once the estimate has grown (~13 s here with the relay's delay); the
  // test needs only a layer above the lowest, so it waits for the top a while, no more.
  const top = await reaches(() => seen(widget).then((s) => s.frameWidth >= 1280), 30_000);
  const baseline = (await seen(widget)).frameWidth;
  console.log(`baseline: ${baseline} wide ${Date.now() - t0} ms after connecting${top ? '' : ' (the top layer did not come within 30 s)'}`);
  await log('baseline');

  // The weak network: 300 kbit/s each way, 5% of the media to the visitor lost.
  weak.shape({ rateKbit: 300, lossPercent: 5 }, mediaPort);
  const t1 = Date.now();
  await expect
    .poll(async () => (await seen(widget)).frameWidth, { message: 'the visitor is switched to the lowest layer (320 wide)', timeout: 40_000 })
    .toBe(320);
  const dropMs = Date.now() - t1;
  await expect.poll(visitorRid, { message: "the quality timeline names the visitor's layer l", timeout: 20_000 }).toBe('l');
  console.log(`shaped: down to 320 wide (rid l) ${dropMs} ms after the limit`);

  // The sudden drop from ~2 Mbit/s overflows the link for a moment: the estimate falls below
  // the lowest layer, and the video may pause a few seconds (audio goes on) before it resumes by
  // itself. Then, on the weak network, frames are decoded steadily.
  const fps2s = async () => {
    const a = (await seen(widget)).framesDecoded;
    await new Promise((r) => setTimeout(r, 2_000));
    return ((await seen(widget)).framesDecoded - a) / 2;
  };
  const t3 = Date.now();
  await expect.poll(fps2s, { message: 'video flows on the weak network (>= 10 fps over 2 s)', timeout: 30_000, intervals: [0] }).toBeGreaterThanOrEqual(10);
  console.log(`shaped: steady ${Date.now() - t3} ms after the drop to the lowest layer`);

  // Over 20 s of the weak network: frames keep being decoded, audio keeps arriving. (The
  // estimate on this link swings between ~120 and ~300 kbit/s: now and then the video stops a few
  // seconds — paused when the estimate stays under half the lowest layer for 2 s (resumed when it
  // holds 80% of it), or frozen until Chromium asks for a keyframe when a loss was not repaired.
  // 20 s measure the link, not one dip.)
  const before = await seen(widget);
  const agentBefore = await seen(agent.mainFrame());
  const w0 = Date.now();
  await new Promise((r) => setTimeout(r, 20_000));
  const after = await seen(widget);
  const agentAfter = await seen(agent.mainFrame());
  const secs = (Date.now() - w0) / 1000;
  const fps = (after.framesDecoded - before.framesDecoded) / secs;
  const samples = after.audioSamples - before.audioSamples;
  const concealed = (after.concealedSamples - before.concealedSamples) / Math.max(samples, 1);
  console.log(
    `shaped, ${secs.toFixed(1)} s: ${fps.toFixed(1)} fps decoded at width ${after.frameWidth}; audio ${(samples / secs).toFixed(0)} samples/s, ` +
      `${(concealed * 100).toFixed(1)}% concealed, energy +${(after.audioEnergy - before.audioEnergy).toFixed(4)}; ${after.connection}`,
  );
  const agentFps = (agentAfter.framesDecoded - agentBefore.framesDecoded) / secs;
  console.log(`shaped: the agent decodes the visitor's video (sent over the limited uplink) at ${agentFps.toFixed(1)} fps, ${agentAfter.frameWidth} wide`);
  expect(after.connection, 'the call stays up').toBe('connected');
  await expect(panel).toHaveAttribute('data-state', 'connected');
  await expect(callView).toHaveAttribute('data-state', 'connected');
  expect(fps, 'frames decoded per second on the weak network').toBeGreaterThanOrEqual(10);
  // Opus at 48 kHz: samples arrive at about real time (concealment fills in for the lost ones).
  expect(samples / secs, 'audio samples per second').toBeGreaterThan(40_000);
  expect(concealed, 'share of the audio concealed (lost and not recovered)').toBeLessThan(0.2);
  expect(after.audioEnergy, 'audio energy keeps rising').toBeGreaterThan(before.audioEnergy);

  // The limits lift: a higher layer comes back.
  weak.shape(null, mediaPort);
  const t2 = Date.now();
  await expect
    .poll(async () => (await seen(widget)).frameWidth, { message: 'the visitor is forwarded a higher layer again', timeout: 45_000 })
    .toBeGreaterThanOrEqual(640);
  console.log(`lifted: back to ${(await seen(widget)).frameWidth} wide ${Date.now() - t2} ms after the limit went`);
  if (await reaches(() => seen(widget).then((s) => s.frameWidth >= baseline), 20_000)) {
    console.log(`lifted: back to the baseline's ${baseline} wide ${Date.now() - t2} ms after the limit went`);
  }
  await log('lifted');

  clearInterval(debug);
  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await expect(callView).toBeHidden();
});
