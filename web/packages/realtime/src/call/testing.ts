// Debug hooks for browser tests only: when the page was started with
// `window.__KEFU_TEST_HOOKS__ = true` (or an object, e.g. `{ relayOnly: true }`; Playwright's
// addInitScript), the current call's peer connection is reachable as `window.__kefuCall.peer`, so a
// test can read getStats(); with `relayOnly` the peer connection uses only TURN relay candidates
// (`iceTransportPolicy: 'relay'`), so a test proves a call works through TURN. Nothing changes
// otherwise; production pages never set the flag.

import type { PeerLike } from './contract';

interface TestHooks {
  relayOnly?: boolean;
}

interface HookWindow {
  __KEFU_TEST_HOOKS__?: boolean | TestHooks;
  __kefuCall?: { callId: number; peer: PeerLike } | null;
}

export function exposeCallForTests(call: { callId: number; peer: PeerLike } | null): void {
  const w = globalThis as unknown as HookWindow;
  if (!hooksOn(w)) return;
  // A getter: after `call.moved` the call has a new peer connection, and the test reads that one.
  w.__kefuCall = call ? { callId: call.callId, get peer() { return call.peer; } } : null;
}

function hooksOn(w: HookWindow): boolean {
  const h = w.__KEFU_TEST_HOOKS__;
  return h === true || (typeof h === 'object' && h !== null);
}

/** Whether a browser test asked for relay-only ICE (never in production). */
export function relayOnlyForTests(): boolean {
  const w = globalThis as unknown as HookWindow;
  const h = w.__KEFU_TEST_HOOKS__;
  return typeof h === 'object' && h !== null && h.relayOnly === true;
}
