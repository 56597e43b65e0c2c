/**
 * Steps 2 and 3, the article's §5.1 and §5.2: the same N INCRs, first with
 * the blocking context (one round trip per command, the thread asleep in
 * between), then with the asynchronous context attached to the tour's
 * reactor (every command queued at once, leaving in one write, replies
 * arriving through callbacks). Both print the article's timing line.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  redisAsyncCommand,
  redisAsyncDisconnect,
  redisAsyncFree,
  redisCommand,
  redisCommandArgv,
  redisConnectWithTimeout,
  redisFree,
} from '@reactor-ts/hiredis-adapter';
import { REDIS_REPLY_ERROR } from '@reactor-ts/resp';
import { withClients } from './clients.js';
import { heading, Progress, say, timingLine } from './output.js';
import { attachAsyncContext, handshakeCommands, withTimeout, type TourContext } from './step.js';

const KEY = 'counter';

export async function syncCounter(ctx: TourContext): Promise<void> {
  heading(2, 'The sync counter: a blocking context', '§5.1 synchronous connection');
  say(`redisConnectWithTimeout, then ${ctx.count} x redisCommand(c, 'INCR ${KEY}'): each call blocks until Redis answers.`);
  if (ctx.target.kind === 'mini-redis') {
    // The embedded server runs on this very thread: a blocking call here
    // would wait for a reply that this thread can never produce.
    say('mini-redis runs on this thread, so blocking it would deadlock: the counter runs in a child process');
    say('(examples/sync-counter.ts, the same program as a standalone example).');
    ctx.timings.sync = await syncCounterInChild(ctx);
    return;
  }
  const c = redisConnectWithTimeout(ctx.target.host, ctx.target.port, { sec: 1, usec: 500_000 });
  if (c.err) throw new Error(`Connection error: ${c.errstr}`);
  try {
    for (const argv of handshakeCommands(ctx.target)) {
      const r = redisCommandArgv(c, argv);
      if (r === null || r.type === REDIS_REPLY_ERROR) throw new Error(`${argv[0]} failed: ${r?.str ?? c.errstr}`);
    }
    redisCommand(c, 'DEL %s', KEY);
    const progress = new Progress(`INCR ${KEY}`, ctx.count);
    let last: number | bigint = 0;
    const before = performance.now();
    for (let i = 0; i < ctx.count; i++) {
      const reply = redisCommand(c, 'INCR %s', KEY);
      if (reply === null) throw new Error(`INCR failed: ${c.errstr}`);
      if (reply.type === REDIS_REPLY_ERROR) throw new Error(`INCR failed: ${reply.str}`);
      last = reply.integer;
      progress.update(i + 1);
    }
    const used = performance.now() - before;
    progress.done();
    say(`INCR ${KEY}: ${last}`);
    say(timingLine(ctx.count, used));
    ctx.timings.sync = used;
  } finally {
    redisFree(c);
  }
}

/** Runs examples/sync-counter.ts against the target; returns its `used X ms`. */
async function syncCounterInChild(ctx: TourContext): Promise<number> {
  await withClients(ctx, 1, ([c]) => c!.del(KEY));
  const script = fileURLToPath(new URL('../sync-counter.ts', import.meta.url));
  // The tour's own loader flags (tsx, --conditions=source) work for the child too.
  const child = spawn(process.execPath, [...process.execArgv, script, '--url', ctx.target.url, '--count', String(ctx.count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, REDIS_URL: '' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await withTimeout(
    new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
    60_000,
    'sync-counter.ts',
  ).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  const m = /after (\d+) exec redis command, used (\d+) ms/.exec(out);
  if (code !== 0 || m === null) throw new Error(`sync-counter.ts exited with ${code}: ${out.trim().split('\n').pop() ?? ''}`);
  say(`INCR ${KEY}: ${String(await withClients(ctx, 1, ([c]) => c!.get(KEY)))}`);
  say(m[0]);
  return Number(m[2]);
}

export async function asyncCounter(ctx: TourContext): Promise<void> {
  heading(3, 'The async counter: a context attached to the reactor', '§5.2 asynchronous connection');
  say(`redisAsyncConnect + redisAttach(reactor, ac), then ${ctx.count} x redisAsyncCommand(ac, cb, 'count', 'INCR ${KEY}').`);
  const { count } = ctx;
  const { ac, disconnected } = await attachAsyncContext(ctx);
  try {
    redisAsyncCommand(ac, null, null, 'DEL %s', KEY);
    const progress = new Progress(`INCR ${KEY}`, count);
    let cnt = 0;
    const before = performance.now();
    const last = await withTimeout(
      new Promise<number | bigint>((resolve, reject) => {
        if (count === 0) resolve(0);
        for (let i = 0; i < count; i++) {
          redisAsyncCommand(
            ac,
            (c, reply) => {
              if (reply === null) return reject(new Error(`INCR failed: ${c.errstr}`));
              if (reply.type === REDIS_REPLY_ERROR) return reject(new Error(`INCR failed: ${reply.str}`));
              progress.update(++cnt);
              if (cnt === count) resolve(reply.integer);
            },
            'count',
            'INCR %s',
            KEY,
          );
        }
      }),
      60_000,
      `${count} INCR`,
    );
    const used = performance.now() - before;
    progress.done();
    say(`INCR ${KEY}: ${last}`);
    say(timingLine(count, used));
    ctx.timings.async = used;
    const { sync } = ctx.timings;
    if (sync !== undefined && used > 0) {
      say(`sync / async: ${(sync / used).toFixed(1)}x — ${count} round trips against one write and one stream of replies.`);
    }
    redisAsyncDisconnect(ac);
    await withTimeout(disconnected, 5000, 'disconnect');
  } catch (err) {
    redisAsyncFree(ac);
    throw err;
  }
}
