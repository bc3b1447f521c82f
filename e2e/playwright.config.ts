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

// scripts/test-all.sh runs the specs in two parts: those without calls beside the Rust suites,
// then the call specs (video frame rates, bandwidth shaping, failover timings) on a quiet machine.
// Without KEFU_E2E_PART every spec runs.
const callSpecs = /call(-[a-z-]+)?\.spec\.ts$/;
const part = process.env.KEFU_E2E_PART;
if (part && part !== 'calls' && part !== 'no-calls') throw new Error(`KEFU_E2E_PART is "calls" or "no-calls", not "${part}"`);

export default defineConfig({
  testDir: './tests',
  ...(part === 'calls' ? { testMatch: callSpecs } : part === 'no-calls' ? { testIgnore: callSpecs } : {}),
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
