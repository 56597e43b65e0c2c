// Per-command Buffer replies (withBuffers), autoConnect, the keyPrefix
// option and duplicate(), against a real redis-server.
import { describe, expect, it } from 'vitest';
import { getFreePort } from '@reactor-ts/test-utils';
import { ConnectionError, createCachingClient, defineScript } from './index.js';
import { clientSuite, waitFor } from '../test/helpers.js';

const t = clientSuite();
/** Bytes that are not UTF-8: a string reply would turn them into U+FFFD. */
const BIN = Buffer.from([0xff, 0x00, 0xfe, 0x80]);

describe('withBuffers(): Buffer replies for some commands only', () => {
  for (const protocol of [2, 3] as const) {
    it(`gives Buffers to its commands and strings to the others, interleaved on one link (RESP${protocol})`, async () => {
      const c = await t.client({ protocol, url: `${t.srv.url}/2` }).connect();
      await c.set('wb:bin', BIN);
      await c.hset('wb:h', 'f', BIN);
      const b = c.withBuffers();
      // Issued in one tick: written back to back, each reply read in its own command's mode.
      const [s1, b1, s2, b2, bm, bh, bc] = await Promise.all([
        c.get('wb:bin'),
        b.get('wb:bin'),
        c.get('wb:bin'),
        b.get('wb:bin'),
        b.mget('wb:bin', 'wb:none'),
        b.hgetall('wb:h'),
        b.command('GET', 'wb:bin'),
      ]);
      expect(typeof s1).toBe('string');
      expect(s1).toBe(s2);
      expect(b1).toEqual(BIN);
      expect(b2).toEqual(BIN);
      expect(bm).toEqual([BIN, null]);
      if (protocol === 3) expect(bh).toEqual(new Map([[Buffer.from('f'), BIN]]));
      else expect(bh).toEqual([Buffer.from('f'), BIN]);
      expect(bc).toEqual(BIN);
      // Error replies stay ReplyErrors, integers numbers.
      await expect(b.incr('wb:bin')).rejects.toThrow(/not an integer/);
      expect(await b.strlen('wb:bin')).toBe(4);
      // The client's own mode is untouched.
      expect(await c.get('wb:bin')).toBe(BIN.toString('utf8'));
    });
  }

  it('applies to commands held before the link was up, and combines with a signal and a key prefix', async () => {
    const c = t.client({ autoConnect: false });
    const early = c.withBuffers().withKeyPrefix('wbp:').get('k');
    const plain = c.get('wbp:k');
    const ctl = new AbortController();
    const both = c.withBuffers().withAbortSignal(ctl.signal).get('wbp:k');
    await c.connect();
    await c.set('wbp:k', BIN);
    expect(await early).toBeNull(); // sent before the SET
    expect(await plain).toBeNull();
    expect(await both).toBeNull();
    expect(await c.withKeyPrefix('wbp:').withBuffers().get('k')).toEqual(BIN);
    expect(await c.withBuffers().withAbortSignal(ctl.signal).get('wbp:k')).toEqual(BIN);
  });

  it('RESP3: pub/sub messages that arrive while a Buffer command waits keep the client\'s string mode', async () => {
    const c = await t.client({ protocol: 3 }).connect();
    const pub = await t.client().connect();
    await c.del('wb:list');
    const got: unknown[] = [];
    await c.subscribe('wb:chan', (m) => got.push(m));
    // BLPOP blocks, so the message comes while it is the head of the reply FIFO (read as Buffers).
    const blocked = c.withBuffers().blpop(['wb:list'], 0);
    await waitFor(async () => Number(/blocked_clients:(\d+)/.exec(String(await pub.command('INFO', 'clients')))?.[1]) > 0, 'BLPOP to block');
    await pub.publish('wb:chan', 'héllo');
    await waitFor(() => got.length === 1, 'the message');
    await pub.lpush('wb:list', BIN);
    expect(await blocked).toEqual([Buffer.from('wb:list'), BIN]);
    expect(got).toEqual(['héllo']);
    expect(await c.get('wb:list')).toBeNull();
  });

  for (const protocol of [2, 3] as const) {
    it(`pipelines and transactions: withBuffers().pipeline() / .multi() and pipeline({ buffers: true }) give Buffers in every entry (RESP${protocol})`, async () => {
      const c = await t.client({ protocol }).connect();
      await c.del('wbb:n');
      await c.set('wbb:bin', BIN);
      await c.hset('wbb:h', 'f', BIN);
      const hash = protocol === 3 ? new Map([[Buffer.from('f'), BIN]]) : [Buffer.from('f'), BIN];
      // Issued in one tick with plain commands around them: only the batches' replies are Buffers.
      const [s1, p1, p2, tx, s2] = await Promise.all([
        c.get('wbb:bin'),
        c.withBuffers().pipeline().get('wbb:bin').hgetall('wbb:h').incr('wbb:n').command('GET', 'wbb:bin').exec(),
        c.pipeline({ buffers: true }).mget('wbb:bin', 'wbb:none').exec(),
        c.withBuffers().multi().get('wbb:bin').lpush('wbb:bin', 'x').exec(),
        c.get('wbb:bin'),
      ]);
      expect(s1).toBe(BIN.toString('utf8'));
      expect(s2).toBe(s1);
      expect(p1.slice(0, 3)).toEqual([BIN, hash, 1]);
      expect(p1[3]).toEqual(BIN);
      expect(p2).toEqual([[BIN, null]]);
      expect(tx![0]).toEqual(BIN);
      expect(String(tx![1])).toMatch(/WRONGTYPE/); // an error entry stays a ReplyError
      // Held while no link is up, the batch keeps its mode; and a plain pipeline keeps strings.
      const d = t.client({ protocol, autoConnect: false });
      const held = d.withBuffers().pipeline().get('wbb:bin').exec();
      const plain = d.pipeline().get('wbb:bin').exec();
      await d.connect();
      expect(await held).toEqual([BIN]);
      expect(await plain).toEqual([BIN.toString('utf8')]);
    });
  }

  it('withBuffers().pipeline() on something that makes no pipelines is a TypeError', () => {
    const c = t.client({ autoConnect: false });
    expect(() => c.withKeyPrefix('x:').withBuffers().pipeline()).toThrow(TypeError);
  });

  it('is a no-op with returnBuffers', async () => {
    const c = await t.client({ returnBuffers: true }).connect();
    await c.set('wb:rb', 'x');
    expect(await c.withBuffers().get('wb:rb')).toEqual(Buffer.from('x'));
  });
});

describe('autoConnect', () => {
  it('a command before connect() connects (default)', async () => {
    const c = t.client();
    expect(c.state).toBe('idle');
    expect(await c.set('ac:k', 'v')).toBe('OK');
    expect(c.state).toBe('ready');
    expect(await c.get('ac:k')).toBe('v');
    // connect() afterwards is harmless.
    expect(await c.connect()).toBe(c);
  });

  it('pipelines and the options path connect too', async () => {
    const c = t.client();
    expect(await c.pipeline().set('ac:p', '1').get('ac:p').exec()).toEqual(['OK', '1']);
    const d = t.client();
    expect(await d.withBuffers().get('ac:p')).toEqual(Buffer.from('1'));
  });

  it('a connect that fails rejects the commands that waited for it', async () => {
    const port = await getFreePort();
    const c = t.client({ url: `redis://127.0.0.1:${port}` });
    const err = await c.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(c.state).toBe('closed');
  });

  it('autoConnect: false keeps commands queued until connect()', async () => {
    const c = t.client({ autoConnect: false });
    const p = c.ping();
    await new Promise((r) => setTimeout(r, 50));
    expect(c.state).toBe('idle');
    expect(c.offlineQueueLength).toBe(1);
    await c.connect();
    expect(await p).toBe('PONG');
  });
});

describe('keyPrefix option', () => {
  it('prefixes every key — single-key, multi-key, EVAL and FCALL KEYS, pipelines, transactions — as withKeyPrefix does', async () => {
    const raw = await t.client({ url: `${t.srv.url}/3` }).connect();
    await raw.command('FLUSHDB');
    await raw.functionLoad("#!lua name=kp\nredis.register_function('kpkeys', function(keys, args) return {keys[1], keys[2], args[1]} end)", { REPLACE: true });
    const opt = await t.client({ url: `${t.srv.url}/3`, keyPrefix: 'app:' }).connect();
    const view = raw.withKeyPrefix('app:');
    for (const [name, c] of [['option', opt], ['view', view]] as const) {
      await c.set('a', name);
      await c.mset('b', '1', 'c', '2');
      expect(await raw.mget('app:a', 'app:b', 'app:c', 'a')).toEqual([name, '1', '2', null]);
      expect(await c.eval('return {KEYS[1], KEYS[2], ARGV[1]}', ['x', 'y'], ['not-a-key'])).toEqual(['app:x', 'app:y', 'not-a-key']);
      expect(await c.fcall('kpkeys', ['x', 'y'], ['arg'])).toEqual(['app:x', 'app:y', 'arg']);
      expect(await c.command('GET', 'a')).toBe(name);
      // EVALSHA (NOSCRIPT on first run → EVAL) by defineScript.
      expect(await defineScript('return KEYS[1]').run(c, ['s'])).toBe('app:s');
      expect(await c.del('a', 'b', 'c')).toBe(3);
    }
    expect(await opt.pipeline().set('p', '1').incr('p').exec()).toEqual(['OK', 2]);
    expect(await opt.multi().incr('p').get('p').exec()).toEqual([3, '3']);
    expect(await raw.get('app:p')).toBe('3');
    expect(await raw.get('p')).toBeNull();
    // Replies carry keys as stored.
    const keys: string[] = [];
    for await (const k of opt.scanIterator({ match: 'app:*' })) keys.push(String(k));
    expect(keys).toEqual(['app:p']);
    expect(opt.keyPrefix).toBe('app:');
  });

  it('applies to the caching client too: its entries are invalidated by writes to the prefixed key', async () => {
    const base = t.client({ keyPrefix: 'cache:' });
    const cache = await createCachingClient(base);
    const writer = await t.client().connect();
    try {
      await writer.set('cache:k', 'v1');
      expect(await cache.get('k')).toBe('v1');
      expect(await cache.get('k')).toBe('v1');
      expect(cache.stats.hits).toBe(1);
      await writer.set('cache:k', 'v2');
      await waitFor(() => cache.stats.invalidations > 0, 'the invalidation');
      expect(await cache.get('k')).toBe('v2');
    } finally {
      await cache.close();
    }
  });
});

describe('replyMapping option', () => {
  for (const protocol of [2, 3] as const) {
    it(`reshapes maps and sets of every command, pipeline and transaction the same under RESP${protocol}`, async () => {
      const c = await t.client({ protocol, url: `${t.srv.url}/7`, replyMapping: { map: 'object', set: 'array' } }).connect();
      await c.hset('rmo:h', 'a', '1', 'b', '2');
      await c.sadd('rmo:s', 'x');
      expect(await c.hgetall('rmo:h')).toEqual({ a: '1', b: '2' });
      expect(await c.command('HGETALL', 'rmo:h')).toEqual({ a: '1', b: '2' });
      expect(await c.smembers('rmo:s')).toEqual(['x']);
      expect(await c.get('rmo:none')).toBeNull();
      expect(await c.pipeline().hgetall('rmo:h').smembers('rmo:s').incr('rmo:h').exec()).toEqual([
        { a: '1', b: '2' },
        ['x'],
        expect.objectContaining({ message: expect.stringMatching(/WRONGTYPE/) }),
      ]);
      expect(await c.multi().hgetall('rmo:h').smembers('rmo:s').exec()).toEqual([{ a: '1', b: '2' }, ['x']]);
      expect(await c.withBuffers().hgetall('rmo:h')).toEqual({ a: Buffer.from('1'), b: Buffer.from('2') });
      const d = c.duplicate();
      expect(await d.hgetall('rmo:h')).toEqual({ a: '1', b: '2' });
      await d.disconnect();
    });
  }
});

describe('duplicate()', () => {
  it('keeps every option: keyPrefix, returnBuffers, protocol, db, name, autoConnect', async () => {
    const c = t.client({ keyPrefix: 'dup:', returnBuffers: true, protocol: 3, url: `${t.srv.url}/6`, name: 'dupname', autoConnect: false });
    const d = c.duplicate();
    const waiting = d.ping();
    await new Promise((r) => setTimeout(r, 20));
    expect(d.state).toBe('idle'); // autoConnect: false kept
    await d.connect();
    expect(await waiting).toEqual(Buffer.from('PONG'));
    await d.set('k', 'v');
    const raw = await t.client({ url: `${t.srv.url}/6` }).connect();
    expect(await raw.get('dup:k')).toBe('v');
    expect(await d.get('k')).toEqual(Buffer.from('v'));
    expect(await d.hgetall('dup:none')).toBeInstanceOf(Map);
    expect(await d.clientGetname()).toEqual(Buffer.from('dupname'));
    expect(d.keyPrefix).toBe('dup:');
    // Overrides win, the rest is kept.
    const e = c.duplicate({ keyPrefix: 'other:', autoConnect: true });
    expect(await e.get('k')).toBeNull();
    expect(await e.set('k', 'w')).toEqual(Buffer.from('OK'));
    expect(await raw.get('other:k')).toBe('w');
  });
});
