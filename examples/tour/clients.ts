/**
 * Steps 4 and 5, the article's §2 and §3.2, with the promise client running
 * on the tour's reactor: a pipeline (many commands, one write, replies in
 * order, an error kept in its place), and a transaction guarded by WATCH,
 * shown failing once by hand (EXEC answers nil) and then retried by
 * `watchRetry` until it goes through.
 */
import { performance } from 'node:perf_hooks';
import { createClient, ReplyError, type RedisClient } from '@reactor-ts/client';
import { heading, say, timingLine } from './output.js';
import type { TourContext } from './step.js';

/** A promise client on the tour's reactor (so it shares the loop with everything else). */
export function connectClient(ctx: TourContext): Promise<RedisClient> {
  return createClient({ url: ctx.target.url, reactor: ctx.reactor, connectTimeout: 5000, commandTimeout: 30_000 }).connect();
}

/** Runs `fn` with `n` connected clients, and closes them whatever happens. */
export async function withClients<T>(ctx: TourContext, n: number, fn: (clients: RedisClient[]) => Promise<T>): Promise<T> {
  const settled = await Promise.allSettled(Array.from({ length: n }, () => connectClient(ctx)));
  const clients = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return await fn(clients);
  } finally {
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

function show(reply: unknown): string {
  if (reply instanceof ReplyError) return `(error) ${reply.message}`;
  if (typeof reply === 'string') return JSON.stringify(reply);
  if (reply === null) return '(nil)';
  return typeof reply === 'number' ? `(integer) ${reply}` : String(reply);
}

export async function pipeline(ctx: TourContext): Promise<void> {
  heading(4, 'A pipeline', '§2 redis pipeline');
  say('client.pipeline(): the commands leave in one write; the replies come back in order.');
  await withClients(ctx, 1, async ([client]) => {
    const c = client!;
    await c.del('tour:hits', 'tour:greeting');
    const argvs = [
      ['SET', 'tour:greeting', 'hello'],
      ['INCR', 'tour:hits'],
      ['INCR', 'tour:hits'],
      ['GET', 'tour:greeting'],
      ['LPUSH', 'tour:greeting', 'x'],
      ['GET', 'tour:hits'],
    ];
    const p = c.pipeline();
    for (const argv of argvs) p.command(...argv);
    const replies = await p.exec();
    argvs.forEach((argv, i) => say(`${argv.join(' ').padEnd(28)} -> ${show(replies[i])}`));
    say('The LPUSH error stays in its own slot: the commands around it ran.');

    await c.del(KEY_PIPELINED);
    const many = c.pipeline();
    for (let i = 0; i < ctx.count; i++) many.incr(KEY_PIPELINED);
    const before = performance.now();
    const counts = await many.exec();
    say(`${timingLine(ctx.count, performance.now() - before, 'pipelined INCR')}; last reply ${show(counts[counts.length - 1])}`);
  });
}

const KEY_PIPELINED = 'tour:pipelined';
const BALANCE = 'tour:balance';

export async function transaction(ctx: TourContext): Promise<void> {
  heading(5, 'A transaction with WATCH', '§3.2 transaction commands');
  say('WATCH is optimistic locking: if the key changes before EXEC, EXEC answers nil and nothing runs.');
  await withClients(ctx, 3, async ([a, b, c]) => {
    const alice = a!;
    const bob = b!;
    const carol = c!;
    await alice.set(BALANCE, '100');

    // By hand, on alice's connection: WATCH, read, someone else writes, EXEC.
    await alice.command('WATCH', BALANCE);
    const seen = Number(await alice.get(BALANCE));
    say(`alice: WATCH ${BALANCE}; GET -> ${seen}`);
    await bob.set(BALANCE, '150');
    say(`bob:   SET ${BALANCE} 150  (a conflicting write)`);
    const first = await alice.multi().set(BALANCE, String(seen + 10)).exec();
    say(`alice: MULTI; SET ${BALANCE} ${seen + 10}; EXEC -> ${first === null ? '(nil): the watched key changed, the SET did not run' : JSON.stringify(first)}`);

    // The same read-modify-write through watchRetry, with a conflicting
    // write during the first attempt: it starts over and succeeds.
    const result = await carol.watchRetry([BALANCE], async (conn, attempt) => {
      const current = Number(await conn.get(BALANCE));
      say(`carol: attempt ${attempt}: WATCH; GET -> ${current}`);
      if (attempt === 1) {
        await bob.incrby(BALANCE, 50);
        say(`bob:   INCRBY ${BALANCE} 50  (a conflicting write during attempt 1)`);
      }
      return conn.multi().set(BALANCE, String(current + 10));
    });
    say(`carol: EXEC -> ${JSON.stringify(result)} (attempt 1's EXEC answered nil, so watchRetry ran it again)`);
    say(`${BALANCE} = ${await alice.get(BALANCE)}`);
  });
}
