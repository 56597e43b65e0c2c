import { describe, expect, it } from 'vitest';
import { getFreePort, startRedis } from '@reactor-ts/test-utils';
import { PushFrame, VerbatimString } from '@reactor-ts/resp';
import {
  ClientClosedError,
  CommandRefusedError,
  ConnectionError,
  OfflineQueueFullError,
  ReplyError,
  TimeoutError,
} from './index.js';
import { clientSuite, waitFor } from '../test/helpers.js';

const t = clientSuite({ enableDebug: true });
const client = t.client;

describe('commands and reply types', () => {
  it('runs the article counter: 1000 INCR → 1000', async () => {
    const c = await client().connect();
    await c.del('counter');
    const replies = await Promise.all(Array.from({ length: 1000 }, () => c.incr('counter')));
    expect(replies).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await c.get('counter')).toBe('1000');
  });

  it('maps RESP2 replies to JS values', async () => {
    const c = await client().connect();
    expect(await c.set('s', 'héllo')).toBe('OK');
    expect(await c.get('s')).toBe('héllo');
    expect(await c.get('missing')).toBeNull();
    await c.del('l');
    await c.rpush('l', 'a', 'b', 3);
    expect(await c.lrange('l', 0, -1)).toEqual(['a', 'b', '3']);
    expect(await c.command('INCRBY', 'big', '9007199254740993')).toBe(9007199254740993n);
    await c.hset('h', 'f', 'v');
    expect(await c.hgetall('h')).toEqual(['f', 'v']);
  });

  it('returns Buffers with returnBuffers, binary-safe for all 256 byte values', async () => {
    const c = await client({ returnBuffers: true }).connect();
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await c.set('bin', all);
    const back = await c.get('bin');
    expect(Buffer.isBuffer(back)).toBe(true);
    expect(Buffer.compare(back as Buffer, all)).toBe(0);
  });

  it('maps RESP3 replies: Map, Set, double, boolean, big number, verbatim, null', async () => {
    const c = await client({ protocol: 3 }).connect();
    await c.del('h3', 's3', 'z3');
    await c.hset('h3', 'a', '1');
    expect(await c.hgetall('h3')).toEqual(new Map([['a', '1']]));
    await c.sadd('s3', 'x');
    expect(await c.smembers('s3')).toEqual(new Set(['x']));
    await c.command('ZADD', 'z3', '1.5', 'm');
    expect(await c.command('ZSCORE', 'z3', 'm')).toBe(1.5);
    expect(await c.command('DEBUG', 'PROTOCOL', 'true')).toBe(true);
    expect(await c.command('DEBUG', 'PROTOCOL', 'false')).toBe(false);
    expect(await c.command('DEBUG', 'PROTOCOL', 'bignum')).toBe(1234567999999999999999999999999999999n);
    expect(await c.command('DEBUG', 'PROTOCOL', 'null')).toBeNull();
    expect(await c.command('DEBUG', 'PROTOCOL', 'verbatim')).toBeInstanceOf(VerbatimString);
  });
});

describe('RESP3 push frames', () => {
  it('hands client-side caching invalidations to onPush', async () => {
    const frames: PushFrame[] = [];
    const c = await client({ protocol: 3, onPush: (f) => frames.push(f) }).connect();
    const other = await client().connect();
    await c.set('tracked', '1');
    await c.command('CLIENT', 'TRACKING', 'ON');
    expect(await c.get('tracked')).toBe('1');
    await other.set('tracked', '2');
    await waitFor(() => frames.length > 0, 'the invalidate push');
    expect(frames[0]!.kind).toBe('invalidate');
    expect(frames[0]!.items[1]).toEqual(['tracked']);
    // Commands still work on the same connection.
    expect(await c.get('tracked')).toBe('2');
  });
});

describe('typed errors', () => {
  it('rejects with ReplyError carrying the server text', async () => {
    const c = await client().connect();
    const err = await c.command('NOSUCHCMD', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).message).toMatch(/^ERR unknown command 'NOSUCHCMD'/);
    await c.set('str', 'v');
    const wrong = await c.lpush('str', 'x').catch((e: unknown) => e);
    expect((wrong as ReplyError).code).toBe('WRONGTYPE');
    // The link survives an error reply.
    expect(await c.ping()).toBe('PONG');
  });

  it('rejects a malformed command with CommandRefusedError, before sending anything', async () => {
    const c = await client().connect();
    const empty = await c.command().catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(CommandRefusedError);
    expect((empty as Error).message).toMatch(/non-empty/);
    const bad = await c.command('SET', 'k', {} as unknown as string).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CommandRefusedError);
    expect(await c.ping()).toBe('PONG');
  });

  it('rejects connect() with ConnectionError ECONNREFUSED on a closed port', async () => {
    const port = await getFreePort();
    const c = client({ url: `redis://127.0.0.1:${port}` });
    const queued = c.ping();
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).code).toBe('ECONNREFUSED');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    await expect(queued).rejects.toBeInstanceOf(ConnectionError);
    expect(c.state).toBe('closed');
    await expect(c.ping()).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('rejects with TimeoutError when the server is paused past commandTimeout', async () => {
    const admin = await client().connect();
    const c = await client({ commandTimeout: 100 }).connect();
    await admin.command('CLIENT', 'PAUSE', '600', 'ALL');
    const err = await c.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/timed out after 100 ms/);
    // Only that promise failed: the link stays, and serves once the pause ends.
    expect(c.state).toBe('ready');
    await admin.command('CLIENT', 'UNPAUSE');
    expect(await c.ping()).toBe('PONG');
  });
});

describe('life cycle edges', () => {
  it('times out a connect whose handshake is never answered', async () => {
    const net = await import('node:net');
    const silent = net.createServer(() => undefined); // accepts, never answers HELLO
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const c = client({ url: `redis://127.0.0.1:${port}`, protocol: 3, connectTimeout: 150 });
      const err = await c.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toMatch(/connecting to 127\.0\.0\.1:\d+ timed out after 150 ms/);
    } finally {
      silent.close();
    }
  });

  it('quit() while connecting sends what was queued, then closes', async () => {
    const c = client();
    const pending = c.ping();
    const connecting = c.connect();
    const quit = c.quit();
    expect(await pending).toBe('PONG');
    expect(await quit).toBe('OK');
    await expect(connecting).resolves.toBe(c);
    expect(c.state).toBe('closed');
  });

  it('quit() before connect() rejects what was queued, unsent', async () => {
    const c = client();
    const pending = c.ping();
    expect(await c.quit()).toBe('OK');
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('disconnect() while reconnecting stops the retries and settles the queue', async () => {
    const port = await getFreePort();
    const c = client({ url: `redis://127.0.0.1:${port}`, reconnect: { retries: 1000, minDelayMs: 20, maxDelayMs: 50 } });
    const connecting = c.connect().catch((e: unknown) => e);
    const queued = c.ping().catch((e: unknown) => e);
    await waitFor(() => c.state === 'reconnecting', 'a failed attempt');
    await c.disconnect();
    expect(await queued).toBeInstanceOf(ConnectionError);
    expect(((await queued) as ConnectionError).code).toBe('ERR_DISCONNECTED');
    expect(await connecting).toBeInstanceOf(ConnectionError);
    expect(c.state).toBe('closed');
  });
});

describe('offline queue', () => {
  it('delivers commands issued before connect() exactly once, in order', async () => {
    const c = client();
    const del = c.del('offline');
    const incrs = [c.incr('offline'), c.incr('offline'), c.incr('offline')];
    expect(c.offlineQueueLength).toBe(4);
    await c.connect();
    await del;
    expect(await Promise.all(incrs)).toEqual([1, 2, 3]);
    expect(await c.get('offline')).toBe('3');
  });

  it('rejects with OfflineQueueFullError past the limit', async () => {
    const c = client({ offlineQueueLimit: 2 });
    const a = c.ping();
    const b = c.ping();
    const err = await c.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OfflineQueueFullError);
    expect((err as Error).message).toMatch(/offline queue is full: 2 commands/);
    await c.connect();
    expect(await Promise.all([a, b])).toEqual(['PONG', 'PONG']);
  });
});

describe('quit and disconnect', () => {
  it('quit() lets every pending command finish, then refuses new ones', async () => {
    const c = await client().connect();
    await c.del('q');
    const incrs = Array.from({ length: 1000 }, () => c.incr('q'));
    const quit = c.quit();
    expect(await Promise.all(incrs)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await quit).toBe('OK');
    expect(c.state).toBe('closed');
    await expect(c.get('q')).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('disconnect() settles every pending command at once', async () => {
    const c = await client().connect();
    let resolved = 0;
    let rejected = 0;
    const all = Array.from({ length: 1000 }, () =>
      c.incr('d').then(
        () => resolved++,
        (e: unknown) => {
          expect(e).toBeInstanceOf(ConnectionError);
          expect((e as ConnectionError).code).toBe('ERR_DISCONNECTED');
          rejected++;
        },
      ),
    );
    await c.disconnect();
    await Promise.all(all);
    expect(resolved + rejected).toBe(1000);
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('authentication and database', () => {
  it('authenticates with the URL password (and user), and fails clearly with a wrong one', async () => {
    const secured = await startRedis({ password: 'pw1', users: [{ name: 'alice', password: 'apw' }] });
    try {
      const port = secured.port;
      const c = await client({ url: `redis://:pw1@127.0.0.1:${port}` }).connect();
      expect(await c.ping()).toBe('PONG');
      const a = await client({ url: `redis://alice:apw@127.0.0.1:${port}` }).connect();
      expect(await a.command('ACL', 'WHOAMI')).toBe('alice');
      const bad = client({ url: `redis://:nope@127.0.0.1:${port}`, reconnect: true });
      const err = await bad.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).code).toBe('ERR_AUTH');
      expect(bad.state).toBe('closed');
      await c.quit();
      await a.quit();
    } finally {
      await secured.stop();
    }
  });

  it('connects over a unix socket URL', async () => {
    const local = await startRedis({ unixSocket: true });
    try {
      const c = await client({ url: `unix://${local.socketPath!}?db=2` }).connect();
      await c.set('over-unix', '1');
      expect(await c.get('over-unix')).toBe('1');
      await c.quit();
    } finally {
      await local.stop();
    }
  });

  it('selects the database from the URL', async () => {
    const db3 = await client({ url: `${t.srv.url}/3` }).connect();
    const db0 = await client().connect();
    await db3.set('only-in-3', 'yes');
    expect(await db0.get('only-in-3')).toBeNull();
    expect(await db3.get('only-in-3')).toBe('yes');
  });
});
