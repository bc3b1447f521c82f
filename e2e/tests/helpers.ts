import { expect, test, type Browser, type BrowserContext, type Frame, type FrameLocator, type Page } from '@playwright/test';
import { startKefu, type Kefu } from '../server';

export const base = () => {
  const url = process.env.KEFU_E2E_URL;
  if (!url) throw new Error('KEFU_E2E_URL is not set: the global setup did not start kefu');
  return url;
};

/** A new browser context (one person) with its own storage. */
export async function person(browser: Browser, locale: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  return { context, page };
}

/** Log in to the workspace (the user menu shows once signed in). */
export async function login(page: Page, email: string, password = 'demo-agent') {
  await page.goto(`${base()}/app/`);
  // A page that loads without its script never shows the form: fail in 30 s, not at the test's end.
  await page.getByTestId('login-email').fill(email, { timeout: 30_000 });
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
}

/** Log in to the workspace and set the status to ready. */
export async function agentReady(page: Page, email: string, password = 'demo-agent') {
  await page.goto(`${base()}/app/`);
  // A page that loads without its script never shows the form: fail in 30 s, not at the test's end.
  await page.getByTestId('login-email').fill(email, { timeout: 30_000 });
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('status-switch').click();
  await page.getByTestId('status-ready').click();
  await expect(page.getByTestId('status-switch')).toHaveAttribute('data-status', 'ready');
}

/** A tiny REST client for setting up and checking what the UI did. */
export const api = {
  async call(method: string, path: string, token?: string, body?: unknown) {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  },
  async login(email: string, password: string): Promise<string> {
    return (await this.call('POST', '/api/v1/auth/login', undefined, { email, password })).token;
  },
  async visitor(name: string): Promise<string> {
    return (await this.call('POST', '/api/v1/visitors', undefined, { name })).token;
  },
  get(token: string, path: string) {
    return this.call('GET', path, token);
  },
  post(token: string, path: string, body: unknown) {
    return this.call('POST', path, token, body);
  },
};

/** Close what the agent still holds and log them out, so the next test starts from a quiet floor. */
export async function leaveFloor(email: string, password = 'demo-agent') {
  const token = await api.login(email, password);
  const mine = await api.get(token, '/api/v1/conversations?status=assigned&mine=true');
  for (const c of mine.conversations) {
    await api.post(token, `/api/v1/conversations/${c.id}/close`, { wrap_up_code: 'resolved' });
  }
  await api.call('PUT', '/api/v1/agents/me/status', token, { status: 'offline' });
}

/**
 * A browser context whose pages run with the call code's test hooks: `true` puts the call's
 * RTCPeerConnection at `window.__kefuCall.peer` for getStats(); `{ relayOnly: true }` also forces
 * `iceTransportPolicy: 'relay'`. Production pages never set the flag. `sameStorageAs`: the new
 * context starts with that one's cookies and localStorage (the same visitor on another device).
 */
export async function withTestHooks(browser: Browser, locale: string, hooks: true | { relayOnly: true } = true, sameStorageAs?: BrowserContext) {
  const context = await browser.newContext({ locale, storageState: await sameStorageAs?.storageState() });
  await context.addInitScript((h) => {
    (window as unknown as { __KEFU_TEST_HOOKS__: unknown }).__KEFU_TEST_HOOKS__ = h;
  }, hooks);
  return { context, page: await context.newPage() };
}

/** A customer on the /demo page opens the widget and fills the pre-chat form (name, card
 * services); the frame is returned with the start buttons still to press. */
export async function prechat(page: Page, name: string) {
  await page.goto(`${base()}/demo`);
  await page.getByTestId('kefu-launcher').click();
  const frame = page.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-name').fill(name);
  await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
  return frame;
}

/**
 * The customer, past the pre-chat form in `frame`, taps 视频客服 (video service); the agent on
 * `agent` takes the offer, and both sides wait for the call to connect. Returns the agent's call
 * panel, the widget's call view, the call's id and the widget's frame (for getStats()).
 */
export async function startVideoService(agent: Page, visitor: Page, frame: FrameLocator) {
  await frame.getByTestId('video-service').click();
  await agent.getByTestId('offer-accept').click();
  const panel = agent.getByTestId('call-panel');
  const callView = frame.getByTestId('call-view');
  await expect(panel).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect(callView).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  const callId = Number(await panel.getAttribute('data-call-id'));
  const widgetFrame = (await (await visitor.$('[data-testid=kefu-frame]'))!.contentFrame())!;
  return { panel, callView, callId, widgetFrame };
}

/** Chooses the option labelled `label` in the Element Plus select with test id `testid`. */
export async function pickOption(page: Page, testid: string, label: string) {
  await page.getByTestId(testid).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

/**
 * Gives the specs of this file a kefu of their own (its own database, optional extra TOML), so
 * their figures count only their own traffic; `base()` and `api` point at it meanwhile.
 */
export function ownKefu(extraToml?: () => string | Promise<string>) {
  let kefu: Kefu | undefined;
  let sharedUrl: string | undefined;
  test.beforeAll(async () => {
    kefu = await startKefu(extraToml ? await extraToml() : undefined);
    sharedUrl = process.env.KEFU_E2E_URL;
    process.env.KEFU_E2E_URL = kefu.url;
  });
  test.afterAll(() => {
    process.env.KEFU_E2E_URL = sharedUrl;
    kefu?.stop();
  });
}

/** The selected ICE candidate pair of the call on this page (or widget frame), and the inbound video frames decoded so far. */
export interface SelectedPair {
  connection: string;
  /** The local candidate's transport (udp | tcp) and type (host | srflx | relay). */
  protocol: string;
  localType: string;
  remoteType: string;
  remoteAddress: string;
  /** The remote candidate's TCP type (passive for the SFU's ICE-TCP candidate). */
  remoteTcpType: string;
  framesDecoded: number;
}

export async function selectedPair(where: Page | Frame): Promise<SelectedPair> {
  return where.evaluate(async () => {
    const none = { connection: 'none', protocol: '', localType: '', remoteType: '', remoteAddress: '', remoteTcpType: '', framesDecoded: -1 };
    const call = (window as unknown as { __kefuCall?: { peer: RTCPeerConnection } | null }).__kefuCall;
    if (!call) return none;
    const report = await call.peer.getStats();
    const out = { ...none, connection: call.peer.connectionState, framesDecoded: 0 };
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.framesDecoded += Number(s.framesDecoded ?? 0);
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = report.get(s.selectedCandidatePairId);
        const local = pair && report.get(pair.localCandidateId);
        const remote = pair && report.get(pair.remoteCandidateId);
        out.protocol = local?.protocol ?? '';
        out.localType = local?.candidateType ?? '';
        out.remoteType = remote?.candidateType ?? '';
        out.remoteAddress = remote?.address ?? '';
        out.remoteTcpType = remote?.tcpType ?? '';
      }
    });
    return out;
  });
}

/** The other side's video decoding steadily (more than 20 frames in 5 s) on a connected call; the pair it flows over, for the caller's transport checks. */
export async function expectSteadyVideo(side: string, where: Page | Frame): Promise<SelectedPair> {
  await expect.poll(async () => (await selectedPair(where)).framesDecoded, { message: `${side}: first video frames`, timeout: 30_000 }).toBeGreaterThan(0);
  const before = await selectedPair(where);
  await new Promise((r) => setTimeout(r, 5_000));
  const after = await selectedPair(where);
  console.log(
    `${side}: ${after.framesDecoded - before.framesDecoded} frames decoded in 5 s over ${after.protocol} ${after.localType} -> ${after.remoteType} ${after.remoteAddress} ${after.remoteTcpType}, ${after.connection}`,
  );
  expect(after.connection, side).toBe('connected');
  expect(after.framesDecoded - before.framesDecoded, `${side}: frames decoded in 5 s`).toBeGreaterThan(20);
  return after;
}
