// The article's redis-test-async.c (§5.2.2): an asynchronous context attached to the reactor, AUTH, N INCR, timed.
// Run:  npx tsx --conditions=source examples/async-counter.ts --url redis://127.0.0.1:PORT [--password PW] [--count 1000] [--verbose]
// (--url defaults to $REDIS_URL, else redis://127.0.0.1:6379; a password in the URL works too: redis://:PW@host:port)
//
// Nothing here waits for Redis: every INCR is queued at once and leaves in
// one socket write (pipelining); the replies come back through callbacks
// run by the reactor's loop, which ends when the context disconnects.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createReactor } from '@reactor-ts/reactor';
import {
  REDIS_OK,
  redisAsyncCommand,
  redisAsyncConnect,
  redisAsyncDisconnect,
  redisAsyncFree,
  redisAsyncSetConnectCallback,
  redisAsyncSetDisconnectCallback,
  redisAttach,
  type RedisAsyncContext,
} from '@reactor-ts/hiredis-adapter';
import { REDIS_REPLY_ERROR, type RedisReply } from '@reactor-ts/resp';
import { onShutdown, withoutLeadingSeparator } from './lib/cli.js';

const { values, positionals } = parseArgs({
  args: withoutLeadingSeparator(process.argv.slice(2)),
  options: {
    url: { type: 'string', default: process.env['REDIS_URL'] || 'redis://127.0.0.1:6379' },
    password: { type: 'string' },
    count: { type: 'string', short: 'n' },
    verbose: { type: 'boolean', short: 'v', default: false },
  },
  allowPositionals: true, // the C program takes the count as argv[1]
});

const url = new URL(values.url);
if (url.protocol !== 'redis:') fail(`--url must be redis://host:port, got ${values.url}`);
const host = url.hostname || '127.0.0.1';
const port = url.port ? Number(url.port) : 6379;
const password = values.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
const num = Number(values.count ?? positionals[0] ?? 1000);
if (!Number.isInteger(num) || num < 0) fail('--count must be a non-negative integer');

let cnt = 0;

function getCallback(c: RedisAsyncContext, reply: RedisReply | null, privdata: unknown): void {
  if (reply === null) return; // the context failed; the disconnect callback says why
  if (reply.type === REDIS_REPLY_ERROR) {
    console.error(`INCR failed: ${reply.str}`);
    process.exitCode = 1;
    redisAsyncFree(c);
    return;
  }
  cnt++;
  if (values.verbose) console.log(`argv[${String(privdata)}]: ${reply.integer}`);
  // Disconnect after the last reply.
  if (cnt === num) {
    const used = Math.round(performance.now() - before);
    console.log(`after ${num} exec redis command, used ${used} ms`);
    redisAsyncDisconnect(c);
  }
}

const R = createReactor();
const c = redisAsyncConnect(host, port);
if (c.err) fail(`Error: ${c.errstr}`);
// The socket is opened here: redisAttach asks the reactor to connect.
redisAttach(R, c);
redisAsyncSetConnectCallback(c, (ac, status) => {
  if (status !== REDIS_OK) {
    console.error(`Error: ${ac.errstr}`);
    process.exitCode = 1;
    R.stopEventloop();
  }
});
redisAsyncSetDisconnectCallback(c, (ac, status) => {
  if (status !== REDIS_OK && process.exitCode !== 1) {
    console.error(`Error: ${ac.errstr}`);
    process.exitCode = 1;
  }
  R.stopEventloop();
});
onShutdown(() => redisAsyncFree(c));

const before = performance.now();
if (password !== undefined) {
  // As in the article, AUTH is an ordinary command queued ahead of the INCRs.
  redisAsyncCommand(c, (ac, reply) => {
    if (reply?.type === REDIS_REPLY_ERROR) {
      console.error(`AUTH failed: ${reply.str}`);
      process.exitCode = 1;
      redisAsyncFree(ac);
    }
  }, null, 'auth %s', password);
}
for (let i = 0; i < num; i++) redisAsyncCommand(c, getCallback, 'count', 'INCR counter');
if (num === 0) {
  console.log(`after 0 exec redis command, used 0 ms`);
  redisAsyncDisconnect(c);
}

await R.eventloop();
R.release();


function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
