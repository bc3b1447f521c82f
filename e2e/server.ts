// Starts the real kefu binary with demo data on a random free port and a fresh data dir,
// for the whole browser test run; stops it afterwards. `startKefu` also serves a spec that needs a
// kefu of its own with extra settings (call-turn.spec.ts), leaving the shared one untouched.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface Kefu {
  url: string;
  stop: () => void;
  /** SIGKILLs the process (a node dying without a word: call-move.spec.ts); `stop` still cleans up. */
  kill: () => void;
}

/** Where a kefu of a spec's own listens, when not on loopback (call-weak-network.spec.ts). */
export interface KefuAddress {
  /** The address the HTTP server listens on (default 127.0.0.1). */
  host?: string;
  /** The media settings instead of the loopback ones (`media_udp = …` and the rest, TOML). */
  mediaToml?: string;
}

/** A kefu with demo data, a fresh data dir and `extraToml` appended to the test settings. */
export async function startKefu(extraToml = '', address: KefuAddress = {}): Promise<Kefu> {
  const target = process.env.CARGO_TARGET_DIR ?? resolve(import.meta.dirname, '../target');
  const bin = process.env.KEFU_BIN ?? resolve(target, 'debug/kefu');
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-'));
  const host = address.host ?? '127.0.0.1';
  const port = await freePort(host);
  const url = `http://${host}:${port}`;
  // Every browser context logs in from 127.0.0.1: the per-address limits would throttle the run.
  const config = join(dataDir, 'kefu.toml');
  // Call media on a free loopback UDP port: browsers get only a 127.0.0.1 host candidate, and the
  // server ignores ICE checks from the browser's other interfaces (shared/notes/webrtc-testing.md).
  const media = address.mediaToml ?? 'media_udp = "127.0.0.1:0"\nmedia_loopback_only = true\n';
  writeFileSync(config, 'login_attempts_per_minute = 1000\nvisitors_per_minute = 1000\n' + media + extraToml);
  const child = spawn(bin, ['serve', '--demo', '--listen', `${host}:${port}`, '--data-dir', dataDir, '--config', config], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, KEFU_LOG: process.env.KEFU_LOG ?? 'warn' },
  });
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
    kill: () => child.kill('SIGKILL'),
  };
}

export default async function globalSetup() {
  const kefu = await startKefu();
  process.env.KEFU_E2E_URL = kefu.url;
  return async () => kefu.stop();
}
