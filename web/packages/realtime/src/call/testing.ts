// A debug hook for browser tests only: when the page was started with
// `window.__KEFU_TEST_HOOKS__ = true` (Playwright's addInitScript), the current call's peer
// connection is reachable as `window.__kefuCall.peer`, so a test can read getStats(). Nothing is
// exposed otherwise; production pages never set the flag.

import type { PeerLike } from './session';

interface HookWindow {
  __KEFU_TEST_HOOKS__?: boolean;
  __kefuCall?: { callId: number; peer: PeerLike } | null;
}

export function exposeCallForTests(call: { callId: number; peer: PeerLike } | null): void {
  const w = globalThis as unknown as HookWindow;
  if (w.__KEFU_TEST_HOOKS__ !== true) return;
  w.__kefuCall = call ? { callId: call.callId, peer: call.peer } : null;
}
