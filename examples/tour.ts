// The tour: the article, run live, step by step (`pnpm start`).
// Run:  pnpm start                       (stays up at the end, serving step 8 until Ctrl-C)
//       npx tsx --conditions=source examples/tour.ts [--count 1000] [--port 0] [--host 127.0.0.1] [--once]
//         [--tls-cert server.crt --tls-key server.key [--tls-ca ca.crt]]   (step 8 serves TLS)
// Try:  nc 127.0.0.1 PORT   (PORT is printed as `listening on 127.0.0.1:PORT`; type `INCR hits`)
//       with TLS:  openssl s_client -quiet -connect 127.0.0.1:PORT -CAfile ca.crt
//       (--tls-ca is what the --once client trusts; default the certificate itself)
//
// Redis target, in order: $REDIS_URL; else a redis-server from PATH, started
// on a free port and stopped at exit; else mini-redis embedded on the tour's
// own reactor. Everything (clients, the embedded server, the step-8 server)
// runs on ONE reactor. A step the target cannot run is skipped with a reason;
// a step that fails prints one line and the tour goes on (exit code 1).
// --once: after step 8 a client of the tour's own talks to the server, then
// everything is shut down (for tests).
//
// Layout (examples/tour/): target.ts picks the Redis; step.ts is what a step
// gets and how it ends; output.ts prints; wire.ts is step 1; counters.ts
// steps 2-3; clients.ts steps 4-5; lua.ts 6; pubsub.ts 7; server.ts 8 (and
// demo-client.ts, the --once client that talks to it).
import { readFileSync } from 'node:fs';
import { createReactor, type ServerTlsOptions } from '@reactor-ts/reactor';
import { onShutdown, parseServerArgs } from './lib/cli.js';
import { asyncCounter, syncCounter } from './tour/counters.js';
import { pipeline, transaction } from './tour/clients.js';
import { talkToServer } from './tour/demo-client.js';
import { luaDoubling } from './tour/lua.js';
import { pubsubNews } from './tour/pubsub.js';
import { startTourServer, type TourServer } from './tour/server.js';
import { SkipStep, type TourContext } from './tour/step.js';
import { chooseTarget, type Target } from './tour/target.js';
import { respOnTheWire } from './tour/wire.js';

const { port, host, extra } = parseServerArgs(
  {
    count: { type: 'string', short: 'n' },
    once: { type: 'boolean' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-ca': { type: 'string' },
  },
  { port: 0 },
);
const count = Number(extra['count'] ?? 1000);
if (!Number.isInteger(count) || count < 1 || count > 10_000_000) {
  console.error(`--count must be an integer from 1 to 10000000, got ${String(extra['count'])}`);
  process.exit(2);
}
const once = extra['once'] === true;

/** Step 8 over TLS (--tls-cert/--tls-key, PEM files), and the CA the --once client trusts. */
function readTls(): { server: ServerTlsOptions; ca: Buffer } | undefined {
  const cert = extra['tls-cert'];
  const key = extra['tls-key'];
  if (cert === undefined && key === undefined) return undefined;
  if (typeof cert !== 'string' || typeof key !== 'string') {
    console.error('--tls-cert and --tls-key go together (PEM files)');
    process.exit(2);
  }
  try {
    const ca = extra['tls-ca'];
    return {
      server: { cert: readFileSync(cert), key: readFileSync(key) },
      ca: readFileSync(typeof ca === 'string' ? ca : cert),
    };
  } catch (err) {
    console.error(`cannot read the TLS files: ${(err as Error).message}`);
    process.exit(2);
  }
}
const tls = readTls();

const reactor = createReactor();
let stopping = false;
// A callback that throws rejects eventloop(); report it and keep the loop
// going, so one broken step cannot freeze the rest of the tour.
function runLoop(): void {
  reactor.eventloop().catch((err: unknown) => {
    console.error(`reactor: a callback threw: ${(err as Error).message}`);
    process.exitCode = 1;
    if (!stopping) runLoop();
  });
}
runLoop();

let target: Target | undefined;
let server: TourServer | undefined;
let finished = false;
let failed = 0;
let closing: Promise<void> | undefined;

/** Frees everything the tour holds, whatever the point it reached: the server, the target, the reactor. */
function shutdown(): Promise<void> {
  return (closing ??= (async () => {
    stopping = true;
    await server?.close();
    await target?.stop();
    reactor.release();
    if (!finished) console.log('tour interrupted.');
    else console.log(failed === 0 ? 'tour done.' : `tour done: ${failed} step(s) failed.`);
    process.exitCode = failed === 0 && process.exitCode !== 1 ? 0 : 1;
  })());
}

// Ctrl-C is the normal end once the tour serves; before that it interrupts
// the tour, and the redis-server it started must still be stopped.
onShutdown(async () => {
  await shutdown();
  process.exit(finished ? process.exitCode : 130);
});

try {
  target = await chooseTarget(reactor);
} catch (err) {
  console.error(`no Redis target: ${(err as Error).message}`);
  reactor.release();
  process.exit(1);
}
console.log('reactor-ts tour: the article "redis protocol and asynchronous mode", run live.');
console.log(`Redis target: ${target.description}`);

const ctx: TourContext = { reactor, target, count, timings: {} };

async function runStep(name: string, step: (ctx: TourContext) => Promise<void>): Promise<void> {
  if (stopping) return;
  try {
    await step(ctx);
  } catch (err) {
    if (stopping) return;
    if (err instanceof SkipStep) {
      console.log(`   ${err.message}`);
    } else {
      failed++;
      const message = err instanceof Error ? err.message : String(err);
      console.log(`   FAILED (${name}): ${message.split('\n')[0]}`);
    }
  }
}

await runStep('RESP on the wire', respOnTheWire);
await runStep('sync counter', syncCounter);
await runStep('async counter', asyncCounter);
await runStep('pipeline', pipeline);
await runStep('transaction', transaction);
await runStep('Lua', luaDoubling);
await runStep('pub/sub', pubsubNews);
await runStep('server', async (c) => {
  server = await startTourServer(c, tls === undefined ? { host, port } : { host, port, tls: tls.server });
});
finished = true;

if (once || server === undefined) {
  if (server !== undefined) {
    const s = server;
    const to = s.host === '0.0.0.0' ? '127.0.0.1' : s.host;
    await runStep('server exchange', () => talkToServer(to, s.port, ['INCR tour:visits', 'GET tour:visits', 'PING'], tls?.ca));
  }
  await shutdown();
} else {
  console.log(`Connect with:  nc ${host === '0.0.0.0' ? '127.0.0.1' : host} ${server.port}   (type a Redis command, e.g. INCR hits; Ctrl-C stops the tour)`);
}
