/**
 * bench/tls: the issue's TLS rows. The promise client (`ours`) and the
 * hiredis-style callback API over TLS beside ioredis 5 and node-redis 5 over
 * TLS, against one TLS-only redis-server (`--tls-port N --port 0`, the
 * certificates from makeTlsCerts) that the suite starts: same server, same
 * run, each client in a child process of its own (lib/child.ts), the order
 * rotated each round.
 *
 * Workloads (INCR on a fresh key each run; the counter is checked after):
 *   burst     200,000 INCR issued at once
 *   pipe1000  200,000 INCR in explicit pipelines of 1000, one after another
 *   <w>-cpu   the client process's CPU time per command (lower is better)
 *
 * Every client verifies the server against the test CA (no
 * rejectUnauthorized: false anywhere), so the handshake is the real one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeTlsCerts, startRedis } from '@reactor-ts/test-utils';
import type { RedisReply } from '@reactor-ts/resp';
import { ioredisBatches, nodeRedisBatches, reactorTsBatches } from './lib/incr-batches.js';
import { runIfChild, runSelfAsChild } from './lib/child.js';
import { median, progress, type Row, type Suite, type SuiteResult } from './lib/harness.js';

const CALLBACK = 'reactor-ts callback';
const IMPLS = ['reactor-ts', CALLBACK, 'ioredis', 'node-redis'] as const;
type Impl = (typeof IMPLS)[number];
const WORKLOADS = ['burst', 'pipe1000'] as const;
type Workload = (typeof WORKLOADS)[number];
const COUNT = { full: 200_000, quick: 50_000 };

interface ChildResult {
  ops: number;
  ms: number;
  cpuUsPerOp: number;
}

/** One client's n INCR over TLS: all at once (burst) or in pipelines of 1000. */
interface Driver {
  incr(key: string): Promise<unknown>;
  pipelineIncr(key: string, n: number): Promise<unknown[]>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

async function makeDriver(impl: Exclude<Impl, typeof CALLBACK>, port: number, ca: Buffer): Promise<Driver> {
  if (impl === 'reactor-ts') {
    const { createClient } = await import('@reactor-ts/client');
    const c = await createClient({ url: `rediss://127.0.0.1:${port}`, tls: { ca } }).connect();
    const { pipelineIncr } = reactorTsBatches(c);
    return { incr: (k) => c.incr(k), pipelineIncr, get: (k) => c.get(k), close: async () => void (await c.quit()) };
  }
  if (impl === 'ioredis') {
    const { Redis } = await import('ioredis');
    const c = new Redis({ host: '127.0.0.1', port, tls: { ca }, lazyConnect: true });
    await c.connect();
    const { pipelineIncr } = ioredisBatches(c);
    return { incr: (k) => c.incr(k), pipelineIncr, get: (k) => c.get(k), close: async () => void (await c.quit()) };
  }
  const { createClient } = await import('redis');
  // node-redis 6 puts a 5 s deadline (an AbortSignal.timeout) on every command by default; the others have none, so it is off here as theirs is.
  const c = createClient({ url: `rediss://127.0.0.1:${port}`, socket: { tls: true, ca }, commandOptions: { timeout: 0 } });
  await c.connect();
  const { pipelineIncr } = nodeRedisBatches(c);
  return { incr: (k) => c.incr(k), pipelineIncr, get: (k) => c.get(k), close: async () => c.close() };
}

/** The callback API: redisAsyncConnectWithOptions({ ssl }) + redisAttach; the burst and each batch issued from callbacks. */
async function callbackRun(workload: Workload, port: number, ca: Buffer, n: number): Promise<ChildResult> {
  const { createReactor } = await import('@reactor-ts/reactor');
  const h = await import('@reactor-ts/hiredis-adapter');
  const { REDIS_REPLY_ERROR } = await import('@reactor-ts/resp');
  const reactor = createReactor();
  const ac = h.redisAsyncConnectWithOptions({ host: '127.0.0.1', port, ssl: { ca } });
  if (h.redisAttach(reactor, ac) !== h.REDIS_OK) throw new Error(`redisAttach failed: ${ac.errstr}`);
  const closed = new Promise<void>((resolve) => {
    h.redisAsyncSetDisconnectCallback(ac, () => {
      reactor.stopEventloop();
      resolve();
    });
  });
  const loop = reactor.eventloop();
  const failed = (reply: RedisReply | null): Error => new Error(`${CALLBACK}/${workload}: ${reply === null ? ac.errstr : String(reply.str)}`);
  const incrs = (key: string, total: number, batch: number): Promise<number> =>
    new Promise((resolve, reject) => {
      let replies = 0;
      const onReply = (_ac: unknown, reply: RedisReply | null): void => {
        if (reply === null || reply.type === REDIS_REPLY_ERROR) return reject(failed(reply));
        replies++;
        if (replies === total) resolve(Number(reply.integer));
        else if (replies % batch === 0) issue();
      };
      const issue = (): void => {
        const m = Math.min(batch, total - replies);
        for (let i = 0; i < m; i++) if (h.redisAsyncCommandArgv(ac, onReply, null, ['INCR', key]) !== h.REDIS_OK) return reject(failed(null));
      };
      issue();
    });
  const key = `bench:tls:callback:${workload}:${process.pid}`;
  await incrs(`${key}:warm`, 2000, 2000);
  await incrs(`${key}:warm`, 2000, 1);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const last = await incrs(key, n, workload === 'burst' ? n : 1000);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (last !== n) throw new Error(`${CALLBACK}/${workload}: last reply ${last}, expected ${n}`);
  h.redisAsyncDisconnect(ac);
  await closed;
  await loop;
  reactor.release();
  return { ops: n, ms, cpuUsPerOp: (cpu.user + cpu.system) / n };
}

async function child(impl: Impl, workload: Workload, port: number, n: number, certDir: string): Promise<void> {
  const ca = readFileSync(path.join(certDir, 'ca.crt'));
  let res: ChildResult;
  if (impl === CALLBACK) res = await callbackRun(workload, port, ca, n);
  else {
    const d = await makeDriver(impl, port, ca);
    const key = `bench:tls:${impl}:${workload}:${process.pid}`;
    await Promise.all(Array.from({ length: 2000 }, () => d.incr(`${key}:warm`)));
    for (let i = 0; i < 2000; i++) await d.incr(`${key}:warm`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let last: unknown;
    if (workload === 'burst') last = (await Promise.all(Array.from({ length: n }, () => d.incr(key))))[n - 1];
    else {
      for (let done = 0; done < n; done += 1000) {
        const replies = await d.pipelineIncr(key, Math.min(1000, n - done));
        last = replies[replies.length - 1];
      }
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const counter = Number(await d.get(key));
    if (Number(last) !== n || counter !== n) throw new Error(`${impl}/${workload}: counter ${counter}, last ${String(last)}, expected ${n}`);
    await d.close();
    res = { ops: n, ms, cpuUsPerOp: (cpu.user + cpu.system) / n };
  }
  process.stdout.write(`${JSON.stringify(res)}\n`);
}

async function run(opts: { quick: boolean }): Promise<SuiteResult> {
  const rounds = opts.quick ? 1 : 3;
  const n = opts.quick ? COUNT.quick : COUNT.full;
  const certs = makeTlsCerts();
  const srv = await startRedis({ tls: { certs } });
  const samples = new Map<string, number[]>();
  const add = (workload: string, impl: string, v: number): void => {
    const k = `${workload}\u0000${impl}`;
    samples.set(k, [...(samples.get(k) ?? []), v]);
  };
  try {
    for (let r = 0; r < rounds; r++) {
      for (const workload of WORKLOADS) {
        const order = IMPLS.map((_, i) => IMPLS[(i + r) % IMPLS.length]!);
        for (const impl of order) {
          progress(`tls ${workload} ${impl} round ${r + 1}/${rounds}`);
          const res = await runSelfAsChild<ChildResult>(import.meta.url, [impl, workload, String(srv.port), String(n), certs.dir]);
          add(workload, impl, (res.ops / res.ms) * 1000);
          add(`${workload}-cpu`, impl, res.cpuUsPerOp);
        }
      }
    }
  } finally {
    progress('');
    await srv.stop();
    certs.remove();
  }
  const rows: Row[] = [];
  for (const [k, s] of samples) {
    const [workload, impl] = k.split('\u0000') as [string, string];
    const cpu = workload.endsWith('-cpu');
    rows.push({ workload, impl, unit: cpu ? 'µs/op' : 'ops/s', value: median(s), samples: s, ...(cpu ? { lowerIsBetter: true } : {}) });
  }
  const v = (w: string, i: string): number => rows.find((r) => r.workload === w && r.impl === i)?.value ?? NaN;
  const notes = WORKLOADS.flatMap((w) =>
    ['reactor-ts', CALLBACK].map(
      (i) => `[${i === CALLBACK ? 'callback' : 'promise'}] ${w} over TLS: ${(v(w, i) / v(w, 'ioredis')).toFixed(2)}× ioredis, ${(v(w, i) / v(w, 'node-redis')).toFixed(2)}× node-redis`,
    ),
  );
  notes.push('Every client over TLS 1.3 to the same TLS-only redis-server, verifying it against the test CA; one child process per client.');
  return { suite: 'tls', ours: 'reactor-ts', rows, notes };
}

export const suite: Suite = {
  name: 'tls',
  description: 'over TLS: promise client and callback API vs ioredis / node-redis: 200k burst, pipelines of 1000',
  run,
};

// Child mode: `tls.ts --child <impl> <workload> <port> <n> <certDir>`.
runIfChild(import.meta.url, ([impl, workload, port, n, dir]) => child(impl as Impl, workload as Workload, Number(port), Number(n), dir!));
