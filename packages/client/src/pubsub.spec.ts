// Pub/sub in the promise client (article §4), against redis-servers started
// for this file: RESP2 subscribed mode, RESP3 pushes, PUBSUB introspection,
// order, and resubscription after a server restart.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startRedis } from '@reactor-ts/test-utils';
import { createClient } from './client.js';
import { CommandRefusedError } from './errors.js';
import { clientSuite, waitFor } from '../test/helpers.js';

const t = clientSuite();
const client = t.client;

describe('the article example', () => {
  it('SUBSCRIBE three channels, PSUBSCRIBE news.*, PUBLISH news.shanxi harmony: both receive it', async () => {
    const a = await client().connect();
    const b = await client().connect();
    const publisher = await client().connect();
    const gotA: Array<[string, string]> = [];
    const gotB: Array<[string, string, string | undefined]> = [];
    expect(await a.subscribe(['news.shanxi', 'news.henan', 'news.shandong'], (m, ch) => gotA.push([m, ch]))).toBe(3);
    expect(await b.psubscribe('news.*', (m, ch, pattern) => gotB.push([m, ch, pattern]))).toBe(1);
    expect(await publisher.publish('news.shanxi', 'harmony')).toBe(2);
    await waitFor(() => gotA.length === 1 && gotB.length === 1, 'both messages');
    expect(gotA).toEqual([['harmony', 'news.shanxi']]);
    expect(gotB).toEqual([['harmony', 'news.shanxi', 'news.*']]);
    expect(await publisher.pubsubNumsub('news.shanxi', 'news.henan', 'news.none')).toEqual(
      new Map([['news.shanxi', 1], ['news.henan', 1], ['news.none', 0]]),
    );
    expect((await publisher.pubsubChannels('news.*')).sort()).toEqual(['news.henan', 'news.shandong', 'news.shanxi']);
    expect(await publisher.pubsubNumpat()).toBe(1);
    expect(await a.unsubscribe()).toBe(0);
    expect(await b.punsubscribe()).toBe(0);
    expect(await publisher.pubsubNumpat()).toBe(0);
  });
});

describe('RESP2 subscribed mode', () => {
  it('refuses other commands at once, allows PING, and ends when the count reaches 0', async () => {
    const c = await client().connect();
    const seen: string[] = [];
    const listener = (m: string): void => void seen.push(m);
    await c.subscribe(['m:a', 'm:b'], listener);
    const refused = await c.get('x').then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(CommandRefusedError);
    expect((refused as Error).message).toMatch(/subscribed mode only .*SUBSCRIBE.*PING/);
    expect(await c.ping()).toEqual(['pong', '']);
    expect(await c.unsubscribe('m:a')).toBe(1);
    await expect(c.get('x')).rejects.toBeInstanceOf(CommandRefusedError);
    expect(await c.unsubscribe('m:b', listener)).toBe(0);
    // Out of subscribed mode: an ordinary connection again.
    expect(await c.set('after', 'sub')).toBe('OK');
    expect(await c.get('after')).toBe('sub');
  });

  it('two listeners on one channel: removing one keeps the subscription', async () => {
    const c = await client().connect();
    const pub = await client().connect();
    const one: string[] = [];
    const two: string[] = [];
    const l1 = (m: string): void => void one.push(m);
    const l2 = (m: string): void => void two.push(m);
    await c.subscribe('shared', l1);
    expect(await c.subscribe('shared', l2)).toBe(1);
    await pub.publish('shared', 'x');
    await waitFor(() => one.length === 1 && two.length === 1, 'x on both');
    expect(await c.unsubscribe('shared', l1)).toBe(1);
    await pub.publish('shared', 'y');
    await waitFor(() => two.length === 2, 'y');
    expect(one).toEqual(['x']);
    expect(two).toEqual(['x', 'y']);
    expect(await pub.pubsubNumsub('shared')).toEqual(new Map([['shared', 1]]));
    expect(await c.unsubscribe('shared', l2)).toBe(0);
  });

  it('SSUBSCRIBE / SUNSUBSCRIBE and PUBSUB SHARDCHANNELS', async () => {
    const c = await client().connect();
    const pub = await client().connect();
    const got: Array<[string, string]> = [];
    expect(await c.ssubscribe('orders', (m, ch) => got.push([m, ch]))).toBe(1);
    expect(await pub.pubsubShardchannels()).toEqual(['orders']);
    expect(await pub.pubsubShardnumsub('orders')).toEqual(new Map([['orders', 1]]));
    expect(await pub.command('SPUBLISH', 'orders', 'o1')).toBe(1);
    await waitFor(() => got.length === 1, 'the shard message');
    expect(got).toEqual([['o1', 'orders']]);
    expect(await c.sunsubscribe()).toBe(0);
    expect(await pub.pubsubShardchannels()).toEqual([]);
  });

  it('subscribe() on a client not yet connected connects it', async () => {
    const c = client();
    const pub = await client().connect();
    const got: string[] = [];
    expect(await c.subscribe('early', (m) => got.push(m))).toBe(1);
    expect(c.state).toBe('ready');
    await pub.publish('early', 'hi');
    await waitFor(() => got.length === 1, 'the message');
    expect(await c.quit()).toBe('OK');
    await expect(c.subscribe('late', () => {})).rejects.toThrow(/closed/);
  });

  it('with returnBuffers, binary payloads arrive as Buffers (channel names as strings)', async () => {
    const c = await client({ returnBuffers: true }).connect();
    const pub = await client().connect();
    const got: Array<[Buffer, string]> = [];
    await c.subscribe<Buffer>('bin', (m, ch) => got.push([m, ch]));
    const payload = Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a]);
    await pub.publish('bin', payload);
    await waitFor(() => got.length === 1, 'the binary message');
    expect(Buffer.isBuffer(got[0]![0])).toBe(true);
    expect(got[0]![0].equals(payload)).toBe(true);
    expect(got[0]![1]).toBe('bin');
    expect(await c.unsubscribe()).toBe(0);
  });

  it('bad arguments reject with a TypeError', async () => {
    const c = client();
    await expect(c.subscribe([], () => {})).rejects.toBeInstanceOf(TypeError);
    await expect(c.subscribe('x', null as unknown as () => void)).rejects.toBeInstanceOf(TypeError);
  });

  it('keeps per-channel order over 10,000 messages on two channels', async () => {
    const c = await client().connect();
    const pub = await client().connect();
    const n = 10_000;
    const got = { 'ord:a': [] as number[], 'ord:b': [] as number[] };
    await c.subscribe(['ord:a', 'ord:b'], (m, ch) => got[ch as 'ord:a' | 'ord:b'].push(Number(m)));
    const sends: Array<Promise<number>> = [];
    for (let i = 0; i < n; i++) sends.push(pub.publish(i % 2 === 0 ? 'ord:a' : 'ord:b', String(i)));
    await Promise.all(sends);
    await waitFor(() => got['ord:a'].length + got['ord:b'].length === n, 'every message', 20_000);
    expect(got['ord:a']).toEqual(Array.from({ length: n / 2 }, (_, i) => 2 * i));
    expect(got['ord:b']).toEqual(Array.from({ length: n / 2 }, (_, i) => 2 * i + 1));
    await c.unsubscribe();
  });
});

describe('listener bookkeeping (property, against the server)', () => {
  const CHANNELS = ['pc:a', 'pc:b', 'pc:c'];
  const PATTERNS = ['pc:a*', 'pc:[ab]', 'pc:*'];
  const matches = (pattern: string, ch: string): boolean =>
    pattern === 'pc:*' || (pattern === 'pc:a*' && ch === 'pc:a') || (pattern === 'pc:[ab]' && (ch === 'pc:a' || ch === 'pc:b'));
  type Op = { sub: boolean; pattern: boolean; name: number | null; listener: number | null };
  const op = fc.record({
    sub: fc.boolean(),
    pattern: fc.boolean(),
    name: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
    listener: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  });

  it('any sequence of (p)subscribe / (p)unsubscribe leaves the server, the counts and the deliveries as a model says', async () => {
    const pub = await client().connect();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 8 }), async (ops: Op[]) => {
        const c = createClient({ url: t.srv.url, reactor: t.reactor });
        try {
          await c.connect();
          const got: string[][] = [[], [], []];
          const listeners = [0, 1, 2].map((i) => (m: string, ch: string, p?: string) => void got[i]!.push(`${ch}|${p ?? ''}|${m}`));
          const model = { channel: new Map<string, Set<number>>(), pattern: new Map<string, Set<number>>() };
          const total = (): number => model.channel.size + model.pattern.size;
          for (const o of ops) {
            const table = o.pattern ? model.pattern : model.channel;
            const names = o.pattern ? PATTERNS : CHANNELS;
            if (o.sub) {
              const name = names[o.name ?? 0]!;
              const l = o.listener ?? 0;
              if (!table.has(name)) table.set(name, new Set());
              table.get(name)!.add(l);
              const n = await (o.pattern ? c.psubscribe(name, listeners[l]!) : c.subscribe(name, listeners[l]!));
              expect(n).toBe(total());
            } else {
              const targets = o.name === null ? [...table.keys()] : [names[o.name]!];
              for (const t of targets) {
                const set = table.get(t);
                if (set === undefined) continue;
                if (o.listener !== null) set.delete(o.listener);
                if (o.listener === null || set.size === 0) table.delete(t);
              }
              const name = o.name === null ? undefined : names[o.name]!;
              const l = o.listener === null ? undefined : listeners[o.listener]!;
              const n = await (o.pattern ? c.punsubscribe(name, l) : c.unsubscribe(name, l));
              expect(n).toBe(total());
            }
          }
          const numsub = await pub.pubsubNumsub(...CHANNELS);
          for (const ch of CHANNELS) expect(numsub.get(ch)).toBe(model.channel.has(ch) ? 1 : 0);
          expect(await pub.pubsubNumpat()).toBe(model.pattern.size);
          for (const ch of CHANNELS) await pub.publish(ch, 'm');
          // PING's reply follows every message already sent to this connection.
          await c.ping();
          for (const i of [0, 1, 2]) {
            const want: string[] = [];
            for (const ch of CHANNELS) {
              if (model.channel.get(ch)?.has(i) === true) want.push(`${ch}||m`);
              for (const p of PATTERNS) if (matches(p, ch) && model.pattern.get(p)?.has(i) === true) want.push(`${ch}|${p}|m`);
            }
            expect(got[i]!.sort()).toEqual(want.sort());
          }
          // Confirmed before the next run counts the server's subscriptions.
          await c.unsubscribe();
          expect(await c.punsubscribe()).toBe(0);
        } finally {
          await c.disconnect();
        }
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

describe('refusals', () => {
  it('a channel the ACL forbids rejects with the NOPERM ReplyError; allowed ones still work', async () => {
    const own = await startRedis({ users: [{ name: 'limited', password: 'pw', rules: '~* resetchannels &public* +@all' }] });
    const c = client({ url: `redis://limited:pw@127.0.0.1:${own.port}` });
    const pub = client({ url: own.url });
    try {
      await c.connect();
      await pub.connect();
      const got: string[] = [];
      await expect(c.subscribe('secret', (m) => got.push(m))).rejects.toMatchObject({ name: 'ReplyError', code: 'NOPERM' });
      expect(await c.subscribe('public.news', (m) => got.push(m))).toBe(1);
      await pub.publish('secret', 'no');
      await pub.publish('public.news', 'yes');
      await waitFor(() => got.length === 1, 'the allowed message');
      expect(got).toEqual(['yes']);
      // The refused name is not held: a reconnect would not try it again.
      expect(await c.unsubscribe()).toBe(0);
    } finally {
      await c.disconnect();
      await pub.disconnect();
      await own.stop();
    }
  });
});

describe('RESP3', () => {
  it('messages arrive as pushes and the same connection keeps answering commands', async () => {
    const c = await client({ protocol: 3 }).connect();
    const pub = await client().connect();
    const got: Array<[string, string, string | undefined]> = [];
    await c.subscribe('r3', (m, ch) => got.push([m, ch, undefined]));
    await c.psubscribe('r3*', (m, ch, p) => got.push([m, ch, p]));
    expect(await c.set('r3:key', 'v')).toBe('OK');
    await pub.publish('r3', 'one');
    expect(await c.get('r3:key')).toBe('v');
    await waitFor(() => got.length === 2, 'two deliveries');
    expect(got).toContainEqual(['one', 'r3', undefined]);
    expect(got).toContainEqual(['one', 'r3', 'r3*']);
    expect(await c.unsubscribe()).toBe(1);
    expect(await c.punsubscribe()).toBe(0);
    expect(await c.get('r3:key')).toBe('v');
  });
});

describe('reconnect', () => {
  it('after kill -9 and a restart, the subscriptions are back and messages flow again', async () => {
    const own = await startRedis();
    const opts = { url: own.url, reconnect: { retries: 100, minDelayMs: 20, maxDelayMs: 100 } };
    const sub = client(opts);
    const pub = client(opts);
    try {
      await sub.connect();
      await pub.connect();
      const got: string[] = [];
      await sub.subscribe('rc:ch', (m) => got.push(m));
      await sub.psubscribe('rc:*', () => {});
      await pub.publish('rc:ch', 'before');
      await waitFor(() => got.length === 1, 'the first message');
      await own.kill9();
      await own.start();
      await waitFor(async () => {
        if (pub.state !== 'ready') return false;
        const n = await pub.pubsubNumsub('rc:ch').catch(() => new Map<string, number>());
        return n.get('rc:ch') === 1;
      }, 'the resubscription', 20_000);
      expect(await pub.pubsubNumpat()).toBe(1);
      await pub.publish('rc:ch', 'after');
      await waitFor(() => got.length === 2, 'the message after the restart');
      expect(got).toEqual(['before', 'after']);
    } finally {
      await sub.disconnect();
      await pub.disconnect();
      await own.stop();
    }
  }, 40_000);
});
