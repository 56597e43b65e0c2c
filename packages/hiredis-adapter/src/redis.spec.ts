// The asynchronous context attached to a real reactor, against a real
// redis-server started for this file: the article's counter, pipelining,
// binary safety, write coalescing (measured), and every failure path.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReactor, EV_READ, EV_WRITE, type Reactor } from '@reactor-ts/reactor';
import { REDIS_REPLY_ERROR, REDIS_REPLY_STRING, type RedisReply } from '@reactor-ts/resp';
import { getFreePort, RespConnection, startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { redisAttach, type RedisReactorAttachment } from './attach.js';
import {
  REDIS_ERR,
  REDIS_ERR_EOF,
  REDIS_ERR_IO,
  REDIS_ERR_OTHER,
  REDIS_ERR_TIMEOUT,
  REDIS_OK,
} from './constants.js';
import {
  redisAsyncCommand,
  redisAsyncCommandArgv,
  redisAsyncConnect,
  redisAsyncConnectUnix,
  redisAsyncConnectWithOptions,
  redisAsyncDisconnect,
  redisAsyncFree,
  redisAsyncSetConnectCallback,
  redisAsyncSetDisconnectCallback,
  redisAsyncSetStringMode,
  type RedisAsyncContext,
  type RedisAsyncOptions,
} from './context.js';
import { runLoop } from '../test/helpers.js';

interface Attached {
  ac: RedisAsyncContext;
  events: Array<[string, number]>;
}

/** A context attached to `r`, recording its connect/disconnect statuses. */
function attach(r: Reactor, opts: RedisAsyncOptions, onDown?: () => void): Attached {
  const ac = redisAsyncConnectWithOptions(opts);
  const events: Array<[string, number]> = [];
  redisAsyncSetConnectCallback(ac, (_c, status) => {
    events.push(['connect', status]);
    if (status !== REDIS_OK) onDown?.();
  });
  redisAsyncSetDisconnectCallback(ac, (_c, status) => {
    events.push(['disconnect', status]);
    onDown?.();
  });
  expect(redisAttach(r, ac)).toBe(REDIS_OK);
  return { ac, events };
}

function attachmentOf(ac: RedisAsyncContext): RedisReactorAttachment {
  return ac.ev.data as RedisReactorAttachment;
}

/** Sends `text` over a raw connection and returns the first `lines` reply lines. */
async function rawExchange(port: number, text: string, lines: number): Promise<string[]> {
  const c = await RespConnection.open(port);
  try {
    const got = await c.raw(text, (g) => g.split('\r\n').length > lines);
    return got.split('\r\n').slice(0, lines);
  } finally {
    c.close();
  }
}

let srv: RedisServer;
beforeAll(async () => {
  srv = await startRedis({ password: 'secret', users: [{ name: 'alice', password: 'wonder' }] });
});
afterAll(() => srv.stop());

describe('commands against redis-server', () => {
  it("runs the article's counter: AUTH, then 1000 INCR -> 1000", async () => {
    const r = createReactor();
    const ac = redisAsyncConnect('127.0.0.1', srv.port);
    expect(redisAttach(r, ac)).toBe(REDIS_OK);
    expect(redisAttach(r, ac)).toBe(REDIS_ERR);
    const statuses: number[] = [];
    redisAsyncSetConnectCallback(ac, (_c, s) => statuses.push(s));
    redisAsyncCommand(ac, null, null, 'auth %s', 'secret');
    redisAsyncCommand(ac, null, null, 'DEL counter');
    let last: RedisReply | null = null;
    for (let i = 0; i < 1000; i++) redisAsyncCommand(ac, (_c, reply) => (last = reply), 'count', 'INCR counter');
    redisAsyncCommand(ac, () => redisAsyncDisconnect(ac), null, 'PING');
    redisAsyncSetDisconnectCallback(ac, (_c, s) => {
      statuses.push(s);
      r.stopEventloop();
    });
    await runLoop(r);
    expect(last!.integer).toBe(1000);
    expect(statuses).toEqual([REDIS_OK, REDIS_OK]);
    r.release();
  });

  it('100,000 pipelined INCR: every reply, in order', async () => {
    const r = createReactor();
    const { ac } = attach(r, { port: srv.port, password: 'secret' }, () => r.stopEventloop());
    redisAsyncCommand(ac, null, null, 'DEL pipelined');
    const N = 100_000;
    let next = 1;
    let wrong = 0;
    for (let i = 0; i < N; i++) {
      redisAsyncCommand(
        ac,
        (_c, reply) => {
          if (reply?.integer !== next) wrong++;
          next++;
          if (next > N) redisAsyncDisconnect(ac);
        },
        null,
        'INCR pipelined',
      );
    }
    await runLoop(r, 60_000);
    expect(wrong).toBe(0);
    expect(next).toBe(N + 1);
    r.release();
  });

  it('redisAsyncSetStringMode reads the replies of the commands issued under it as Buffers, the others as strings', async () => {
    const r = createReactor();
    const ac = redisAsyncConnectWithOptions<unknown>({ port: srv.port, password: 'secret', replies: 'native' });
    redisAsyncSetDisconnectCallback(ac, () => r.stopEventloop());
    expect(redisAttach(r, ac)).toBe(REDIS_OK);
    const bin = Buffer.from([0xff, 0x00, 0x80]);
    const got: unknown[] = [];
    const keep = (_c: unknown, reply: unknown): void => void got.push(reply);
    redisAsyncCommandArgv(ac, null, null, ['SET', 'sm:bin', bin]);
    for (let i = 0; i < 3; i++) {
      redisAsyncCommandArgv(ac, keep, null, ['GET', 'sm:bin']);
      expect(redisAsyncSetStringMode(ac, 'buffer')).toBe(REDIS_OK);
      redisAsyncCommandArgv(ac, keep, null, ['MGET', 'sm:bin', 'sm:none']);
      expect(redisAsyncSetStringMode(ac, null)).toBe(REDIS_OK);
    }
    redisAsyncCommandArgv(ac, () => redisAsyncDisconnect(ac), null, ['PING']);
    await runLoop(r);
    const text = bin.toString('utf8');
    expect(got).toEqual([text, [bin, null], text, [bin, null], text, [bin, null]]);
    expect(redisAsyncSetStringMode(ac, 'nope' as 'buffer')).toBe(REDIS_ERR);
    r.release();
  });

  it('every command issued in one batch leaves in ONE socket write (measured below the socket)', async () => {
    const r = createReactor();
    const { ac } = attach(r, { port: srv.port, password: 'secret' }, () => r.stopEventloop());
    // Count what the socket hands to libuv: each _write / _writev call is one
    // write request (one write/writev syscall), whatever the reactor does
    // above it (one Buffer, or cork + several views).
    type WriteCb = (err?: Error | null) => void;
    const stream = attachmentOf(ac).e.socket as unknown as {
      _write(chunk: Buffer, encoding: string, cb: WriteCb): void;
      _writev(chunks: Array<{ chunk: Buffer }>, cb: WriteCb): void;
    };
    const writes: number[] = [];
    const write1 = stream._write.bind(stream);
    const writev = stream._writev.bind(stream);
    stream._write = (chunk, encoding, cb) => {
      writes.push(chunk.length);
      write1(chunk, encoding, cb);
    };
    stream._writev = (chunks, cb) => {
      writes.push(chunks.reduce((n, c) => n + c.chunk.length, 0));
      writev(chunks, cb);
    };
    const one = Buffer.byteLength('*2\r\n$4\r\nINCR\r\n$9\r\ncoalesced\r\n');
    // Issued before the connection exists: AUTH goes first, the 1000 INCRs
    // wait for its OK and then leave together.
    let done = 0;
    for (let i = 0; i < 1000; i++) redisAsyncCommand(ac, () => done++, null, 'INCR coalesced');
    let inBatch: number[] = [];
    redisAsyncCommand(
      ac,
      () => {
        // Inside a reply callback, i.e. during a reactor batch.
        inBatch = writes.slice();
        for (let i = 0; i < 500; i++) redisAsyncCommand(ac, () => done++, null, 'INCR coalesced');
        redisAsyncCommand(ac, () => redisAsyncDisconnect(ac), null, 'PING');
      },
      null,
      'PING',
    );
    await runLoop(r);
    expect(done).toBe(1500);
    const auth = Buffer.byteLength('*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n');
    const ping = Buffer.byteLength('*1\r\n$4\r\nPING\r\n');
    expect(inBatch).toEqual([auth, 1000 * one + ping]);
    expect(writes).toEqual([auth, 1000 * one + ping, 500 * one + ping]);
    r.release();
  });

  it('the adapter keeps read interest when write interest goes off (the article replaced the mask)', async () => {
    const r = createReactor();
    const { ac } = attach(r, { port: srv.port, password: 'secret' }, () => r.stopEventloop());
    const att = attachmentOf(ac);
    expect(att.mask).toBe(EV_READ | EV_WRITE);
    let seen: number[] = [];
    redisAsyncCommand(
      ac,
      (_c, reply) => {
        // The connect completed and delWrite ran: read must still be on.
        seen = [att.mask, att.e.mask & EV_READ, Number(reply?.str === 'PONG')];
        ac.ev.delWrite();
        ac.ev.addRead();
        ac.ev.addWrite();
        ac.ev.delWrite();
        redisAsyncCommand(ac, () => redisAsyncDisconnect(ac), null, 'PING');
      },
      null,
      'PING',
    );
    await runLoop(r);
    expect(seen).toEqual([EV_READ, EV_READ, 1]);
    r.release();
  });

  it('an empty mask turns interest off without closing the connection (the article called del_event)', async () => {
    const r = createReactor();
    const { ac } = attach(r, { port: srv.port, password: 'secret' }, () => r.stopEventloop());
    const att = attachmentOf(ac);
    let reply = '';
    redisAsyncCommand(ac, () => {
      ac.ev.delRead();
      ac.ev.delWrite();
      expect([att.mask, att.e.alive, att.e.mask]).toEqual([0, true, 0]);
      redisAsyncCommand(ac, (_c, rep) => {
        reply = rep!.str!;
        redisAsyncDisconnect(ac);
      }, null, 'ECHO %s', 'still-here');
      // Replies wait in the kernel until read interest is back.
      r.addTimer(50, () => ac.ev.addRead());
    }, null, 'PING');
    await runLoop(r);
    expect(reply).toBe('still-here');
    r.release();
  });

  it('is binary-safe: all 256 byte values, and a 10 MiB value', async () => {
    const r = createReactor();
    const { ac } = attach(r, { port: srv.port, password: 'secret', stringMode: 'buffer' }, () =>
      r.stopEventloop(),
    );
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 13)) & 0xff;
    const got: Array<RedisReply | null> = [];
    redisAsyncCommand(ac, null, null, 'SET %b %b', Buffer.from('bin\x00key'), all);
    redisAsyncCommand(ac, (_c, rep) => got.push(rep), null, 'GET %b', Buffer.from('bin\x00key'));
    redisAsyncCommandArgv(ac, null, null, ['SET', 'big', big]);
    redisAsyncCommandArgv(ac, (_c, rep) => got.push(rep), null, ['GET', 'big']);
    redisAsyncCommand(ac, () => redisAsyncDisconnect(ac), null, 'PING');
    await runLoop(r);
    expect(got[0]!.type).toBe(REDIS_REPLY_STRING);
    expect(got[0]!.buf!.equals(all)).toBe(true);
    expect(got[1]!.buf!.length).toBe(big.length);
    expect(got[1]!.buf!.equals(big)).toBe(true);
    r.release();
  });

  it('commands encoded in place into the connected link: every argument kind arrives intact; a bad one is refused and sends nothing', async () => {
    const r = createReactor();
    const { ac } = attach(r, { port: srv.port, password: 'secret' }, () => r.stopEventloop());
    const values: Array<string | Buffer | number> = [
      'plain',
      'héllo wörld €',
      'ü'.repeat(5000), // non-ASCII beyond the in-place room guess: measured exactly
      'a'.repeat(100_000),
      Buffer.from([0, 13, 10, 255]),
      -42.5,
    ];
    const got: Array<string | null> = [];
    let refused = -1;
    let errstr = '';
    // Issued from a reply callback: the link is connected and its out buffer
    // empty, so each command is written straight into it.
    redisAsyncCommand(ac, () => {
      values.forEach((v, i) => redisAsyncCommandArgv(ac, null, null, ['SET', `inplace:${i}`, v]));
      refused = redisAsyncCommandArgv(ac, () => got.push('never'), null, ['SET', 'inplace:bad', { no: 1 } as unknown as string]);
      errstr = ac.commandErrstr;
      values.forEach((_, i) =>
        redisAsyncCommandArgv(ac, (_c, rep) => got.push(rep === null ? null : String(rep.str)), null, ['GET', `inplace:${i}`]),
      );
      redisAsyncCommand(ac, () => redisAsyncDisconnect(ac), null, 'PING');
    }, null, 'PING');
    await runLoop(r);
    expect(refused).toBe(REDIS_ERR);
    expect(errstr).toMatch(/argument/i);
    expect(got).toEqual(values.map((v) => (Buffer.isBuffer(v) ? v.toString() : String(v))));
    expect(ac.err).toBe(0);
    r.release();
  });

  it("passes an unknown command's error text through exactly", async () => {
    const [auth, raw] = await rawExchange(srv.port, 'AUTH secret\r\nNOSUCHCMD a b\r\n', 2);
    expect(auth).toBe('+OK');
    const r = createReactor();
    const { ac } = attach(r, { port: srv.port, password: 'secret' }, () => r.stopEventloop());
    let reply: RedisReply | null = null;
    redisAsyncCommand(ac, (_c, rep) => {
      reply = rep;
      redisAsyncDisconnect(ac);
    }, null, 'NOSUCHCMD a b');
    await runLoop(r);
    expect(reply!.type).toBe(REDIS_REPLY_ERROR);
    expect(`-${reply!.str}`).toBe(raw);
    expect(reply!.str).toMatch(/^ERR unknown command 'NOSUCHCMD'/);
    expect(ac.err).toBe(0);
    r.release();
  });

  it('AUTH with an ACL user, SELECT and CLIENT SETNAME happen on connect', async () => {
    const r = createReactor();
    const { ac, events } = attach(
      r,
      { port: srv.port, username: 'alice', password: 'wonder', db: 3, name: 'reactor-ts-test' },
      () => r.stopEventloop(),
    );
    const got: string[] = [];
    redisAsyncCommand(ac, (_c, rep) => got.push(rep!.str!), null, 'ACL WHOAMI');
    redisAsyncCommand(ac, (_c, rep) => {
      got.push(rep!.str!);
      redisAsyncDisconnect(ac);
    }, null, 'CLIENT INFO');
    await runLoop(r);
    expect(got[0]).toBe('alice');
    expect(got[1]).toMatch(/ name=reactor-ts-test /);
    expect(got[1]).toMatch(/ db=3 /);
    expect(got[1]).toMatch(/ user=alice /);
    expect(events).toEqual([['connect', REDIS_OK], ['disconnect', REDIS_OK]]);
    r.release();
  });
});

describe('failures against redis-server', () => {
  it('a wrong password is a connect failure with the server text', async () => {
    const r = createReactor();
    const { ac, events } = attach(r, { port: srv.port, password: 'nope' }, () => r.stopEventloop());
    let reply: unknown = 'never';
    redisAsyncCommand(ac, (_c, rep) => (reply = rep), null, 'PING');
    await runLoop(r);
    expect(events).toEqual([['connect', REDIS_ERR]]);
    expect(ac.err).toBe(REDIS_ERR_OTHER);
    expect(ac.errstr).toMatch(/^WRONGPASS/);
    expect(reply).toBeNull();
    r.release();
  });

  it('a closed port: connect callback REDIS_ERR with REDIS_ERR_IO', async () => {
    const port = await getFreePort();
    const r = createReactor();
    const { ac, events } = attach(r, { port }, () => r.stopEventloop());
    let reply: unknown = 'never';
    redisAsyncCommand(ac, (_c, rep) => (reply = rep), null, 'PING');
    await runLoop(r);
    expect(events).toEqual([['connect', REDIS_ERR]]);
    expect(ac.err).toBe(REDIS_ERR_IO);
    expect(ac.errstr).toMatch(/ECONNREFUSED/);
    expect(reply).toBeNull();
    r.release();
  });

  it('CLIENT KILL from another connection: EOF, pending callbacks get null', async () => {
    const r = createReactor();
    let down = 0;
    const victim = attach(r, { port: srv.port, password: 'secret' }, () => {
      if (++down === 2) r.stopEventloop();
    });
    const killer = attach(r, { port: srv.port, password: 'secret' }, () => {
      if (++down === 2) r.stopEventloop();
    });
    let blpop: unknown = 'never';
    let killed: RedisReply | null = null;
    redisAsyncCommand(victim.ac, (_c, rep) => {
      redisAsyncCommand(victim.ac, (_c2, rep2) => (blpop = rep2), null, 'BLPOP nothing-here 0');
      redisAsyncCommand(killer.ac, (_c2, rep2) => {
        killed = rep2;
        redisAsyncDisconnect(killer.ac);
      }, null, 'CLIENT KILL ID %d', Number(rep!.integer));
    }, null, 'CLIENT ID');
    await runLoop(r);
    expect(killed!.integer).toBe(1);
    expect(blpop).toBeNull();
    expect(victim.ac.err).toBe(REDIS_ERR_EOF);
    expect(victim.ac.errstr).toBe('Server closed the connection');
    expect(victim.events).toEqual([['connect', REDIS_OK], ['disconnect', REDIS_ERR]]);
    r.release();
  });

  it('CLIENT PAUSE: the command deadline passes, every pending command fails, the link is closed', async () => {
    const r = createReactor();
    let down = 0;
    const done = () => {
      if (++down === 2) r.stopEventloop();
    };
    const slow = attach(r, { port: srv.port, password: 'secret', commandTimeout: 300 }, done);
    const admin = attach(r, { port: srv.port, password: 'secret' }, done);
    const replies: unknown[] = [];
    redisAsyncCommand(slow.ac, () => {
      redisAsyncCommand(admin.ac, () => {
        for (let i = 0; i < 3; i++) redisAsyncCommand(slow.ac, (_c, rep) => replies.push(rep), null, 'GET k');
      }, null, 'CLIENT PAUSE 1500 ALL');
    }, null, 'PING');
    let unpaused: unknown = null;
    const check = setInterval(() => {
      if (slow.ac.err !== 0 && unpaused === null) {
        unpaused = 'sent';
        redisAsyncCommand(admin.ac, (_c, rep) => {
          unpaused = rep?.str;
          redisAsyncDisconnect(admin.ac);
        }, null, 'CLIENT UNPAUSE');
      }
    }, 20);
    try {
      await runLoop(r);
    } finally {
      clearInterval(check);
    }
    expect(slow.ac.err).toBe(REDIS_ERR_TIMEOUT);
    expect(slow.ac.errstr).toBe('Timeout');
    expect(replies).toEqual([null, null, null]);
    expect(slow.events).toEqual([['connect', REDIS_OK], ['disconnect', REDIS_ERR]]);
    expect(unpaused).toBe('OK');
    r.release();
  });

  it('a connect timeout fires on the reactor timer (the article had no scheduleTimer)', async () => {
    // A peer that accepts and never answers: the handshake (AUTH) cannot finish.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const r = createReactor();
    const { ac, events } = attach(r, { port, password: 'x', connectTimeout: 200 }, () => r.stopEventloop());
    await runLoop(r);
    expect(events).toEqual([['connect', REDIS_ERR]]);
    expect(ac.err).toBe(REDIS_ERR_TIMEOUT);
    r.release();
    silent.close();
  });

  it('kill -9 in the middle of 100,000 pipelined commands: each callback exactly once, err set', async () => {
    // DEBUG SLEEP in the middle holds the server, so the kill always lands
    // while most replies are still owed (the test never depends on timing).
    const victim = await startRedis({ enableDebug: true });
    try {
      const r = createReactor();
      const { ac, events } = attach(r, { port: victim.port }, () => r.stopEventloop());
      const N = 100_000;
      const calls = new Uint8Array(N);
      let ok = 0;
      let nulls = 0;
      for (let i = 0; i < N; i++) {
        const cb = (_c: RedisAsyncContext, rep: RedisReply | null): void => {
          calls[i]!++;
          if (rep === null) nulls++;
          else ok++;
        };
        if (i === 1000) redisAsyncCommand(ac, cb, null, 'DEBUG SLEEP 3');
        else redisAsyncCommand(ac, cb, null, 'INCR k');
      }
      // The server reaches DEBUG SLEEP within a few ms of the write; kill it
      // while it sleeps, with 99,000 commands unanswered.
      r.addTimer(500, () => void victim.kill9());
      await runLoop(r, 60_000);
      expect(calls.every((c) => c === 1)).toBe(true);
      expect(ok + nulls).toBe(N);
      expect(ok).toBeLessThanOrEqual(1000);
      expect(nulls).toBeGreaterThanOrEqual(N - 1000);
      expect([REDIS_ERR_EOF, REDIS_ERR_IO]).toContain(ac.err);
      expect(events).toEqual([['connect', REDIS_OK], ['disconnect', REDIS_ERR]]);
      r.release();
    } finally {
      await victim.stop();
    }
  });

  it('maxclients reached: the server error becomes ac.err', async () => {
    const small = await startRedis({ args: ['--maxclients', '1'] });
    try {
      const r = createReactor();
      const holder = attach(r, { port: small.port });
      let second: Attached | null = null;
      redisAsyncCommand(holder.ac, () => {
        second = attach(r, { port: small.port }, () => r.stopEventloop());
      }, null, 'PING');
      await runLoop(r);
      expect(second!.ac.err).toBe(REDIS_ERR_OTHER);
      expect(second!.ac.errstr).toBe('ERR max number of clients reached');
      redisAsyncFree(holder.ac);
      r.release();
    } finally {
      await small.stop();
    }
  });

  it('connects over a unix socket', async () => {
    const unix = await startRedis({ unixSocket: true });
    try {
      const r = createReactor();
      const ac = redisAsyncConnectUnix(unix.socketPath!);
      expect(ac.c.connectionType).toBe('unix');
      expect(redisAttach(r, ac)).toBe(REDIS_OK);
      let pong = '';
      redisAsyncCommand(ac, (_c, rep) => {
        pong = rep!.str!;
        r.stopEventloop();
      }, null, 'PING');
      await runLoop(r);
      expect(pong).toBe('PONG');
      redisAsyncFree(ac);
      r.release();
    } finally {
      await unix.stop();
    }
  });
});
