// Every promise settles, whatever happens to the link: random sequences of
// bursts, server crashes (kill -9 + restart), disconnect() and quit(), with
// reconnect and resend on or off. Each command's promise must settle (none
// hangs) with a reply or one of the client's typed errors.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import {
  ClientClosedError,
  CommandRefusedError,
  ConnectionError,
  createClient,
  OfflineQueueFullError,
  ReplyError,
  TimeoutError,
} from './index.js';

let srv: RedisServer;
let reactor: Reactor;

beforeAll(async () => {
  srv = await startRedis();
  reactor = createReactor();
  void reactor.eventloop();
});

afterAll(async () => {
  reactor.stopEventloop();
  reactor.release();
  await srv.stop();
});

type Step = { op: 'burst'; n: number } | { op: 'crash' } | { op: 'disconnect' } | { op: 'quit' } | { op: 'pause' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('burst' as const), n: fc.integer({ min: 1, max: 3000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('crash' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('disconnect' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('quit' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pause' as const) }) },
);

function typed(e: unknown): boolean {
  return (
    e instanceof ConnectionError ||
    e instanceof TimeoutError ||
    e instanceof ClientClosedError ||
    e instanceof OfflineQueueFullError ||
    e instanceof CommandRefusedError ||
    e instanceof ReplyError
  );
}

describe('settle exactly once', () => {
  it('no promise hangs and every failure is typed, under random crashes and closes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.boolean(),
        fc.array(step, { minLength: 1, maxLength: 6 }),
        async (reconnect, resendOnReconnect, steps) => {
          const key = `settle:${run++}`;
          const c = createClient({
            url: srv.url,
            reactor,
            reconnect: reconnect ? { retries: 100, minDelayMs: 5, maxDelayMs: 40 } : false,
            resendOnReconnect,
            offlineQueueLimit: 5000,
          });
          const all: Array<Promise<unknown>> = [];
          let settled = 0;
          let untyped = 0;
          const track = (p: Promise<unknown>): void => {
            all.push(
              p.then(
                () => void settled++,
                (e: unknown) => {
                  settled++;
                  if (!typed(e)) untyped++;
                },
              ),
            );
          };
          track(c.connect());
          for (const s of steps) {
            if (s.op === 'burst') for (let i = 0; i < s.n; i++) track(c.incr(key));
            else if (s.op === 'crash') {
              await srv.kill9();
              await srv.start();
            } else if (s.op === 'disconnect') track(c.disconnect());
            else if (s.op === 'quit') track(c.quit());
            else await new Promise((r) => setTimeout(r, 10));
          }
          // Bounded wait: a hang fails the property instead of the whole run.
          let timer: ReturnType<typeof setTimeout> | undefined;
          const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 20_000)));
          const outcome = await Promise.race([Promise.all(all).then(() => 'done' as const), hung]);
          clearTimeout(timer);
          await c.disconnect();
          expect(outcome).toBe('done');
          expect(settled).toBe(all.length);
          expect(untyped).toBe(0);
        },
      ),
      { numRuns: 15 },
    );
  }, 240_000);
});
