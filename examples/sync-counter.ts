// The article's redis-test-sync.c (§5.1): a blocking context, AUTH, then N INCR in a loop, timed.
// Run:  npx tsx --conditions=source examples/sync-counter.ts --url redis://127.0.0.1:PORT [--password PW] [--count 1000] [--verbose]
// (--url defaults to $REDIS_URL; a password in the URL works too: redis://:PW@127.0.0.1:PORT;
//  --count replaces the C program's argv[1])
//
// Every redisCommand below blocks this thread until Redis answers, exactly as
// in C: no await, no callback. That is fine for a script like this one.
import { performance } from 'node:perf_hooks';
import { redisCommand, redisConnectWithTimeout, redisFree } from '@reactor-ts/hiredis-adapter';
import { REDIS_REPLY_ERROR } from '@reactor-ts/resp';
import { parseClientArgs } from './lib/cli.js';

const { url: urlText, extra } = parseClientArgs({
  password: { type: 'string' },
  count: { type: 'string', short: 'n' },
  verbose: { type: 'boolean', short: 'v' },
});
const url = new URL(urlText);
if (url.protocol !== 'redis:') fail(`--url must be redis://host:port, got ${urlText}`);
const host = url.hostname || '127.0.0.1';
const port = url.port ? Number(url.port) : 6379;
const password =
  typeof extra['password'] === 'string' ? extra['password'] : url.password ? decodeURIComponent(url.password) : undefined;
const verbose = extra['verbose'] === true;
const num = Number(extra['count'] ?? 1000);
if (!Number.isInteger(num) || num < 0) fail(`--count must be a non-negative integer`);

const c = redisConnectWithTimeout(host, port, { sec: 1, usec: 500_000 }); // 1.5 seconds, as in the article
if (c.err) fail(`Connection error: ${c.errstr}`);

const before = performance.now();

if (password !== undefined) {
  const auth = redisCommand(c, 'AUTH %s', password);
  if (auth === null) fail(`AUTH failed: ${c.errstr}`);
  if (auth.type === REDIS_REPLY_ERROR) fail(`AUTH failed: ${auth.str}`);
}

for (let i = 0; i < num; ++i) {
  const reply = redisCommand(c, 'INCR counter');
  // The article dereferences reply without a check; a null here means the
  // connection failed, and c.errstr says why.
  if (reply === null) fail(`INCR failed: ${c.errstr}`);
  if (reply.type === REDIS_REPLY_ERROR) fail(`INCR failed: ${reply.str}`);
  if (verbose) console.log(`INCR counter: ${reply.integer}`);
}

const used = Math.round(performance.now() - before);
console.log(`after ${num} exec redis command, used ${used} ms`);

// Disconnects and frees the context (ends its I/O thread).
redisFree(c);

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
