// The context's state machine against a scripted connection: bytes written are
// recorded, replies are fed by hand. No reactor, no server; the same
// behaviour against a real redis-server is in redis.spec.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChainBuffer } from '@reactor-ts/buffer';
import { encodeCommand, REDIS_REPLY_NIL, type RedisReply } from '@reactor-ts/resp';
import {
  REDIS_CONNECTED,
  REDIS_ERR,
  REDIS_ERR_EOF,
  REDIS_ERR_OTHER,
  REDIS_ERR_PROTOCOL,
  REDIS_ERR_TIMEOUT,
  REDIS_MONITORING,
  REDIS_OK,
  REDIS_SUBSCRIBED,
} from './constants.js';
import {
  redisAsyncCommand,
  redisAsyncCommandArgv,
  redisAsyncConnectWithOptions,
  redisAsyncDisconnect,
  redisAsyncFormattedCommand,
  redisAsyncFree,
  redisAsyncSetConnectCallback,
  redisAsyncSetDisconnectCallback,
  redisAsyncSetPushCallback,
  redisAsyncSetTimeout,
  type RedisAsyncContext,
  type RedisAsyncOptions,
} from './context.js';
import { engineOf } from './engine.js';

interface Harness {
  ac: RedisAsyncContext;
  /** Everything written to the connection so far, as text. */
  wire(): string;
  /** Feeds bytes as if they arrived from the server. */
  feed(text: string): void;
  /** The socket connected (the reactor's EV_WRITE after connect). */
  connect(): void;
  eof(): void;
  hooks: string[];
  timers: number[];
  log: unknown[];
}

function harness(opts: RedisAsyncOptions = {}): Harness {
  const ac = redisAsyncConnectWithOptions(opts);
  const ctx = engineOf(ac);
  const input = new ChainBuffer();
  // The connection's output queue, never drained: everything written so far.
  const output = new ChainBuffer();
  const hooks: string[] = [];
  const timers: number[] = [];
  const log: unknown[] = [];
  redisAsyncSetConnectCallback(ac, (_c, status) => log.push(['connect', status]));
  redisAsyncSetDisconnectCallback(ac, (_c, status) => log.push(['disconnect', status]));
  ctx.attach(
    { in: input, out: () => output, queued: () => {} },
    {
      addRead: () => hooks.push('addRead'),
      delRead: () => hooks.push('delRead'),
      addWrite: () => hooks.push('addWrite'),
      delWrite: () => hooks.push('delWrite'),
      cleanup: () => hooks.push('cleanup'),
      scheduleTimer: (ms) => timers.push(ms),
      data: {},
    },
    3,
  );
  return {
    ac,
    wire: () => Buffer.concat(output.peek()).toString('latin1'),
    feed: (text) => {
      input.add(text);
      ctx.handleRead();
    },
    connect: () => ctx.handleWrite(),
    eof: () => ctx.handleError('EOF', 'connection closed by peer'),
    hooks,
    timers,
    log,
  };
}

/** A callback that records `[tag, str|integer|null]`. */
function rec(log: unknown[], tag: string) {
  const show = (r: RedisReply): unknown =>
    r.type === REDIS_REPLY_NIL ? 'nil' : r.elements > 0 ? r.element.map(show) : (r.str ?? r.integer);
  return (_ac: RedisAsyncContext, r: RedisReply | null) => log.push([tag, r === null ? null : show(r)]);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('connecting', () => {
  it('queues commands until the socket connects, then sends them in order', () => {
    const h = harness();
    expect(h.hooks).toEqual(['addRead', 'addWrite']);
    redisAsyncCommand(h.ac, rec(h.log, 'a'), null, 'SET k %s', 'v');
    redisAsyncCommandArgv(h.ac, rec(h.log, 'b'), null, ['GET', 'k']);
    expect(h.wire()).toBe('');
    h.connect();
    expect(h.wire()).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
    expect(h.hooks).toEqual(['addRead', 'addWrite', 'delWrite']);
    expect(h.ac.c.flags & REDIS_CONNECTED).toBe(REDIS_CONNECTED);
    h.feed('+OK\r\n$1\r\nv\r\n');
    expect(h.log).toEqual([['connect', REDIS_OK], ['a', 'OK'], ['b', 'v']]);
  });

  it('sends AUTH, HELLO 3, SELECT and CLIENT SETNAME first and holds user commands until all succeed', () => {
    const h = harness({ username: 'u', password: 'p', protocol: 3, db: 2, name: 'me' });
    redisAsyncCommand(h.ac, rec(h.log, 'ping'), null, 'PING');
    h.connect();
    expect(h.wire()).toBe(
      Buffer.concat([
        encodeCommand(['AUTH', 'u', 'p']),
        encodeCommand(['HELLO', '3']),
        encodeCommand(['SELECT', 2]),
        encodeCommand(['CLIENT', 'SETNAME', 'me']),
      ]).toString('latin1'),
    );
    h.feed('+OK\r\n%1\r\n+proto\r\n:3\r\n+OK\r\n');
    expect(h.log).toEqual([]);
    expect(h.wire()).not.toContain('PING');
    h.feed('+OK\r\n');
    expect(h.log).toEqual([['connect', REDIS_OK]]);
    expect(h.wire().endsWith('*1\r\n$4\r\nPING\r\n')).toBe(true);
    h.feed('+PONG\r\n');
    expect(h.log).toEqual([['connect', REDIS_OK], ['ping', 'PONG']]);
  });

  it('a refused handshake is a connect failure with the server text, and user commands are never sent', () => {
    const h = harness({ password: 'wrong' });
    redisAsyncCommand(h.ac, rec(h.log, 'get'), null, 'GET k');
    h.connect();
    h.feed('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    expect(h.ac.err).toBe(REDIS_ERR_OTHER);
    expect(h.ac.errstr).toBe('WRONGPASS invalid username-password pair or user is disabled.');
    expect(h.log).toEqual([['connect', REDIS_ERR], ['get', null]]);
    expect(h.wire()).not.toContain('GET');
    expect(h.hooks).toContain('cleanup');
  });

  it('connect and disconnect callbacks can be set once', () => {
    const h = harness();
    expect(redisAsyncSetConnectCallback(h.ac, () => {})).toBe(REDIS_ERR);
    expect(redisAsyncSetDisconnectCallback(h.ac, () => {})).toBe(REDIS_ERR);
  });

  it('bad options give a context with err set that refuses commands', () => {
    const ac = redisAsyncConnectWithOptions({ port: 70000 });
    expect(ac.err).toBe(REDIS_ERR_OTHER);
    expect(ac.errstr).toMatch(/port must be an integer/);
    expect(redisAsyncCommand(ac, null, null, 'PING')).toBe(REDIS_ERR);
    expect(ac.commandErrstr).toMatch(/closed/);
  });
});

describe('replies', () => {
  it('reach callbacks in FIFO order; error replies are replies; cb may be null', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(h.ac, rec(h.log, '1'), null, 'INCR n');
    redisAsyncCommand(h.ac, null, null, 'INCR n');
    redisAsyncCommand(h.ac, rec(h.log, '3'), null, 'NOSUCH');
    redisAsyncFormattedCommand(h.ac, rec(h.log, '4'), null, encodeCommand(['INCR', 'n']));
    h.feed(':1\r\n:2\r\n-ERR unknown command \'NOSUCH\'\r');
    h.feed('\n:3\r\n');
    expect(h.log).toEqual([['connect', REDIS_OK], ['1', 1], ['3', "ERR unknown command 'NOSUCH'"], ['4', 3]]);
    expect(h.ac.err).toBe(0);
    expect(h.ac.pending).toBe(0);
  });

  it('privdata reaches the callback', () => {
    const h = harness();
    h.connect();
    const seen: unknown[] = [];
    redisAsyncCommand(h.ac, (_ac, _r, p) => seen.push(p), { tag: 7 }, 'PING');
    h.feed('+PONG\r\n');
    expect(seen).toEqual([{ tag: 7 }]);
  });

  it('a bad format string or argv is refused with a reason, and the callback never runs', () => {
    const h = harness();
    expect(redisAsyncCommand(h.ac, rec(h.log, 'x'), null, 'SET %s %s', 'only-one')).toBe(REDIS_ERR);
    expect(h.ac.commandErrstr).toMatch(/takes 2 value/);
    expect(redisAsyncCommandArgv(h.ac, rec(h.log, 'x'), null, [])).toBe(REDIS_ERR);
    expect(h.ac.pending).toBe(0);
  });

  it('an unsolicited error reply (maxclients) ends the context', () => {
    const h = harness();
    h.connect();
    h.feed('-ERR max number of clients reached\r\n');
    expect(h.ac.err).toBe(REDIS_ERR_OTHER);
    expect(h.ac.errstr).toBe('ERR max number of clients reached');
    expect(h.log).toEqual([['connect', REDIS_OK], ['disconnect', REDIS_ERR]]);
  });

  it('a broken stream is REDIS_ERR_PROTOCOL and every pending callback gets null once', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(h.ac, rec(h.log, 'a'), null, 'PING');
    h.feed('?what\r\n');
    expect(h.ac.err).toBe(REDIS_ERR_PROTOCOL);
    expect(h.log).toEqual([['connect', REDIS_OK], ['a', null], ['disconnect', REDIS_ERR]]);
  });

  it('EOF: REDIS_ERR_EOF, pending callbacks get null exactly once, disconnect with REDIS_ERR', () => {
    const h = harness();
    h.connect();
    for (let i = 0; i < 3; i++) redisAsyncCommand(h.ac, rec(h.log, String(i)), null, 'PING');
    h.feed('+PONG\r\n');
    h.eof();
    h.eof();
    expect(h.ac.err).toBe(REDIS_ERR_EOF);
    expect(h.ac.errstr).toBe('Server closed the connection');
    expect(h.log).toEqual([['connect', 0], ['0', 'PONG'], ['1', null], ['2', null], ['disconnect', REDIS_ERR]]);
    expect(redisAsyncCommand(h.ac, null, null, 'PING')).toBe(REDIS_ERR);
  });

  it('QUIT then EOF is a clean disconnect', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(h.ac, rec(h.log, 'quit'), null, 'QUIT');
    h.feed('+OK\r\n');
    h.eof();
    expect(h.ac.err).toBe(0);
    expect(h.log).toEqual([['connect', 0], ['quit', 'OK'], ['disconnect', REDIS_OK]]);
  });
});

describe('disconnect and free', () => {
  it('a throwing callback does not stop the others; the first throw surfaces from the read', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(h.ac, () => {
      throw new Error('boom 1');
    }, null, 'PING');
    redisAsyncCommand(h.ac, () => {
      throw new Error('boom 2');
    }, null, 'PING');
    redisAsyncCommand(h.ac, rec(h.log, 'third'), null, 'PING');
    expect(() => h.feed('+PONG\r\n+PONG\r\n+PONG\r\n')).toThrow('boom 1');
    expect(h.log.at(-1)).toEqual(['third', 'PONG']);
    expect(h.ac.pending).toBe(0);
  });

  it('disconnect before redisAttach fails the queued commands at once', () => {
    const ac = redisAsyncConnectWithOptions({});
    const log: unknown[] = [];
    redisAsyncCommand(ac, rec(log, 'queued'), null, 'PING');
    redisAsyncDisconnect(ac);
    expect(log).toEqual([['queued', null]]);
    expect(ac.err).toBe(REDIS_ERR_OTHER);
  });

  it('disconnect refuses new commands, delivers pending replies, then REDIS_OK', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(h.ac, rec(h.log, 'a'), null, 'PING');
    redisAsyncDisconnect(h.ac);
    expect(redisAsyncCommand(h.ac, rec(h.log, 'late'), null, 'PING')).toBe(REDIS_ERR);
    expect(h.ac.commandErrstr).toMatch(/disconnecting/);
    expect(h.hooks).not.toContain('cleanup');
    h.feed('+PONG\r\n');
    expect(h.log).toEqual([['connect', 0], ['a', 'PONG'], ['disconnect', REDIS_OK]]);
    expect(h.hooks).toContain('cleanup');
    expect(h.ac.err).toBe(0);
  });

  it('free is immediate: every pending callback once with null and err set', () => {
    const h = harness();
    h.connect();
    let cleaned: unknown = undefined;
    h.ac.data = 'mine';
    h.ac.dataCleanup = (d) => (cleaned = d);
    for (let i = 0; i < 3; i++) redisAsyncCommand(h.ac, rec(h.log, String(i)), null, 'PING');
    redisAsyncFree(h.ac);
    expect(h.ac.err).not.toBe(0);
    expect(h.log).toEqual([['connect', 0], ['0', null], ['1', null], ['2', null], ['disconnect', REDIS_OK]]);
    expect(cleaned).toBe('mine');
    h.feed('+PONG\r\n');
    redisAsyncFree(h.ac);
    expect(h.log).toHaveLength(5);
  });

  it('free inside a callback waits until that callback returns', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(
      h.ac,
      () => {
        h.log.push('cb1 start');
        redisAsyncFree(h.ac);
        h.log.push('cb1 end');
      },
      null,
      'PING',
    );
    redisAsyncCommand(h.ac, rec(h.log, 'cb2'), null, 'PING');
    redisAsyncCommand(h.ac, rec(h.log, 'cb3'), null, 'PING');
    h.feed('+PONG\r\n+PONG\r\n+PONG\r\n');
    expect(h.log).toEqual([['connect', 0], 'cb1 start', 'cb1 end', ['cb2', null], ['cb3', null], ['disconnect', 0]]);
  });

  it('disconnect inside a callback lets the remaining replies arrive', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(h.ac, () => redisAsyncDisconnect(h.ac), null, 'PING');
    redisAsyncCommand(h.ac, rec(h.log, 'cb2'), null, 'PING');
    h.feed('+PONG\r\n');
    expect(h.hooks).not.toContain('cleanup');
    h.feed('+PONG\r\n');
    expect(h.log).toEqual([['connect', 0], ['cb2', 'PONG'], ['disconnect', 0]]);
  });
});

describe('timeouts', () => {
  it('a command deadline arms the hook timer; when it passes every pending command fails', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const h = harness({ commandTimeout: 100 });
    h.connect();
    redisAsyncCommand(h.ac, rec(h.log, 'slow'), null, 'BLPOP q 0');
    redisAsyncSetTimeout(h.ac, 0);
    redisAsyncCommand(h.ac, rec(h.log, 'other'), null, 'PING');
    expect(h.timers).toEqual([100]);
    // Fired early: nothing expired, re-armed for the rest.
    vi.advanceTimersByTime(60);
    engineOf(h.ac).handleTimeout();
    expect(h.ac.err).toBe(0);
    expect(h.timers).toEqual([100, 40]);
    vi.advanceTimersByTime(40);
    engineOf(h.ac).handleTimeout();
    expect(h.ac.err).toBe(REDIS_ERR_TIMEOUT);
    expect(h.ac.errstr).toBe('Timeout');
    expect(h.log).toEqual([['connect', 0], ['slow', null], ['other', null], ['disconnect', REDIS_ERR]]);
    expect(h.timers.at(-1)).toBe(-1);
  });

  it('the connect timeout covers the handshake', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const h = harness({ connectTimeout: 50, password: 'p' });
    expect(h.timers).toEqual([50]);
    h.connect();
    vi.advanceTimersByTime(50);
    engineOf(h.ac).handleTimeout();
    expect(h.ac.err).toBe(REDIS_ERR_TIMEOUT);
    expect(h.log).toEqual([['connect', REDIS_ERR]]);
  });
});

describe('timeouts once connected', () => {
  it('the connect timer is cancelled when the handshake is done; a command deadline keeps its own', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const h = harness({ connectTimeout: 5000, password: 'p' });
    expect(h.timers).toEqual([5000]);
    h.connect();
    h.feed('+OK\r\n'); // AUTH answered: connected
    expect(h.log).toEqual([['connect', 0]]);
    expect(h.timers.at(-1)).toBe(-1); // nothing left to time

    const g = harness({ connectTimeout: 5000, commandTimeout: 300, password: 'p' });
    redisAsyncCommand(g.ac, rec(g.log, 'queued'), null, 'PING'); // deadline in 300 ms, before the connect's
    g.connect();
    vi.advanceTimersByTime(100);
    g.feed('+OK\r\n');
    // Armed for the command's earlier deadline when it was queued; kept, not cancelled.
    expect(g.timers).toEqual([5000, 300]);
    vi.advanceTimersByTime(200);
    engineOf(g.ac).handleTimeout();
    expect(g.ac.err).toBe(REDIS_ERR_TIMEOUT);
    vi.useRealTimers();
  });
});

describe('subscribed mode', () => {
  it('RESP2: per-channel callbacks, other commands refused, leaving when the count reaches 0', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(h.ac, rec(h.log, 'news'), null, 'SUBSCRIBE news sport');
    expect(h.ac.c.flags & REDIS_SUBSCRIBED).toBe(REDIS_SUBSCRIBED);
    expect(redisAsyncCommand(h.ac, rec(h.log, 'get'), null, 'GET k')).toBe(REDIS_ERR);
    expect(h.ac.commandErrstr).toMatch(/RESP2 subscribed mode/);
    expect(redisAsyncCommand(h.ac, rec(h.log, 'ping'), null, 'PING')).toBe(REDIS_OK);
    h.feed('*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n');
    h.feed('*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n');
    h.feed('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    expect(h.log.slice(1)).toEqual([
      ['news', ['subscribe', 'news', 1]],
      ['news', ['subscribe', 'sport', 2]],
      ['news', ['message', 'news', 'hi']],
      ['ping', ['pong', '']],
    ]);
    redisAsyncCommand(h.ac, rec(h.log, 'unsub'), null, 'UNSUBSCRIBE');
    h.feed('*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n');
    expect(h.log.at(-1)).toEqual(['news', ['unsubscribe', 'news', 1]]);
    expect(h.ac.c.flags & REDIS_SUBSCRIBED).toBe(REDIS_SUBSCRIBED);
    h.feed('*3\r\n$11\r\nunsubscribe\r\n$5\r\nsport\r\n:0\r\n');
    expect(h.ac.c.flags & REDIS_SUBSCRIBED).toBe(0);
    expect(redisAsyncCommand(h.ac, rec(h.log, 'get'), null, 'GET k')).toBe(REDIS_OK);
    h.feed('$-1\r\n');
    expect(h.log.at(-1)).toEqual(['get', 'nil']);
    // UNSUBSCRIBE's own callback: once, with its last confirmation.
    expect(h.log.filter((x) => Array.isArray(x) && x[0] === 'unsub')).toEqual([
      ['unsub', ['unsubscribe', 'sport', 0]],
    ]);
  });

  it('a refused SUBSCRIBE gets the error reply and its channels are dropped; the context lives on', () => {
    const h = harness({ protocol: 3 });
    h.connect();
    h.feed('%0\r\n');
    redisAsyncCommand(h.ac, rec(h.log, 'sub'), null, 'SUBSCRIBE secret');
    redisAsyncCommand(h.ac, rec(h.log, 'get'), null, 'GET k');
    h.feed("-NOPERM this user has no permissions to access the 'secret' channel\r\n");
    h.feed('>3\r\n$7\r\nmessage\r\n$6\r\nsecret\r\n$1\r\nx\r\n');
    h.feed('$1\r\nv\r\n');
    expect(h.log.slice(1)).toEqual([
      ['sub', "NOPERM this user has no permissions to access the 'secret' channel"],
      ['get', 'v'],
    ]);
    expect(h.ac.err).toBe(0);
  });

  it('UNSUBSCRIBE without names when nothing is subscribed expects one confirmation', () => {
    const h = harness({ protocol: 3 });
    h.connect();
    h.feed('%0\r\n');
    redisAsyncCommand(h.ac, rec(h.log, 'unsub'), null, 'UNSUBSCRIBE');
    redisAsyncCommand(h.ac, rec(h.log, 'get'), null, 'GET k');
    h.feed('>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n$1\r\nv\r\n');
    expect(h.log.slice(1)).toEqual([
      ['unsub', ['unsubscribe', 'nil', 0]],
      ['get', 'v'],
    ]);
  });

  it('RESP3: pub/sub pushes go to channel callbacks, other pushes to the push callback, commands still work', () => {
    const h = harness({ protocol: 3 });
    h.connect();
    h.feed('%0\r\n');
    const pushes: unknown[] = [];
    redisAsyncSetPushCallback(h.ac, (_ac, r) => pushes.push(r.element[0]?.str));
    const msgs: unknown[] = [];
    redisAsyncCommand(h.ac, (_ac, r) => msgs.push(r?.element.map((e) => e.str ?? e.integer)), null, 'SUBSCRIBE ch');
    expect(redisAsyncCommand(h.ac, rec(h.log, 'get'), null, 'GET k')).toBe(REDIS_OK);
    h.feed('>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    h.feed('>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n');
    h.feed('$1\r\nv\r\n');
    h.feed('>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nhey\r\n');
    expect(msgs).toEqual([['subscribe', 'ch', 1], ['message', 'ch', 'hey']]);
    expect(pushes).toEqual(['invalidate']);
    expect(h.log.at(-1)).toEqual(['get', 'v']);
  });

  it('MONITOR: the callback gets the OK and then every line', () => {
    const h = harness();
    h.connect();
    redisAsyncCommand(h.ac, rec(h.log, 'mon'), null, 'MONITOR');
    h.feed('+OK\r\n');
    expect(h.ac.c.flags & REDIS_MONITORING).toBe(REDIS_MONITORING);
    h.feed('+1700000000.1 [0 127.0.0.1:1] "get" "a"\r\n+1700000000.2 [0 127.0.0.1:1] "set" "a" "b"\r\n');
    expect(h.log.slice(1)).toEqual([
      ['mon', 'OK'],
      ['mon', '1700000000.1 [0 127.0.0.1:1] "get" "a"'],
      ['mon', '1700000000.2 [0 127.0.0.1:1] "set" "a" "b"'],
    ]);
    redisAsyncFree(h.ac);
    expect(h.log.at(-2)).toEqual(['mon', null]);
  });
});
