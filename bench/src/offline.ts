/**
 * bench/offline: what a command costs while it waits for a connection
 * (issue 13, item 9). Each client points at a loopback port nothing listens
 * on, keeps retrying, and is handed N commands (`INCR offline:<i>`), whose
 * promises the caller keeps, as a service would during an outage (their
 * rejection handlers are attached after the measurement, so the figure is
 * the client's: its queue entry, the promise, the argv and key). Bytes per
 * waiting command = growth of the JS heap plus off-heap memory (Buffers)
 * after a full GC, divided by N. Lower is better.
 *
 * Rows: `bytes/cmd` for the promise client (offline queue), the callback
 * API (an unattached context: its output buffer and reply FIFO), ioredis 5
 * and node-redis 5 (their offline queues). Each client runs in a child
 * process of its own (this file, `--child`), GC exposed through
 * v8.setFlagsFromString, so no client's garbage counts against another.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getFreePort } from '@reactor-ts/test-utils';
import { runIfChild, runSelfAsChild } from './lib/child.js';
import { median, progress, type Row, type Suite, type SuiteResult } from './lib/harness.js';

const IMPLS = ['reactor-ts', 'reactor-ts callback', 'ioredis', 'node-redis'] as const;
type Impl = (typeof IMPLS)[number];

interface ChildResult {
  bytesPerCommand: number;
  rssPerCommand: number;
}

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function child(impl: Impl, port: number, n: number): Promise<void> {
  const gc = exposeGc();
  const held: unknown[] = new Array<unknown>(n);
  let cleanup: () => Promise<void> | void;
  let issue: (i: number) => unknown;
  if (impl === 'reactor-ts') {
    const { createClient } = await import('@reactor-ts/client');
    const c = createClient({ url: `redis://127.0.0.1:${port}`, reconnect: { minDelayMs: 1000, maxDelayMs: 1000 }, offlineQueueLimit: n });
    void c.connect().catch(() => undefined);
    issue = (i) => c.incr(`offline:${i}`);
    cleanup = () => c.disconnect();
  } else if (impl === 'reactor-ts callback') {
    const h = await import('@reactor-ts/hiredis-adapter');
    const ac = h.redisAsyncConnect('127.0.0.1', port);
    const cb = (): void => undefined;
    issue = (i) => h.redisAsyncCommandArgv(ac, cb, null, ['INCR', `offline:${i}`]);
    cleanup = () => h.redisAsyncFree(ac);
  } else if (impl === 'ioredis') {
    const { Redis } = await import('ioredis');
    const c = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 1000, maxRetriesPerRequest: null, lazyConnect: false });
    c.on('error', () => undefined);
    issue = (i) => c.incr(`offline:${i}`);
    cleanup = () => c.disconnect();
  } else {
    const { createClient } = await import('redis');
    // node-redis 6 puts a 5 s deadline (an AbortSignal.timeout) on every command by default; the others have none, so it is off here as theirs is.
    const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: () => 1000 }, commandOptions: { timeout: 0 } });
    c.on('error', () => undefined);
    void c.connect().catch(() => undefined);
    issue = (i) => c.incr(`offline:${i}`);
    cleanup = async () => {
      c.destroy();
    };
  }
  await new Promise((r) => setTimeout(r, 50));
  gc();
  gc();
  const before = used();
  const rssBefore = process.memoryUsage().rss;
  for (let i = 0; i < n; i++) held[i] = issue(i);
  gc();
  gc();
  const after = used();
  const rssAfter = process.memoryUsage().rss;
  const result: ChildResult = { bytesPerCommand: (after - before) / n, rssPerCommand: (rssAfter - rssBefore) / n };
  // Handlers only now, so that the figure is the client's alone.
  for (const p of held) if (p instanceof Promise) p.catch(() => undefined);
  await cleanup();
  held.length = 0;
  console.log(JSON.stringify(result));
}

async function run(opts: { quick: boolean }): Promise<SuiteResult> {
  const n = opts.quick ? 20_000 : 100_000;
  const rounds = opts.quick ? 1 : 3;
  const port = await getFreePort();
  const bytes = new Map<Impl, number[]>(IMPLS.map((i) => [i, []]));
  for (let r = 0; r < rounds; r++) {
    for (const impl of IMPLS) {
      progress(`round ${r + 1}/${rounds}: ${impl}, ${n} commands waiting`);
      const res = await runSelfAsChild<ChildResult>(import.meta.url, [impl, String(port), String(n)]);
      bytes.get(impl)!.push(res.bytesPerCommand);
    }
  }
  const rows: Row[] = IMPLS.map((impl) => {
    const s = bytes.get(impl)!;
    return { workload: 'bytes/cmd', impl, unit: 'B/cmd', value: median(s), samples: s, lowerIsBetter: true };
  });
  return {
    suite: 'offline',
    ours: 'reactor-ts',
    rows,
    notes: [`${n} commands issued while no connection is up, promises kept; heap + external growth after GC ÷ ${n}`],
  };
}

export const suite: Suite = {
  name: 'offline',
  description: 'bytes per command waiting for a connection (offline queue), promise client and callback API vs ioredis / node-redis',
  run,
};

// Child mode: `offline.ts --child <impl> <port> <n>`.
runIfChild(import.meta.url, ([impl, port, n]) => child(impl as Impl, Number(port), Number(n)));
