import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. Flags from shared/notes/webrtc-testing.md:
// keep Chromium off the network and give it fake media devices.

// Playwright 1.65's own --disable-features list plus WebRtcHideLocalIpsWithMdns (no multicast
// joins for mDNS host names). Chromium honours only the last --disable-features flag, and user
// args come after Playwright's, so this one must repeat Playwright's list.
const disabledFeatures = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
  'WebRtcHideLocalIpsWithMdns',
];

// scripts/test-all.sh runs the specs in parts: those without calls beside the Rust suites, in two
// halves side by side (each Playwright run has its own kefu, from globalSetup), then the call specs
// (video frame rates, bandwidth shaping, failover timings) on a quiet machine. The halves take every
// other spec file in name order, so a new spec joins one by itself. Without KEFU_E2E_PART every
// spec runs.
const callSpecs = /call(-[a-z-]+)?\.spec\.ts$/;
const parts = ['calls', 'no-calls', 'no-calls-1', 'no-calls-2'];
const part = process.env.KEFU_E2E_PART;
if (part && !parts.includes(part)) throw new Error(`KEFU_E2E_PART is one of ${parts.join(', ')}, not "${part}"`);

/** The spec files of one half of the part without calls (`half` 0 or 1), as globs. */
function noCallsHalf(half: number): string[] {
  const dir = join(import.meta.dirname, 'tests');
  const specs = readdirSync(dir)
    .filter((f) => f.endsWith('.spec.ts') && !callSpecs.test(f))
    .sort();
  return specs.filter((_, i) => i % 2 === half).map((f) => `**/${f}`);
}

function selection() {
  switch (part) {
    case 'calls':
      return { testMatch: callSpecs };
    case 'no-calls':
      return { testIgnore: callSpecs };
    case 'no-calls-1':
      return { testMatch: noCallsHalf(0) };
    case 'no-calls-2':
      return { testMatch: noCallsHalf(1) };
    default:
      return {};
  }
}

export default defineConfig({
  testDir: './tests',
  ...selection(),
  // Each part writes its own results: the halves run at the same time.
  outputDir: `test-results/${part ?? 'all'}`,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  globalSetup: './server.ts',
  use: {
    baseURL: process.env.KEFU_E2E_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-sync',
        '--disable-background-networking',
        '--disable-component-update',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
        // Several fake cameras, as a phone has (front and back): the widget offers to switch.
        // Chromium's fake devices differ by pixel format: 0 is I420, 1 an emulated depth camera
        // (Y16, which WebRTC never encodes: a switch to it must be skipped), 2 MJPEG.
        '--use-fake-device-for-media-stream=device-count=3',
        '--use-fake-ui-for-media-stream',
        '--allow-loopback-in-peer-connection',
        // The remote <video> plays (sound included) without a click in each test page.
        '--autoplay-policy=no-user-gesture-required',
        `--disable-features=${disabledFeatures.join(',')}`,
      ],
    },
  },
});
