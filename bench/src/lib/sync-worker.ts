/**
 * One client, commands awaited one by one (the adapter suite's `sync`
 * workload), counted the steady ways: CPU time per command, and under
 * callgrind the instructions per command.
 *
 *   node --import tsx --conditions=source bench/src/lib/sync-worker.ts <impl> <port> <n> [callgrind]
 *
 * <impl>: reactor-ts | command() | node:net bare | ioredis | node-redis.
 * Warms up (2,000 in a burst, 4,000 one by one), then times <n> awaited
 * INCR on a fresh key; prints one JSON line. With `callgrind` (run under
 * `valgrind --tool=callgrind`), asks callgrind to dump its counters right
 * before and right after the <n> commands and once more at once, as
 * instr-worker.ts does: the second dump is the commands, the third a
 * dump's own cost.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { BareConnection, encode } from './bare.js';

const [impl, portArg, nArg, mode] = process.argv.slice(2);
const port = Number(portArg);
const n = Number(nArg);
const underCallgrind = mode === 'callgrind';
const WARM = Number(process.env.SYNC_WARM ?? 20_000);

type Incr = (key: string) => Promise<unknown>;

async function open(): Promise<{ incr: Incr; close: () => Promise<void> }> {
  if (impl === 'reactor-ts' || impl === 'command()') {
    const { createClient } = await import('@reactor-ts/client');
    const c = await createClient({ url: `redis://127.0.0.1:${port}` }).connect();
    const incr: Incr = impl === 'reactor-ts' ? (k) => c.incr(k) : (k) => c.command('INCR', k);
    return { incr, close: async () => void (await c.quit()) };
  }
  if (impl === 'node:net bare') {
    const conn = await BareConnection.open(port);
    const bytes = new Map<string, string>();
    return {
      incr: (k) => {
        let b = bytes.get(k);
        if (b === undefined) bytes.set(k, (b = encode('INCR', k)));
        return conn.one(b);
      },
      close: async () => conn.close(),
    };
  }
  if (impl === 'ioredis') {
    const { Redis } = await import('ioredis');
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    await c.connect();
    return { incr: (k) => c.incr(k), close: async () => void (await c.quit()) };
  }
  if (impl === 'node-redis') {
    const { createClient } = await import('redis');
    const c = createClient({ url: `redis://127.0.0.1:${port}`, commandOptions: { timeout: 0 } });
    await c.connect();
    return { incr: (k) => c.incr(k), close: async () => c.close() };
  }
  throw new Error(`sync-worker: unknown impl ${impl}`);
}

const dump = (): void => void execFileSync('callgrind_control', ['-d', String(process.pid)], { stdio: 'ignore' });

const { incr, close } = await open();
const key = `bench:sync-worker:${impl}:${process.pid}`;
await Promise.all(Array.from({ length: 2000 }, () => incr(`${key}:warm`)));
// Long enough that the JIT is done (V8 compiles on this thread under --single-threaded).
for (let i = 0; i < WARM; i++) await incr(`${key}:warm`);
if (underCallgrind) dump();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let last: unknown;
for (let i = 0; i < n; i++) last = await incr(key);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (underCallgrind) {
  dump();
  dump();
}
if (Number(last) !== n) throw new Error(`${impl}: last reply ${String(last)}, expected ${n}`);
await close();
process.stdout.write(`${JSON.stringify({ impl, n, ms, cpuUsPerOp: (cpu.user + cpu.system) / n, userUsPerOp: cpu.user / n, sysUsPerOp: cpu.system / n })}\n`);
