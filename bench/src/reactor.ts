/**
 * bench reactor: an echo server on @reactor-ts/reactor beside a plain
 * node:net echo server, in the same run, loaded from a separate process.
 *
 * Workloads (64-byte messages, 50 connections each):
 *   ping-pong  one message in flight per connection
 *   pipeline   16 messages written at once per connection, then wait for all 16
 * Rounds alternate the two servers; each round is a fresh load-generator
 * process that warms up, then counts echoed messages for a fixed time.
 * Target: reactor >= 0.95x node:net on both.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import {
  EV_READ,
  createReactor,
  eventBufferRead,
  eventBufferWrite,
  type ReactorEvent,
} from '@reactor-ts/reactor';
import { median, progress, type Row, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';

const CONNECTIONS = 50;
const MESSAGE = 64;

/** The load generator, plain JS for `node -e`: prints {"messages":N,"ms":T}. */
const LOADGEN = `
const net = require('node:net');
const [port, depth, conns, warmMs, runMs] = process.argv.slice(1).map(Number);
const msg = Buffer.alloc(${MESSAGE}, 0x61);
const burst = Buffer.concat(Array.from({ length: depth }, () => msg));
const want = burst.length;
let counting = false, messages = 0, total = 0, open = 0;
const sockets = [];
for (let i = 0; i < conns; i++) {
  const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
  let got = 0;
  s.on('connect', () => { open++; s.write(burst); });
  s.on('data', (d) => {
    got += d.length;
    while (got >= want) {
      got -= want;
      total += depth;
      if (counting) messages += depth;
      s.write(burst);
    }
  });
  s.on('error', (e) => { console.error('loadgen: ' + e.message); process.exit(1); });
  sockets.push(s);
}
setTimeout(() => {
  counting = true;
  const start = process.hrtime.bigint();
  setTimeout(() => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(JSON.stringify({ messages, total, ms, open }));
    for (const s of sockets) s.destroy();
    process.exit(0);
  }, runMs);
}, warmMs);
setTimeout(() => { console.error('loadgen: overran'); process.exit(3); }, warmMs + runMs + 10000).unref();
`;

interface Server {
  name: string;
  port: number;
  close(): Promise<void>;
}

async function reactorServer(): Promise<Server> {
  const r = createReactor();
  const onRead = (e: ReactorEvent): void => {
    const n = eventBufferRead(e);
    eventBufferWrite(e, e.in.pullup(n));
    e.in.drain(n);
  };
  const onError = (e: ReactorEvent): void => r.delEvent(e);
  const port = await r.createServer(
    0,
    (socket) => r.addEvent(r.newEvent(socket, onRead, null, onError), EV_READ),
    { host: '127.0.0.1' },
  );
  const loop = r.eventloop();
  return {
    name: 'reactor',
    port,
    close: async () => {
      r.release();
      await loop;
    },
  };
}

async function plainServer(): Promise<Server> {
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on('data', (d: Buffer) => s.write(d));
    s.on('error', () => s.destroy());
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    name: 'node:net',
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        // closeAllConnections exists on http servers only; the loadgen closes its sockets.
      }),
  };
}

/** Messages per second, and this process's CPU time per message (the server's cost). */
function runLoad(port: number, depth: number, warmMs: number, runMs: number): Promise<{ rate: number; cpuUs: number }> {
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage();
    const child = spawn(
      process.execPath,
      ['-e', LOADGEN, String(port), String(depth), String(CONNECTIONS), String(warmMs), String(runMs)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const cpu = process.cpuUsage(cpu0);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      const { messages, total, ms, open } = JSON.parse(out) as {
        messages: number;
        total: number;
        ms: number;
        open: number;
      };
      if (open !== CONNECTIONS) return reject(new Error(`only ${open}/${CONNECTIONS} connections opened`));
      resolve({ rate: (messages / ms) * 1000, cpuUs: (cpu.user + cpu.system) / total });
    });
  });
}

async function run(opts: RunOptions): Promise<SuiteResult> {
  const rounds = opts.quick ? 1 : 6;
  const warmMs = opts.quick ? 200 : 300;
  const runMs = opts.quick ? 500 : 1500;
  const servers = [await reactorServer(), await plainServer()];
  const rows: Row[] = [];
  const paired: string[] = [];
  try {
    for (const [workload, depth] of [
      ['ping-pong 64B x50', 1],
      ['pipeline 16x64B x50', 16],
    ] as const) {
      const samples = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      const cpu = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      for (let round = 0; round < rounds; round++) {
        // Alternate which server goes first so neither always runs cold.
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          progress(`reactor ${workload} ${s.name} round ${round + 1}/${rounds}`);
          const { rate, cpuUs } = await runLoad(s.port, depth, warmMs, runMs);
          samples.get(s.name)!.push(rate);
          cpu.get(s.name)!.push(cpuUs);
        }
      }
      for (const s of servers) {
        const xs = samples.get(s.name)!;
        rows.push({ workload, impl: s.name, unit: 'msg/s', value: median(xs), samples: xs });
      }
      // Server CPU per message: steadier than msg/s on a shared machine,
      // where the load generator and the server compete for cores.
      for (const s of servers) {
        const xs = cpu.get(s.name)!;
        rows.push({ workload: `${workload} server CPU`, impl: s.name, unit: 'us/msg', value: median(xs), samples: xs, lowerIsBetter: true });
      }
      // Each round runs both servers back to back, so their ratio within a
      // round is less exposed to a noisy machine than the ratio of medians.
      const ours = samples.get('reactor')!;
      const peer = samples.get('node:net')!;
      const ratios = ours.map((v, i) => v / peer[i]!);
      paired.push(`${workload}: median per-round ratio ${median(ratios).toFixed(2)}x (${ratios.map((x) => x.toFixed(2)).join(' ')})`);
    }
  } finally {
    progress('');
    for (const s of servers) await s.close();
  }
  return {
    suite: 'reactor',
    ours: 'reactor',
    rows,
    notes: [
      ...paired,
      `echo servers in this process, load from a child process: ${CONNECTIONS} connections, ${MESSAGE}-byte messages`,
      'target: reactor >= 0.95x node:net on both workloads',
    ],
  };
}

export const suite: Suite = {
  name: 'reactor',
  description: 'echo server on the reactor vs plain node:net, load from a separate process',
  run,
};
