/**
 * One client, commands awaited one by one (the adapter suite's `sync`
 * workload), counted the steady ways: CPU time per command, and under
 * callgrind the instructions per command.
 *
 *   node --import tsx --conditions=source bench/src/lib/sync-worker.ts <impl> <port> <n> [callgrind [batches]]
 *
 * <impl>: reactor-ts | command() | node:net bare | ioredis | node-redis.
 * Warms up (2,000 in a burst, 4,000 one by one), then times <n> awaited
 * INCR on a fresh key; prints one JSON line. With `callgrind` (run under
 * `valgrind --tool=callgrind`), asks callgrind to dump its counters right
 * before and right after each of <batches> (default 1) runs of the <n>
 * commands and once more at once, as instr-worker.ts does: dumps 2 ..
 * batches+1 are the batches, the last a dump's own cost.
 *
 * SYNC_OP picks the operation awaited each time (default `incr`):
 *   set       one SET (`client.set(k, v)`, or `command('SET', k, v)` for command())
 *   pipe100   one pipeline of 100 SETs (`.set(k, v)` x 100, or `.command('SET', k, v)`)
 * The instructions suite counts `set` and `pipe100` for reactor-ts (typed)
 * beside command(): what a generated method costs, in instructions.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { BareConnection, encode } from './bare.js';

const [impl, portArg, nArg, mode] = process.argv.slice(2);
const port = Number(portArg);
const n = Number(nArg);
const underCallgrind = mode === 'callgrind';
const BATCHES = underCallgrind ? Number(process.argv[6] ?? 1) : 1;
const WARM = Number(process.env.SYNC_WARM ?? 20_000);
const OP = process.env.SYNC_OP ?? 'incr';
if (OP !== 'incr' && OP !== 'set' && OP !== 'pipe100') throw new Error(`sync-worker: SYNC_OP ${OP}: incr, set or pipe100`);
if (OP !== 'incr' && impl !== 'reactor-ts' && impl !== 'command()') throw new Error(`sync-worker: SYNC_OP ${OP} is for reactor-ts and command() (typed vs command()); ${impl} runs incr`);
/** The 100 keys of a pipe100 pipeline (made once, so the timed loop builds only the pipeline). */
const PIPE_KEYS = Array.from({ length: 100 }, (_, i) => `bench:sync-worker:pipe:${i}`);

type Incr = (key: string) => Promise<unknown>;

async function open(): Promise<{ incr: Incr; close: () => Promise<void> }> {
  if (impl === 'reactor-ts' || impl === 'command()') {
    const { createClient } = await import('@reactor-ts/client');
    const c = await createClient({ url: `redis://127.0.0.1:${port}` }).connect();
    const typed = impl === 'reactor-ts';
    let incr: Incr;
    if (OP === 'set') incr = typed ? (k) => c.set(k, 'v') : (k) => c.command('SET', k, 'v');
    else if (OP === 'pipe100') {
      incr = typed
        ? () => {
            const p = c.pipeline();
            for (const k of PIPE_KEYS) p.set(k, 'v');
            return p.exec();
          }
        : () => {
            const p = c.pipeline();
            for (const k of PIPE_KEYS) p.command('SET', k, 'v');
            return p.exec();
          };
    } else incr = typed ? (k) => c.incr(k) : (k) => c.command('INCR', k);
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
// A pipeline of 100 is 100 commands: warm it with a hundredth as many.
const scale = OP === 'pipe100' ? 100 : 1;
await Promise.all(Array.from({ length: 2000 / scale }, () => incr(`${key}:warm`)));
// Long enough that the JIT is done (V8 compiles on this thread under --single-threaded).
for (let i = 0; i < WARM / scale; i++) await incr(`${key}:warm`);
if (underCallgrind) dump();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let last: unknown;
for (let b = 0; b < BATCHES; b++) {
  for (let i = 0; i < n; i++) last = await incr(key);
  if (underCallgrind) dump();
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (underCallgrind) dump();
const expected = OP === 'incr' ? n * BATCHES : OP === 'set' ? 'OK' : 'OK x 100';
const got = Array.isArray(last) ? (last.every((r) => r === 'OK') && last.length === 100 ? 'OK x 100' : JSON.stringify(last)) : OP === 'incr' ? Number(last) : last;
if (got !== expected) throw new Error(`${impl}: last reply ${String(got)}, expected ${expected}`);
await close();
// Per command: a pipe100 operation is 100 of them.
const ops = n * BATCHES * scale;
process.stdout.write(`${JSON.stringify({ impl, op: OP, n, ms, cpuUsPerOp: (cpu.user + cpu.system) / ops, userUsPerOp: cpu.user / ops, sysUsPerOp: cpu.system / ops })}\n`);
