// A weak network of a browser test's own (call-weak-network.spec.ts), on a kernel without netem
// (shared/notes/webrtc-testing.md): a network namespace for the visitor's browser, joined to the
// test's namespace by a veth pair with private addresses; `tbf` on both ends limits the rate each
// way, an nftables input rule in the visitor's namespace drops a share of the media arriving there
// (in an input hook, so the sender sees no error), and a userspace relay (udp-delay-relay.mjs)
// adds the delay and stands for the 1:1 NAT in front of kefu's media port. Runs as root.
// Nothing leaves the machine: the pair's addresses are private and nothing routes beyond them.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Shape {
  /** The rate each way, kbit/s. */
  rateKbit: number;
  /** Percent of the media datagrams towards the visitor dropped. */
  lossPercent: number;
}

export interface WeakNet {
  /** The visitor's namespace. */
  ns: string;
  /** This side's end of the pair (kefu listens here, the relay too). */
  hostIp: string;
  /** The visitor's end. */
  visitorIp: string;
  /** A Chromium that runs in the visitor's namespace (Playwright's executablePath). */
  chromium: string;
  /** A Chromium in a namespace of the agent's, joined to this side by a pair of its own (not
   * shaped): interfaces that come and go on this side (other work on the machine) make a browser
   * here abort its requests with ERR_NETWORK_CHANGED. */
  agentChromium: string;
  /** Starts the relay from hostIp:port to 127.0.0.1:port, `delayMs` each way. */
  relay: (port: number, delayMs: number) => Promise<void>;
  /** Limits and loses (with `mediaPort`'s datagrams), or lifts both with `null`. */
  shape: (shape: Shape | null, mediaPort: number) => void;
  /** Removes the namespace (the pair and the rules go with it) and stops the relay. */
  stop: () => void;
}

const run = (cmd: string, args: string[], input?: string) => execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();

const NS_PREFIX = 'kefu-wn-';

/** No IPv6 address on this side's end of a pair either (see createWeakNet). */
const noIpv6 = (dev: string) => {
  if (existsSync('/proc/sys/net/ipv6')) run('sysctl', ['-qw', `net.ipv6.conf.${dev}.disable_ipv6=1`]);
};

/** Namespaces left by runs whose process is gone (a killed runner cannot clean up). */
function removeStale() {
  for (const line of run('ip', ['netns', 'list']).split('\n')) {
    const m = line.match(/^(kefu-wn-(\d+)(?:-agent)?)(?:\s|$)/);
    if (!m) continue;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      run('ip', ['netns', 'delete', m[1]]);
    }
  }
}

export async function createWeakNet(): Promise<WeakNet> {
  removeStale();
  // Names and addresses from our pid: two runs at once do not meet.
  const ns = `${NS_PREFIX}${process.pid}`;
  const agentNs = `${ns}-agent`;
  const hostDev = `kwn${process.pid}h`;
  const visitorDev = `kwn${process.pid}v`;
  const agentHostDev = `kwn${process.pid}a`;
  const agentDev = `kwn${process.pid}b`;
  const octet = 20 + (process.pid % 200);
  const hostIp = `10.213.${octet}.1`;
  const visitorIp = `10.213.${octet}.2`;
  const agentHostIp = `10.214.${octet}.1`;
  const dir = mkdtempSync(join(tmpdir(), 'kefu-weaknet-'));
  let relay: ChildProcess | undefined;

  run('ip', ['netns', 'add', ns]);
  run('ip', ['netns', 'add', agentNs]);
  try {
    // IPv4 only inside the namespaces: an IPv6 link-local address arrives a second or two after a
    // link comes up (once duplicate detection ends), and Chromium takes that for a network change
    // and aborts its requests with ERR_NETWORK_CHANGED — once, the agent's page loaded without its
    // script and the spec waited 5 minutes for the login form.
    for (const n of existsSync('/proc/sys/net/ipv6') ? [ns, agentNs] : []) {
      for (const scope of ['all', 'default']) run('ip', ['netns', 'exec', n, 'sysctl', '-qw', `net.ipv6.conf.${scope}.disable_ipv6=1`]);
    }
    run('ip', ['link', 'add', hostDev, 'type', 'veth', 'peer', 'name', visitorDev, 'netns', ns]);
    run('ip', ['addr', 'add', `${hostIp}/30`, 'dev', hostDev]);
    noIpv6(hostDev);
    run('ip', ['link', 'set', hostDev, 'up']);
    run('ip', ['-n', ns, 'addr', 'add', `${visitorIp}/30`, 'dev', visitorDev]);
    run('ip', ['-n', ns, 'link', 'set', visitorDev, 'up']);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // The agent reaches hostIp through its own pair (this side delivers to its own address).
    run('ip', ['link', 'add', agentHostDev, 'type', 'veth', 'peer', 'name', agentDev, 'netns', agentNs]);
    run('ip', ['addr', 'add', `${agentHostIp}/30`, 'dev', agentHostDev]);
    noIpv6(agentHostDev);
    run('ip', ['link', 'set', agentHostDev, 'up']);
    run('ip', ['-n', agentNs, 'addr', 'add', `10.214.${octet}.2/30`, 'dev', agentDev]);
    run('ip', ['-n', agentNs, 'link', 'set', agentDev, 'up']);
    run('ip', ['-n', agentNs, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', agentNs, 'route', 'add', 'default', 'via', agentHostIp]);
  } catch (e) {
    run('ip', ['netns', 'delete', ns]);
    run('ip', ['netns', 'delete', agentNs]);
    throw e;
  }

  const real = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const wrapper = (name: string, namespace: string) => {
    const path = join(dir, name);
    // Playwright talks to the browser over inherited pipes (fds 3 and 4): `ip netns exec` keeps them.
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${namespace} ${real} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  };

  const tbf = (rateKbit: number) => ['root', 'tbf', 'rate', `${rateKbit}kbit`, 'burst', '4kb', 'latency', '150ms'];
  return {
    ns,
    hostIp,
    visitorIp,
    chromium: wrapper('chromium-visitor', ns),
    agentChromium: wrapper('chromium-agent', agentNs),
    relay: (port, delayMs) =>
      new Promise((ok, fail) => {
        const script = resolve(import.meta.dirname, 'udp-delay-relay.mjs');
        relay = spawn(process.execPath, [script, `${hostIp}:${port}`, `127.0.0.1:${port}`, String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
        relay.once('exit', (code) => fail(new Error(`the relay exited (${code})`)));
        relay.stdout!.on('data', (d: Buffer) => {
          const text = d.toString();
          if (text.includes('ready')) ok();
          if (text.includes('relayed')) console.log(`relay: ${text.trim()}`);
        });
      }),
    shape: (shape, mediaPort) => {
      if (shape) {
        // Downlink on this side's end, uplink on the visitor's.
        run('tc', ['qdisc', 'replace', 'dev', hostDev, ...tbf(shape.rateKbit)]);
        run('tc', ['-n', ns, 'qdisc', 'replace', 'dev', visitorDev, ...tbf(shape.rateKbit)]);
        const rule = `ip saddr ${hostIp} udp sport ${mediaPort} numgen random mod 100 < ${shape.lossPercent} drop`;
        run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], `table inet kefu_weaknet {\n chain input {\n  type filter hook input priority 0; policy accept;\n  ${rule}\n }\n}\n`);
      } else {
        run('tc', ['qdisc', 'del', 'dev', hostDev, 'root']);
        run('tc', ['-n', ns, 'qdisc', 'del', 'dev', visitorDev, 'root']);
        run('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'kefu_weaknet']);
      }
    },
    stop: () => {
      relay?.kill('SIGTERM');
      // Deleting a namespace deletes its veth pair (both ends) and its nftables table.
      for (const name of [ns, agentNs]) {
        try {
          run('ip', ['netns', 'delete', name]);
        } catch {
          /* already gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
