// RESP3 replies, pub/sub (RESP2 and RESP3), push frames and MONITOR, from a
// real redis-server started for this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import {
  PushFrame,
  REDIS_REPLY_ARRAY,
  REDIS_REPLY_BIGNUM,
  REDIS_REPLY_BOOL,
  REDIS_REPLY_DOUBLE,
  REDIS_REPLY_MAP,
  REDIS_REPLY_NIL,
  REDIS_REPLY_PUSH,
  REDIS_REPLY_SET,
  REDIS_REPLY_STRING,
  REDIS_REPLY_VERB,
  type RedisReply,
} from '@reactor-ts/resp';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { redisAttach } from './attach.js';
import { REDIS_ERR, REDIS_MONITORING, REDIS_OK, REDIS_SUBSCRIBED } from './constants.js';
import {
  redisAsyncCommand,
  redisAsyncConnectWithOptions,
  redisAsyncFree,
  redisAsyncSetPushCallback,
  type RedisAsyncContext,
  type RedisAsyncOptions,
} from './context.js';
import { runLoop } from '../test/helpers.js';

let srv: RedisServer;
beforeAll(async () => {
  srv = await startRedis({
    enableDebug: true,
    users: [{ name: 'limited', password: 'pw', rules: '~* resetchannels &public* +@all' }],
  });
});
afterAll(() => srv.stop());

function open<R = RedisReply>(r: Reactor, opts: RedisAsyncOptions = {}): RedisAsyncContext<R> {
  const ac = redisAsyncConnectWithOptions<R>({ port: srv.port, ...opts });
  expect(redisAttach(r, ac)).toBe(REDIS_OK);
  return ac;
}

/** Runs `script(done)` on a fresh reactor until it calls done(). */
async function scenario(script: (r: Reactor, done: () => void) => void): Promise<void> {
  const r = createReactor();
  script(r, () => r.stopEventloop());
  try {
    await runLoop(r, 20_000);
  } finally {
    r.release();
  }
}

describe('RESP3 replies from the server (HELLO 3)', () => {
  it('maps, sets, doubles, booleans, big numbers, verbatim strings, nulls, attributes and push', async () => {
    const got: Record<string, RedisReply | null> = {};
    const pushes: RedisReply[] = [];
    await scenario((r, done) => {
      const ac = open(r, { protocol: 3 });
      redisAsyncSetPushCallback(ac, (_c, reply) => pushes.push(reply));
      const kinds = ['map', 'set', 'double', 'bignum', 'true', 'false', 'verbatim', 'null', 'attrib', 'push'];
      for (const k of kinds) redisAsyncCommand(ac, (_c, rep) => (got[k] = rep), null, 'DEBUG PROTOCOL %s', k);
      redisAsyncCommand(ac, null, null, 'HSET h f1 v1 f2 v2');
      redisAsyncCommand(ac, (_c, rep) => (got['hgetall'] = rep), null, 'HGETALL h');
      redisAsyncCommand(ac, null, null, 'ZADD z 1.5 m');
      redisAsyncCommand(ac, (_c, rep) => {
        got['zscore'] = rep;
        redisAsyncFree(ac);
        done();
      }, null, 'ZSCORE z m');
    });
    expect(got['map']!.type).toBe(REDIS_REPLY_MAP);
    expect(got['map']!.elements).toBe(got['map']!.element.length);
    expect(got['set']!.type).toBe(REDIS_REPLY_SET);
    expect(got['double']!.type).toBe(REDIS_REPLY_DOUBLE);
    expect(got['double']!.dval).toBeCloseTo(3.141, 3);
    expect(got['bignum']!.type).toBe(REDIS_REPLY_BIGNUM);
    expect(got['bignum']!.str).toMatch(/^\d{30,}$/);
    expect([got['true']!.type, got['true']!.integer]).toEqual([REDIS_REPLY_BOOL, 1]);
    expect([got['false']!.type, got['false']!.integer]).toEqual([REDIS_REPLY_BOOL, 0]);
    expect(got['verbatim']!.type).toBe(REDIS_REPLY_VERB);
    expect(got['verbatim']!.vtype).toBe('txt');
    expect(got['null']!.type).toBe(REDIS_REPLY_NIL);
    expect(got['attrib']!.type).toBe(REDIS_REPLY_STRING);
    expect(got['attrib']!.attributes).toBeDefined();
    // DEBUG PROTOCOL push sends a push frame, then the command's own reply.
    expect(got['push']!.type).not.toBe(REDIS_REPLY_PUSH);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.type).toBe(REDIS_REPLY_PUSH);
    expect(got['hgetall']!.type).toBe(REDIS_REPLY_MAP);
    expect(got['hgetall']!.element.map((e) => e.str)).toEqual(['f1', 'v1', 'f2', 'v2']);
    expect(got['zscore']!.type).toBe(REDIS_REPLY_DOUBLE);
    expect(got['zscore']!.dval).toBe(1.5);
  });

  it("replies: 'native' gives plain JS values (for the promise client)", async () => {
    const got: unknown[] = [];
    await scenario((r, done) => {
      const ac = open<unknown>(r, { protocol: 3, replies: 'native' });
      redisAsyncCommand(ac, null, null, 'HSET hn a 1');
      redisAsyncCommand(ac, (_c, rep) => got.push(rep), null, 'HGETALL hn');
      redisAsyncCommand(ac, (_c, rep) => got.push(rep), null, 'NOSUCH');
      redisAsyncCommand(ac, (_c, rep) => {
        got.push(rep);
        redisAsyncFree(ac);
        done();
      }, null, 'DEBUG PROTOCOL true');
    });
    expect(got[0]).toEqual(new Map([['a', '1']]));
    expect(got[1]).toBeInstanceOf(Error);
    expect((got[1] as Error).message).toMatch(/^ERR unknown command 'NOSUCH'/);
    expect(got[2]).toBe(true);
  });

  it('client-side caching invalidations reach the push callback', async () => {
    const pushes: unknown[] = [];
    await scenario((r, done) => {
      const ac = open<unknown>(r, { protocol: 3, replies: 'native' });
      const writer = open(r);
      redisAsyncSetPushCallback(ac, (_c, push) => {
        pushes.push(push);
        redisAsyncFree(ac);
        redisAsyncFree(writer);
        done();
      });
      redisAsyncCommand(ac, null, null, 'CLIENT TRACKING on');
      redisAsyncCommand(ac, () => redisAsyncCommand(writer, null, null, 'SET tracked 2'), null, 'GET tracked');
    });
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toBeInstanceOf(PushFrame);
    expect((pushes[0] as PushFrame).kind).toBe('invalidate');
  });

  it('pub/sub in RESP3: messages arrive as pushes and ordinary commands still work', async () => {
    const messages: string[] = [];
    let get: RedisReply | null = null;
    await scenario((r, done) => {
      const sub = open(r, { protocol: 3 });
      const pub = open(r);
      redisAsyncCommand(sub, (_c, rep) => {
        if (rep === null) return;
        expect(rep.type).toBe(REDIS_REPLY_PUSH);
        messages.push(rep.element.map((e) => e.str ?? String(e.integer)).join(' '));
        if (rep.element[0]!.str === 'subscribe') {
          redisAsyncCommand(sub, (_c2, g) => {
            get = g;
            redisAsyncCommand(pub, null, null, 'PUBLISH news3 hello');
          }, null, 'GET nothing');
        } else if (rep.element[0]!.str === 'message') {
          redisAsyncCommand(sub, null, null, 'UNSUBSCRIBE news3');
        } else {
          redisAsyncFree(sub);
          redisAsyncFree(pub);
          done();
        }
      }, null, 'SUBSCRIBE news3');
    });
    expect(messages).toEqual(['subscribe news3 1', 'message news3 hello', 'unsubscribe news3 0']);
    expect(get!.type).toBe(REDIS_REPLY_NIL);
  });
});

describe('pub/sub in RESP2 (subscribed mode)', () => {
  it('per-channel and per-pattern callbacks; other commands refused; leaves the mode at count 0', async () => {
    const log: string[] = [];
    let refused = '';
    let afterwards: RedisReply | null = null;
    await scenario((r, done) => {
      const sub = open(r);
      const pub = open(r);
      const show = (tag: string) => (_c: RedisAsyncContext, rep: RedisReply | null) => {
        if (rep === null) return;
        expect(rep.type).toBe(REDIS_REPLY_ARRAY);
        const line = rep.element.map((e) => e.str ?? String(e.integer)).join(' ');
        log.push(`${tag}: ${line}`);
        if (line === 'punsubscribe n* 0') {
          // Count 0: subscribed mode is over, ordinary commands work again.
          expect(sub.c.flags & REDIS_SUBSCRIBED).toBe(0);
          redisAsyncCommand(sub, (_c2, got) => {
            afterwards = got;
            redisAsyncFree(sub);
            redisAsyncFree(pub);
            done();
          }, null, 'GET k');
        }
      };
      redisAsyncCommand(sub, show('ch'), null, 'SUBSCRIBE a b');
      redisAsyncCommand(sub, show('pat'), null, 'PSUBSCRIBE n*');
      expect(sub.c.flags & REDIS_SUBSCRIBED).toBe(REDIS_SUBSCRIBED);
      expect(redisAsyncCommand(sub, null, null, 'GET k')).toBe(REDIS_ERR);
      refused = sub.commandErrstr;
      redisAsyncCommand(sub, (_c, pong) => {
        log.push(`ping: ${pong!.element.map((e) => e.str).join(' ')}`);
        redisAsyncCommand(pub, null, null, 'PUBLISH a one');
        redisAsyncCommand(pub, null, null, 'PUBLISH news two');
        redisAsyncCommand(pub, () => {
          redisAsyncCommand(sub, null, null, 'UNSUBSCRIBE');
          redisAsyncCommand(sub, null, null, 'PUNSUBSCRIBE');
          // Still subscribed until the server's count reaches 0.
          expect(redisAsyncCommand(sub, null, null, 'GET k')).toBe(REDIS_ERR);
        }, null, 'PING');
      }, null, 'PING');
    });
    expect(refused).toMatch(/subscribed mode/);
    expect(log).toEqual([
      'ch: subscribe a 1',
      'ch: subscribe b 2',
      'pat: psubscribe n* 3',
      'ping: pong ',
      'ch: message a one',
      'pat: pmessage n* news two',
      // UNSUBSCRIBE with no channel: the server's order (its dict's).
      expect.stringMatching(/^ch: unsubscribe [ab] 2$/),
      expect.stringMatching(/^ch: unsubscribe [ab] 1$/),
      'pat: punsubscribe n* 0',
    ]);
    expect(afterwards!.type).toBe(REDIS_REPLY_NIL);
  });
});

describe('a SUBSCRIBE the server refuses (ACL)', () => {
  for (const protocol of [2, 3] as const) {
    it(`RESP${protocol}: the callback gets NOPERM, the context stays usable`, async () => {
      const got: string[] = [];
      await scenario((r, done) => {
        const ac = open(r, { protocol, username: 'limited', password: 'pw' });
        redisAsyncCommand(ac, (_c, rep) => got.push(rep?.str ?? 'null'), null, 'SUBSCRIBE secret');
        redisAsyncCommand(ac, (_c, rep) => {
          got.push(rep!.element.map((e) => e.str ?? String(e.integer)).join(' '));
          redisAsyncCommand(ac, null, null, 'UNSUBSCRIBE');
        }, null, 'SUBSCRIBE public1');
        const poll = (): void => {
          if ((ac.c.flags & REDIS_SUBSCRIBED) !== 0) {
            r.addTimer(5, poll);
            return;
          }
          redisAsyncCommand(ac, (_c, rep) => {
            got.push(rep!.str!);
            redisAsyncFree(ac);
            done();
          }, null, 'ECHO %s', 'alive');
        };
        r.addTimer(5, poll);
      });
      expect(got[0]).toMatch(/^NOPERM/);
      expect(got.slice(1)).toEqual(['subscribe public1 1', 'unsubscribe public1 0', 'alive']);
    });
  }
});

describe('MONITOR', () => {
  it('calls the callback for every line', async () => {
    const lines: string[] = [];
    await scenario((r, done) => {
      const mon = open(r);
      const other = open(r);
      redisAsyncCommand(mon, (_c, rep) => {
        if (rep === null) return;
        lines.push(rep.str!);
        if (rep.str === 'OK') {
          expect(mon.c.flags & REDIS_MONITORING).toBe(REDIS_MONITORING);
          redisAsyncCommand(other, null, null, 'SET monitored 1');
          redisAsyncCommand(other, null, null, 'GET monitored');
        } else if (lines.length === 3) {
          redisAsyncFree(mon);
          redisAsyncFree(other);
          done();
        }
      }, null, 'MONITOR');
    });
    expect(lines[0]).toBe('OK');
    expect(lines[1]).toMatch(/"SET" "monitored" "1"$/i);
    expect(lines[2]).toMatch(/"GET" "monitored"$/i);
  });
});
