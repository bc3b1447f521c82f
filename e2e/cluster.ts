// What a browser test of several kefu nodes runs on (call-move.spec.ts): a PostgreSQL database
// and a nats-server, both on this machine only, and a front — a TCP pass-through on one loopback
// port that hands each new connection to the first node that accepts it, as a load balancer with
// failover does. The pages load from the front, so when a node dies their sockets come back
// through the same origin on a survivor.
//
// PostgreSQL: a fresh schema in KEFU_TEST_POSTGRES_URL's database when it is set
// (scripts/with-postgres.sh), else a throwaway cluster of our own (initdb in a temp dir, a Unix
// socket only, no TCP port), removed afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server';

export interface Backing {
  /** The database URL the nodes are given (its own schema). */
  databaseUrl: string;
  natsUrl: string;
  stop: () => void;
}

/** nats-server, from PATH or Debian's /usr/sbin. */
function natsServer(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin'];
  return dirs.map((d) => join(d, 'nats-server')).find((p) => existsSync(p)) ?? null;
}

/** The newest Debian PostgreSQL's bin dir (initdb, pg_ctl), like scripts/with-postgres.sh. */
function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const v = versions.at(-1);
  return v ? join(root, v, 'bin') : null;
}

/** Why a cluster cannot run here (a binary is missing), or null when it can. */
export function clusterMissing(): string | null {
  if (!natsServer()) return 'nats-server is not installed (apt-get install nats-server; scripts/test-all.sh installs it)';
  if (!process.env.KEFU_TEST_POSTGRES_URL && !postgresBin()) {
    return 'PostgreSQL is not installed and KEFU_TEST_POSTGRES_URL is not set (apt-get install postgresql, or run under scripts/with-postgres.sh)';
  }
  if (process.env.KEFU_TEST_POSTGRES_URL && !existsSync('/usr/bin/psql')) return 'psql is missing (apt-get install postgresql-client)';
  return null;
}

function run(cmd: string, args: string[], asPostgres: boolean): void {
  const [bin, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const r = spawnSync(bin, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
}

/** A PostgreSQL database URL with a fresh schema, and how to throw it away. */
function startPostgres(): { url: string; stop: () => void } {
  const shared = process.env.KEFU_TEST_POSTGRES_URL;
  if (shared) {
    const schema = `e2e_${process.pid}_${Date.now()}`;
    run('/usr/bin/psql', [shared, '-q', '-c', `CREATE SCHEMA ${schema}`], false);
    const sep = shared.includes('?') ? '&' : '?';
    return {
      url: `${shared}${sep}options[search_path]=${schema}`,
      stop: () => void spawnSync('/usr/bin/psql', [shared, '-q', '-c', `DROP SCHEMA ${schema} CASCADE`], { stdio: 'ignore' }),
    };
  }
  const bin = postgresBin()!;
  const dir = mkdtempSync(join(tmpdir(), 'kefu-e2e-pg-'));
  // initdb refuses root: as root the cluster runs as the postgres system user.
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-U', 'kefu', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], asPostgres);
  const options = `-c listen_addresses='' -c unix_socket_directories=${dir} -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-s', 'start', '-o', options], asPostgres);
  return {
    // A cluster of its own: the default schema is fresh.
    url: `postgres://kefu@localhost/postgres?host=${dir}`,
    stop: () => {
      const [cmd, argv] = asPostgres
        ? ['runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']]
        : [join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']];
      spawnSync(cmd, argv, { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts TCP connections on the loopback `port`. */
async function listening(port: number, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((ok) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), ok(true)));
      s.once('error', () => ok(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} does not listen on ${port}`);
}

/** PostgreSQL and a nats-server on loopback, for the nodes of one test. */
export async function startBacking(): Promise<Backing> {
  const pg = startPostgres();
  let nats: ChildProcess | undefined;
  try {
    const port = await freePort();
    nats = spawn(natsServer()!, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await listening(port, 'nats-server');
    const proc = nats;
    return {
      databaseUrl: pg.url,
      natsUrl: `nats://127.0.0.1:${port}`,
      stop: () => {
        proc.kill('SIGTERM');
        pg.stop();
      },
    };
  } catch (e) {
    nats?.kill('SIGTERM');
    pg.stop();
    throw e;
  }
}

export interface Front {
  url: string;
  stop: () => void;
}

/**
 * A TCP pass-through on a loopback port: each new connection goes to the first of `upstreams`
 * (node URLs) that accepts it, and is closed when its upstream closes (a dead node's sockets
 * die at the client too, which then reconnects — to a survivor).
 */
export async function startFront(upstreams: string[]): Promise<Front> {
  const ports = upstreams.map((u) => Number(new URL(u).port));
  const open = new Set<Socket>();
  const server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryFrom = (i: number) => {
      const port = ports[i];
      if (port === undefined || client.destroyed) return void client.destroy();
      const up = connect(port, '127.0.0.1');
      let joined = false;
      up.once('connect', () => {
        joined = true;
        open.add(up);
        up.on('close', () => (open.delete(up), client.destroy()));
        client.on('close', () => up.destroy());
        client.pipe(up);
        up.pipe(client);
        client.resume();
      });
      up.on('error', () => {
        if (joined) up.destroy();
        else tryFrom(i + 1);
      });
    };
    tryFrom(0);
  });
  const port = await freePort();
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      server.close();
      for (const s of open) s.destroy();
    },
  };
}
