import { describe, expect, it } from 'vitest';
import { ConnectionError, ReplyError, WatchConflictError, type RedisClient } from './index.js';
import { clientSuite } from '../test/helpers.js';

const t = clientSuite();
const client = t.client;

/** How many times the server ran `name` (INFO commandstats). */
async function commandCalls(c: RedisClient, name: string): Promise<number> {
  const info = (await c.command('INFO', 'commandstats')) as string;
  const m = new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info);
  return m ? Number(m[1]) : 0;
}

describe('pipeline', () => {
  it('returns the replies in order, with error replies in place', async () => {
    const c = await client().connect();
    await c.del('p', 'ps');
    await c.set('ps', 'text');
    const replies = await c.pipeline().incr('p').incr('p').get('p').lpush('ps', 'x').command('NOSUCH').exec();
    expect(replies.slice(0, 3)).toEqual([1, 2, '2']);
    expect(replies[3]).toBeInstanceOf(ReplyError);
    expect((replies[3] as ReplyError).code).toBe('WRONGTYPE');
    expect((replies[4] as ReplyError).message).toMatch(/unknown command/);
  });

  it('sends a pipeline of 1000 in one socket write', async () => {
    const c = await client().connect();
    await c.del('pw');
    // Count what reaches the socket's handle while the pipeline runs: one
    // `_write` or `_writev` call is one syscall (the reactor may cork a
    // multi-chunk flush into one writev).
    const net = await import('node:net');
    type Proto = { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
    const proto = net.Socket.prototype as unknown as Proto;
    const writes: number[] = [];
    const origWrite = proto._write;
    const origWritev = proto._writev;
    proto._write = function (this: import('node:net').Socket, ...a: unknown[]) {
      if (this.remotePort === t.srv.port) writes.push((a[0] as Uint8Array).length);
      return origWrite.apply(this, a);
    };
    proto._writev = function (this: import('node:net').Socket, ...a: unknown[]) {
      const chunks = a[0] as Array<{ chunk: Uint8Array }>;
      if (this.remotePort === t.srv.port) writes.push(chunks.reduce((n, c) => n + c.chunk.length, 0));
      return origWritev.apply(this, a);
    };
    let replies: unknown[];
    try {
      const p = c.pipeline();
      for (let i = 0; i < 1000; i++) p.incr('pw');
      replies = await p.exec();
    } finally {
      proto._write = origWrite;
      proto._writev = origWritev;
    }
    expect(replies).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const perCommand = '*2\r\n$4\r\nINCR\r\n$2\r\npw\r\n'.length;
    expect(writes).toEqual([1000 * perCommand]);
  });

  it('an empty pipeline resolves with [] and a pipeline runs once', async () => {
    const c = await client().connect();
    expect(await c.pipeline().exec()).toEqual([]);
    const p = c.pipeline().ping();
    await p.exec();
    await expect(p.exec()).rejects.toThrow(/already executed/);
  });

  it('rejects the whole pipeline when the link fails', async () => {
    const c = await client().connect();
    const p = c.pipeline();
    for (let i = 0; i < 100; i++) p.incr('pf');
    const done = p.exec();
    await c.disconnect();
    await expect(done).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe('multi / exec', () => {
  it('returns EXEC replies, errors of running commands in place', async () => {
    const c = await client().connect();
    await c.del('m', 'mstr');
    await c.set('mstr', 'x');
    const res = await c.multi().incr('m').incr('m').lpush('mstr', 'y').get('m').exec();
    expect(res).not.toBeNull();
    expect(res!.slice(0, 2)).toEqual([1, 2]);
    expect(res![2]).toBeInstanceOf(ReplyError);
    expect(res![3]).toBe('2');
  });

  it('rejects with EXECABORT (and nothing runs) when a command is refused while queuing', async () => {
    const c = await client().connect();
    await c.del('ma');
    const err = await c.multi().incr('ma').command('NOSUCHCMD').exec().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).code).toBe('EXECABORT');
    expect((err as Error).message).toMatch(/First refusal: ERR unknown command/);
    expect(await c.get('ma')).toBeNull();
    // The connection is clean afterwards: not stuck in MULTI.
    expect(await c.ping()).toBe('PONG');
  });

  it('resolves null when a WATCHed key changed (on a dedicated connection), and leaves the link clean', async () => {
    const c = await client().connect();
    const other = await client().connect();
    await c.set('w', '1');
    const res = await c.watchRetry(['w'], async (conn) => {
      await other.set('w', 'changed'); // someone else writes between WATCH and EXEC
      return conn.multi().set('w', 'mine');
    }, { attempts: 1 }).catch((e: unknown) => e);
    expect(res).toBeInstanceOf(WatchConflictError);
    expect((res as Error).message).toMatch(/gave up after 1 attempts/);
    expect(await c.get('w')).toBe('changed');
  });
});

describe('watchRetry', () => {
  it('two clients racing on one key lose no update', async () => {
    const a = await client().connect();
    const b = await client().connect();
    await a.set('race', '0');
    const perClient = 50;
    const bump = (c: RedisClient) =>
      c.watchRetry(
        ['race'],
        async (conn) => {
          const v = Number(await conn.get('race'));
          return conn.multi().set('race', String(v + 1));
        },
        { attempts: 1000 },
      );
    // Each client runs its transactions in turn on its own dedicated connection;
    // the two clients race each other.
    const run = async (c: RedisClient) => {
      for (let i = 0; i < perClient; i++) await bump(c);
    };
    const execBefore = await commandCalls(a, 'exec');
    await Promise.all([run(a), run(b), run(a)]);
    expect(await a.get('race')).toBe(String(3 * perClient));
    // Every successful transaction is one EXEC; voided ones (contention) add more.
    expect((await commandCalls(a, 'exec')) - execBefore).toBeGreaterThanOrEqual(3 * perClient);
  });

  it('fn returning null gives up cleanly (UNWATCH)', async () => {
    const c = await client().connect();
    expect(await c.watchRetry(['x'], () => null)).toBeNull();
  });
});
