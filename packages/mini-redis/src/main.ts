#!/usr/bin/env node
// mini-redis: a Redis-protocol server built only from this repo's packages
// (reactor, ChainBuffer, RequestParser, encodeReply). See ../README.md.
// Run:  pnpm mini-redis --port 6390            (or --port 0 for any free port;
//       a leading `--`, as in `pnpm mini-redis -- --port 6390`, is accepted)
//       node --import tsx --conditions=source packages/mini-redis/src/main.ts --port 0
//           [--host 127.0.0.1] [--requirepass secret] [--maxclients 10000]
//       mini-redis --port 6390                 (the installed package's bin)
// Try:  redis-cli -p 6390 set greeting hello && redis-cli -p 6390 get greeting
//
// It prints `listening on HOST:PORT` once it accepts connections (what
// startMiniRedisChild waits for) and `stopped` after a clean SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startMiniRedis, type MiniRedis } from './server.js';

function fail(message: string): never {
  console.error(`mini-redis: ${message}`);
  process.exit(2);
}

function parseCli(argv: string[]): { port: number; host: string; requirepass?: string; maxclients?: number } {
  // `pnpm mini-redis -- --port N` hands the script the `--` too; parseArgs
  // would take everything after it as positionals.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string', short: 'h' },
        requirepass: { type: 'string' },
        maxclients: { type: 'string' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const port = values.port === undefined ? 6379 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${String(values.port)}`);
  const out: { port: number; host: string; requirepass?: string; maxclients?: number } = { port, host: values.host ?? '127.0.0.1' };
  if (values.maxclients !== undefined) {
    const n = Number(values.maxclients);
    if (!Number.isInteger(n) || n < 1) fail(`--maxclients must be a positive integer, got ${values.maxclients}`);
    out.maxclients = n;
  }
  if (values.requirepass !== undefined) out.requirepass = values.requirepass;
  return out;
}

const opts = parseCli(process.argv.slice(2));
let server: MiniRedis;
try {
  server = await startMiniRedis(opts);
} catch (err) {
  console.error(`mini-redis: cannot listen on ${opts.host}:${opts.port}: ${(err as Error).message}`);
  process.exit(1);
}
console.log(`listening on ${opts.host}:${server.port}`);

// The first SIGINT/SIGTERM closes cleanly; a second one exits at once.
let stopping = false;
const onSignal = (signal: NodeJS.Signals): void => {
  if (stopping) process.exit(1);
  stopping = true;
  console.error(`${signal}: shutting down`);
  server.close().then(
    () => console.log('stopped'),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
