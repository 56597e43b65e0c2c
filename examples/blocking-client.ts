// A short tour of the blocking hiredis API: SET/GET, a pipeline, error replies, a timeout.
// Run:  npx tsx --conditions=source examples/blocking-client.ts --url redis://127.0.0.1:PORT
// (--url defaults to $REDIS_URL)
//
// Each call blocks the thread until Redis answers (a worker thread does the
// I/O; this one sleeps in Atomics.wait). Use it in scripts, CLIs and tests —
// never inside a server, where one slow reply would freeze every client.
import {
  redisAppendCommand,
  redisCommand,
  redisCommandArgv,
  redisConnectWithTimeout,
  redisFree,
  redisGetReply,
  redisSetTimeout,
  REDIS_ERR_TIMEOUT,
  REDIS_OK,
} from '@reactor-ts/hiredis-adapter';
import { REDIS_REPLY_ERROR } from '@reactor-ts/resp';
import { parseClientArgs } from './lib/cli.js';

const url = new URL(parseClientArgs().url);
const c = redisConnectWithTimeout(url.hostname || '127.0.0.1', Number(url.port || 6379), 1500);
if (c.err) {
  console.error(`Connection error: ${c.errstr}`);
  process.exit(1);
}
if (url.password) redisCommand(c, 'AUTH %s', decodeURIComponent(url.password));

// 1. One command, one reply — returned, not awaited.
console.log('SET:', redisCommand(c, 'SET %s %s', 'tour:greeting', 'hello')?.str);
console.log('GET:', redisCommand(c, 'GET %s', 'tour:greeting')?.str);

// Binary-safe arguments: %b takes a Buffer, or pass an argv array.
redisCommandArgv(c, ['SET', 'tour:bytes', Buffer.from([0, 13, 10, 255])]);
console.log('GET bytes:', redisCommand(c, 'GET tour:bytes')?.buf);

// 2. Pipelining: appends only buffer; the first redisGetReply sends all of
//    them in one write, and each call then returns the next reply in order.
redisCommand(c, 'DEL tour:n');
for (let i = 0; i < 5; i++) redisAppendCommand(c, 'INCRBY tour:n %d', i);
const sums: Array<number | bigint | undefined> = [];
for (let i = 0; i < 5; i++) sums.push(redisGetReply(c)?.integer);
console.log('pipeline:', sums.join(' '));

// 3. An error reply is a reply (REDIS_REPLY_ERROR); the context stays usable.
const bad = redisCommand(c, 'INCR tour:greeting');
if (bad?.type === REDIS_REPLY_ERROR) console.log('error reply:', bad.str);
console.log('still usable:', redisCommand(c, 'PING')?.str);

// 4. A context error is different: the call returns null, c.err/c.errstr say
//    why, and the context is unusable. Here: a read timeout.
if (redisSetTimeout(c, 100) === REDIS_OK) {
  const r = redisCommand(c, 'BLPOP tour:empty 2');
  if (r === null && c.err === REDIS_ERR_TIMEOUT) console.log(`context error: ${c.errstr} (err=${c.err})`);
  console.log('after the error:', redisCommand(c, 'PING'));
}

redisFree(c);
