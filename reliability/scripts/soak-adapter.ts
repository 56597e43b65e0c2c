/**
 * Memory soak of the hiredis adapter, run in a child process with
 * --expose-gc by soak.spec.ts:
 *
 *   node --import tsx --conditions=source --expose-gc reliability/scripts/soak-adapter.ts <port> <commands>
 *
 * Sends <commands> through the callback API (windows of 20,000 pipelined
 * INCR / SET / GET with a command timeout armed) and a fifth as many through
 * the promise client, on one reactor. Prints one JSON line: heap after a
 * forced GC at the start (after a warm-up window) and at the end (links
 * closed), the reactor's tables, and the counter check.
 */
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { createClient } from '@reactor-ts/client';
import {
  REDIS_OK,
  redisAsyncCommand,
  redisAsyncConnect,
  redisAsyncDisconnect,
  redisAsyncSetDisconnectCallback,
  redisAsyncSetTimeout,
  redisAttach,
  type RedisAsyncContext,
} from '@reactor-ts/hiredis-adapter';
import { heapAfterGc, tablesOf } from '../src/introspect.js';

const port = Number(process.argv[2]);
const total = Number(process.argv[3]);
const WINDOW = 20_000;

async function callbackPhase(r: Reactor, count: number, onWarm: () => void): Promise<{ replies: number; incrs: number; errors: number }> {
  const ac = redisAsyncConnect('127.0.0.1', port);
  if (redisAttach(r, ac) !== REDIS_OK) throw new Error('redisAttach failed');
  redisAsyncSetTimeout(ac, 10_000);
  let sent = 0;
  let replies = 0;
  let incrs = 0;
  let errors = 0;
  let windowLeft = 0;
  const done = new Promise<void>((resolve, reject) => {
    redisAsyncSetDisconnectCallback(ac, (_c, status) => (status === REDIS_OK ? resolve() : reject(new Error(`link lost: ${ac.errstr}`))));
  });
  const onReply = (c: RedisAsyncContext, reply: unknown): void => {
    replies++;
    if (reply === null) errors++;
    if (--windowLeft === 0) {
      if (sent === WINDOW) onWarm();
      if (sent < count) sendWindow(c);
      else redisAsyncDisconnect(c);
    }
  };
  const sendWindow = (c: RedisAsyncContext): void => {
    const n = Math.min(WINDOW, count - sent);
    windowLeft = n;
    for (let i = 0; i < n; i++, sent++) {
      switch (sent % 3) {
        case 0:
          incrs++;
          redisAsyncCommand(c, onReply, null, 'INCR soak:counter');
          break;
        case 1:
          redisAsyncCommand(c, onReply, null, 'SET soak:k%d %s', sent % 1000, 'value-of-some-length');
          break;
        default:
          redisAsyncCommand(c, onReply, null, 'GET soak:k%d', sent % 1000);
      }
    }
  };
  sendWindow(ac);
  await done;
  return { replies, incrs, errors };
}

async function promisePhase(r: Reactor, count: number): Promise<number> {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, reactor: r, commandTimeout: 10_000 });
  await client.connect();
  let incrs = 0;
  for (let sent = 0; sent < count; ) {
    const n = Math.min(10_000, count - sent);
    const ps: Array<Promise<unknown>> = [];
    for (let i = 0; i < n; i++) ps.push(client.sendArgv(['INCR', 'soak:counter']));
    await Promise.all(ps);
    incrs += n;
    sent += n;
  }
  await client.quit();
  return incrs;
}

async function main(): Promise<void> {
  const r = createReactor();
  const loop = r.eventloop();
  // The counter starts from zero whatever an earlier run left.
  const reset = createClient({ url: `redis://127.0.0.1:${port}`, reactor: r });
  await reset.connect();
  await reset.sendArgv(['DEL', 'soak:counter']);
  await reset.quit();

  let heapStart = 0;
  const cb = await callbackPhase(r, total, () => {
    heapStart = heapAfterGc();
  });
  const promiseIncrs = await promisePhase(r, Math.floor(total / 5));

  const check = createClient({ url: `redis://127.0.0.1:${port}`, reactor: r });
  await check.connect();
  const counter = Number(await check.sendArgv(['GET', 'soak:counter']));
  await check.quit();
  // Let closes and lazily deleted timers run out, then look.
  await new Promise((res) => setTimeout(res, 50));
  const tables = tablesOf(r);
  const heapEnd = heapAfterGc();
  r.stopEventloop();
  await loop;
  r.release();
  console.log(
    JSON.stringify({
      commands: cb.replies + promiseIncrs,
      callbackReplies: cb.replies,
      nullReplies: cb.errors,
      promiseIncrs,
      counter,
      expectedCounter: cb.incrs + promiseIncrs,
      heapStart,
      heapEnd,
      ...tables,
    }),
  );
}

await main();
