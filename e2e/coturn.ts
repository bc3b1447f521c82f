// A coturn (`turnserver`, Debian package coturn) of a browser test's own: loopback only, TURN REST
// credentials (`use-auth-secret`), no TLS, no CLI, logging to a file the test reads afterwards.
// The relay target is kefu's SFU on 127.0.0.1, so loopback peers are allowed here; a production
// config denies them (README "NAT traversal").
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server';

export interface Coturn {
  /** The TURN URL for kefu's `turn_urls`. */
  url: string;
  secret: string;
  /** coturn's log so far. */
  log: () => string;
  stop: () => void;
}

/** A port free for both TCP and UDP on 127.0.0.1 (coturn listens on both). */
async function freeTcpAndUdpPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const udpFree = await new Promise<boolean>((ok) => {
      const s = createSocket('udp4');
      s.once('error', () => ok(false));
      s.bind(port, '127.0.0.1', () => s.close(() => ok(true)));
    });
    if (udpFree) return port;
  }
}

export async function startCoturn(): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-coturn-'));
  const port = await freeTcpAndUdpPort();
  const secret = `e2e-${Math.random().toString(36).slice(2)}`;
  const logFile = join(dir, 'turn.log');
  const conf = join(dir, 'turnserver.conf');
  writeFileSync(
    conf,
    [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'realm=kefu.test',
      'fingerprint',
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      // The relay target in this test is the loopback SFU (never in production). coturn 4.6
      // denies loopback peers by default, and allowed-peer-ip alone does not lift that: without
      // allow-loopback-peers this call never connects (measured), which also shows the media
      // really goes through the relay.
      'allow-loopback-peers',
      'allowed-peer-ip=127.0.0.1',
      `log-file=${logFile}`,
      'simple-log',
      'verbose',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `userdb=${join(dir, 'turndb')}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('turnserver', ['-c', conf], { stdio: 'ignore' });
  let spawnError: Error | null = null;
  child.on('error', (e) => (spawnError = e));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  for (let i = 0; i < 100 && !spawnError && !/UDP listener opened on/.test(log()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!/UDP listener opened on/.test(log())) {
    child.kill('SIGTERM');
    const why = spawnError ? `${spawnError} (install Debian's coturn: scripts/test-all.sh does)` : log();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`coturn did not start: ${why}`);
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    secret,
    log,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
