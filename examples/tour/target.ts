/**
 * Which Redis the tour talks to, in this order:
 *   1. REDIS_URL, if set (the only way the tour ever reaches port 6379);
 *   2. a `redis-server` found on PATH, started on a free loopback port with
 *      persistence off, stopped when the tour ends;
 *   3. otherwise mini-redis, embedded on the tour's own reactor: the server
 *      and every client of the tour then share one event loop.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRedisUrl } from '@reactor-ts/client';
import type { Reactor } from '@reactor-ts/reactor';
import { startMiniRedis } from '@reactor-ts/mini-redis';

export type TargetKind = 'url' | 'redis-server' | 'mini-redis';

export interface Target {
  readonly kind: TargetKind;
  /** redis://... for the promise clients. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number | undefined;
  /** One line: what it is and where. */
  readonly description: string;
  /** Stops what the tour started (nothing for REDIS_URL). Idempotent. */
  stop(): Promise<void>;
}

export async function chooseTarget(reactor: Reactor, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const fromEnv = env['REDIS_URL'];
  if (fromEnv) {
    const target = urlTarget(fromEnv);
    const problem = await unreachable(target.host, target.port);
    if (problem !== null) throw new Error(`REDIS_URL points at ${target.host}:${target.port}, which cannot be reached (${problem})`);
    return target;
  }
  const bin = findOnPath('redis-server', env['PATH'] ?? '');
  if (bin !== undefined) return spawnRedisServer(bin);
  const server = await startMiniRedis({ port: 0, host: '127.0.0.1', reactor });
  return {
    kind: 'mini-redis',
    url: `redis://127.0.0.1:${server.port}`,
    host: '127.0.0.1',
    port: server.port,
    username: undefined,
    password: undefined,
    db: undefined,
    description: `embedded mini-redis on 127.0.0.1:${server.port}, on the tour's own reactor (no REDIS_URL, no redis-server on PATH)`,
    stop: once(() => server.close()),
  };
}

function urlTarget(url: string): Target {
  const ep = parseRedisUrl(url);
  if (ep.path !== undefined || ep.port === undefined) {
    throw new Error('REDIS_URL: the tour needs a TCP address (redis://host:port), not a unix socket');
  }
  const host = ep.host ?? '127.0.0.1';
  return {
    kind: 'url',
    url,
    host,
    port: ep.port,
    username: ep.username,
    password: ep.password,
    db: ep.db,
    description: `REDIS_URL, ${host}:${ep.port}${ep.db ? ` db ${ep.db}` : ''} (the tour writes keys named key, counter and tour:*)`,
    stop: async () => {},
  };
}

function findOnPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function spawnRedisServer(bin: string): Promise<Target> {
  const version = /v=([\d.]+)/.exec(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '?';
  let lastError: unknown;
  // A free port can be taken between probing it and redis-server binding it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'reactor-ts-tour-'));
    const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = once(async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    });
    try {
      await waitForPong(port, child, 5000);
      return {
        kind: 'redis-server',
        url: `redis://127.0.0.1:${port}`,
        host: '127.0.0.1',
        port,
        username: undefined,
        password: undefined,
        db: undefined,
        description: `redis-server ${version} (${bin}) started on 127.0.0.1:${port}, stopped when the tour ends`,
        stop,
      };
    } catch (err) {
      lastError = err;
      await stop();
    }
  }
  throw new Error(`could not start ${bin}: ${(lastError as Error).message}`);
}

/** A free loopback port from the kernel; never 6379, which belongs to someone else's Redis. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => (port === 6379 ? freePort().then(resolve, reject) : resolve(port)));
    });
  });
}

/** Null if a TCP connection opens within 3 s, else why not. */
function unreachable(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = net.connect(port, host);
    sock.setTimeout(3000, () => {
      sock.destroy();
      resolve('no answer within 3 s');
    });
    sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    sock.once('connect', () => {
      sock.destroy();
      resolve(null);
    });
  });
}

/** Resolves once the server answers PING; rejects if it exits or stays silent past `ms`. */
async function waitForPong(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited at start (port ${port} taken?)`);
    if (await pingOnce(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${ms} ms`);
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
    sock.once('connect', () => sock.write('PING\r\n'));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
