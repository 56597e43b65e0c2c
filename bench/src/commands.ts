/**
 * bench/commands: what a typed method costs over `command()`. The promise
 * client's generated `set()` (argv encoded from the command table's plan,
 * SetOptions included) beside `command('SET', ...)`, one client, one
 * redis-server; and the pipeline's `set()` beside its `command()`. ioredis
 * and node-redis (the versions bench/package.json pins) run the same calls
 * through their own typed methods, for scale. All in this process, rounds
 * interleaved, median of the rounds.
 *
 * Workloads (each 20,000 SETs on a fresh key range per round):
 *   set-burst       client.set(k, v) issued at once (Promise.all)
 *   set-ex-burst    client.set(k, v, { EX: 60 }) (options object → argv)
 *   pipe100-set     pipelines of 100 .set(k, v), one after another
 * Impl names: `typed` is ours with the method, `command()` ours with
 * command(...argv); the ratios of `typed` to `command()` are the question
 * (1.0 = no cost).
 */
import { performance } from 'node:perf_hooks';
import { createClient as createOurs, type Pipeline } from '@reactor-ts/client';
import { startRedis } from '@reactor-ts/test-utils';
import { Redis } from 'ioredis';
import { createClient as createNodeRedis } from 'redis';
import { median, type Row, type Suite, type SuiteResult } from './lib/harness.js';

const N = 20_000;
const WORKLOADS = ['set-burst', 'set-ex-burst', 'pipe100-set'] as const;
type Workload = (typeof WORKLOADS)[number];
type Run = (w: Workload, prefix: string) => Promise<void>;

function keys(prefix: string): string[] {
  return Array.from({ length: N }, (_, i) => `${prefix}:${i}`);
}

async function timed(run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return (N / (performance.now() - t0)) * 1000;
}

export const suite: Suite = {
  name: 'commands',
  description: 'typed methods (generated from the command table) vs command(...argv), client and pipeline; ioredis / node-redis for scale',
  async run(opts): Promise<SuiteResult> {
    const srv = await startRedis();
    const ours = await createOurs({ url: srv.url }).connect();
    const io = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
    await io.connect();
    // node-redis 6 puts a 5 s deadline (an AbortSignal.timeout) on every command by default; the others have none, so it is off here as theirs is.
    const nr = createNodeRedis({ url: srv.url, commandOptions: { timeout: 0 } });
    await nr.connect();
    const impls: Record<string, Run> = {
      typed: async (w, p) => {
        const ks = keys(p);
        if (w === 'set-burst') await Promise.all(ks.map((k) => ours.set(k, 'v')));
        else if (w === 'set-ex-burst') await Promise.all(ks.map((k) => ours.set(k, 'v', { EX: 60 })));
        else for (let i = 0; i < N; i += 100) await ks.slice(i, i + 100).reduce<Pipeline<unknown[]>>((pl, k) => pl.set(k, 'v'), ours.pipeline()).exec();
      },
      'command()': async (w, p) => {
        const ks = keys(p);
        if (w === 'set-burst') await Promise.all(ks.map((k) => ours.command('SET', k, 'v')));
        else if (w === 'set-ex-burst') await Promise.all(ks.map((k) => ours.command('SET', k, 'v', 'EX', 60)));
        else for (let i = 0; i < N; i += 100) await ks.slice(i, i + 100).reduce<Pipeline<unknown[]>>((pl, k) => pl.command('SET', k, 'v'), ours.pipeline()).exec();
      },
      ioredis: async (w, p) => {
        const ks = keys(p);
        if (w === 'set-burst') await Promise.all(ks.map((k) => io.set(k, 'v')));
        else if (w === 'set-ex-burst') await Promise.all(ks.map((k) => io.set(k, 'v', 'EX', 60)));
        else for (let i = 0; i < N; i += 100) await ks.slice(i, i + 100).reduce((pl, k) => pl.set(k, 'v'), io.pipeline()).exec();
      },
      'node-redis': async (w, p) => {
        const ks = keys(p);
        if (w === 'set-burst') await Promise.all(ks.map((k) => nr.set(k, 'v')));
        else if (w === 'set-ex-burst') await Promise.all(ks.map((k) => nr.set(k, 'v', { EX: 60 })));
        else for (let i = 0; i < N; i += 100) {
          const m = nr.multi();
          for (const k of ks.slice(i, i + 100)) m.set(k, 'v');
          await m.execAsPipeline();
        }
      },
    };
    const rounds = opts.quick ? 1 : 7;
    const samples = new Map<string, number[]>();
    try {
      for (let r = 0; r < rounds + 1; r++) {
        for (const w of WORKLOADS) {
          for (const [name, run] of Object.entries(impls)) {
            const ops = await timed(() => run(w, `${name}:${w}:${r}`));
            // Round 0 warms the JIT of every path and is not counted (unless quick).
            if (r === 0 && !opts.quick) continue;
            const key = `${w}\u0000${name}`;
            samples.set(key, [...(samples.get(key) ?? []), ops]);
          }
          await ours.flushdb();
        }
      }
    } finally {
      await ours.quit();
      await io.quit();
      await nr.quit();
      await srv.stop();
    }
    const rows: Row[] = [...samples].map(([key, xs]) => {
      const [workload, impl] = key.split('\u0000') as [string, string];
      return { workload, impl, unit: 'ops/s', value: median(xs), samples: xs };
    });
    return {
      suite: 'commands',
      ours: 'typed',
      rows,
      notes: ['typed / command() ≈ 1.0 means the generated methods cost nothing measurable; ioredis and node-redis are the versions bench/package.json pins.'],
    };
  },
};
