// The promise cluster client on a real local cluster (3 masters, 1 replica
// each): routing, fan-out, pipelines, transactions, scripts, pub/sub, scan.
// The topology faults (resharding under load, failover, kill -9) are in
// cluster-faults.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '@reactor-ts/hiredis-adapter';
import { startCluster, type RedisCluster as LocalCluster } from '@reactor-ts/test-utils';
import { createCluster, type RedisCluster } from './cluster.js';
import { CrossSlotError, MaxRedirectionsError } from './cluster-errors.js';
import { getEventListeners } from 'node:events';
import { AbortError, CommandRefusedError, ReplyError } from './errors.js';
import type { ClusterOptions } from './cluster.js';
import { defineScript } from './script.js';

let local: LocalCluster;
let cluster: RedisCluster;
beforeAll(async () => {
  local = await startCluster({ masters: 3, replicasPerMaster: 1, password: 'pw' });
  cluster = createCluster({ rootNodes: [local.urls[0]!] });
  await cluster.connect();
}, 120_000);
afterAll(async () => {
  await cluster?.quit();
  await local?.stop();
});

describe('createCluster', () => {
  it('routes 10,000 keys to their masters with no MOVED once the map is loaded', async () => {
    await cluster.command('FLUSHALL');
    const moved = cluster.stats.moved;
    const keys = Array.from({ length: 10_000 }, (_, i) => `key:${i}`);
    const replies = await Promise.all(keys.map((k) => cluster.set(k, k)));
    expect(replies.every((r) => r === 'OK')).toBe(true);
    expect(await Promise.all(keys.slice(0, 500).map((k) => cluster.get(k)))).toEqual(keys.slice(0, 500));
    expect(cluster.stats.moved - moved).toBe(0);
    // Every key is on the master that owns its slot.
    const masters = await local.masters();
    for (const k of keys.filter((_, i) => i % 500 === 0)) {
      const slot = keySlot(k);
      const owner = masters.find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b))!;
      expect(await local.call(owner.port, 'GET', k)).toBe(k);
    }
    // DBSIZE goes to every master and sums (its response_policy tip); FLUSHALL to every master.
    expect(await cluster.command('DBSIZE')).toBe(10_000);
    expect(await cluster.command('FLUSHALL')).toBe('OK');
    expect(await cluster.command('DBSIZE')).toBe(0);
  });

  it('refuses keys in different slots before sending, and allows a shared hash tag', async () => {
    await expect(cluster.command('MSET', 'a', '1', 'b', '2')).rejects.toBeInstanceOf(CrossSlotError);
    expect(await cluster.command('MSET', '{u}a', '1', '{u}b', '2')).toBe('OK');
    expect(await cluster.command('MGET', '{u}a', '{u}b')).toEqual(['1', '2']);
    await expect(cluster.pipeline().set('a', '1').command('MGET', 'a', 'b').exec()).rejects.toBeInstanceOf(CrossSlotError);
    await expect(cluster.multi().set('a', '1').set('b', '2').exec()).rejects.toBeInstanceOf(CrossSlotError);
    // A server error is a ReplyError as usual.
    await cluster.set('str', 'x');
    await expect(cluster.command('LPUSH', 'str', 'y')).rejects.toBeInstanceOf(ReplyError);
  });

  it('runs a pipeline of 1,000 across every master, replies in order', async () => {
    const p = cluster.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`p:${i}`, String(i)).get(`p:${i}`);
    const out = await p.exec();
    expect(out).toHaveLength(2000);
    for (let i = 0; i < 1000; i++) expect(out.slice(2 * i, 2 * i + 2)).toEqual(['OK', String(i)]);
  });

  it('refuses a pipeline whole, on every node, when one command has an argument the encoder refuses', async () => {
    // Keys on all three masters ahead of the bad command: none of them may be sent.
    const keys = ['refuse:a', 'refuse:b', 'refuse:c', 'refuse:d', 'refuse:e', 'refuse:f'];
    const masters = await local.masters();
    const ownerOf = (k: string): number => masters.find((m) => m.slots.some(([a, b]) => keySlot(k) >= a && keySlot(k) <= b))!.port;
    expect(new Set(keys.map(ownerOf)).size).toBe(3);
    const p = cluster.pipeline();
    for (const k of keys) p.set(k, '1');
    p.command('SET', 'refuse:g', Number.NaN);
    await expect(p.exec()).rejects.toBeInstanceOf(CommandRefusedError);
    for (const k of keys) expect(await local.call(ownerOf(k), 'EXISTS', k)).toBe(0);
  });

  it('runs multi() on its slot, and watchRetry on the keys\' master', async () => {
    const r = await cluster.multi().set('{acct}a', '10').incrby('{acct}a', 5).get('{acct}a').exec();
    expect(r).toEqual(['OK', 15, '15']);
    const w = await cluster.watchRetry(['{acct}a'], async (conn) => {
      const v = Number(await conn.get('{acct}a'));
      return conn.multi().set('{acct}a', String(v * 2));
    });
    expect(w).toEqual(['OK']);
    expect(await cluster.get('{acct}a')).toBe('30');
  });

  it('runs scripts by their keys (EVALSHA, NOSCRIPT → EVAL), SCRIPT LOAD on every master', async () => {
    const s = defineScript("return redis.call('INCRBY', KEYS[1], ARGV[1])", { numberOfKeys: 1 });
    expect(await s.call(cluster, 'sc:1', '3')).toBe(3);
    expect(await s.call(cluster, 'sc:2', '4')).toBe(4);
    expect(await cluster.scriptLoad(s.source)).toBe(s.sha1);
    // SCRIPT EXISTS asks every master and ANDs (agg_logical_and).
    expect(await cluster.scriptExists(s.sha1)).toEqual([true]);
  });

  it('iterates keys over every master with scanIterator', async () => {
    await cluster.command('FLUSHALL');
    await Promise.all(Array.from({ length: 300 }, (_, i) => cluster.set(`scan:${i}`, '1')));
    const seen = new Set<string>();
    for await (const k of cluster.scanIterator({ match: 'scan:*', count: 50 })) seen.add(String(k));
    expect(seen.size).toBe(300);
  });

  it('iterates every master through views too (signal, Buffers, reply mapping, key prefix), each key once', async () => {
    await cluster.command('FLUSHALL');
    await Promise.all(Array.from({ length: 300 }, (_, i) => cluster.set(`vscan:${i}`, '1')));
    const signal = new AbortController().signal;
    const views = {
      signal: cluster.withAbortSignal(signal),
      buffers: cluster.withBuffers(),
      both: cluster.withBuffers().withAbortSignal(signal),
      mapping: cluster.withReplyMapping({ map: 'object' }),
      prefix: cluster.withKeyPrefix('nothing:'),
    };
    for (const [name, view] of Object.entries(views)) {
      const seen: string[] = [];
      for await (const k of view.scanIterator({ match: 'vscan:*', count: 20 })) {
        // withBuffers' view yields Buffers; the others strings.
        expect(Buffer.isBuffer(k), name).toBe(name === 'buffers' || name === 'both');
        seen.push(k.toString());
      }
      expect({ name, count: seen.length, distinct: new Set(seen).size }).toEqual({ name, count: 300, distinct: 300 });
    }
    // An aborted signal's view refuses the first page as not sent.
    const ac = new AbortController();
    ac.abort();
    const it = cluster.withAbortSignal(ac.signal).scanIterator({ match: 'vscan:*' });
    await expect(it.next()).rejects.toMatchObject({ name: 'AbortError', mayHaveRun: false });
  });

  it('sends read-only commands to replicas with useReplicas', async () => {
    const ro = createCluster({ rootNodes: local.urls.slice(0, 2), useReplicas: true });
    try {
      await ro.connect();
      await ro.set('rr', 'v');
      const masters = new Set((await local.masters()).map((m) => m.port));
      // WAIT makes the write visible on the replica before reading there.
      await ro.command('WAIT', 1, 1000).catch(() => 0);
      let got: unknown = null;
      for (let i = 0; i < 20 && got !== 'v'; i++) got = await ro.get('rr');
      expect(got).toBe('v');
      const replicaNodes = ro.nodes('replica');
      expect(replicaNodes.length).toBe(3);
      expect(replicaNodes.every((n) => !masters.has(n.port))).toBe(true);
      const roles = await Promise.all(replicaNodes.map(async (n) => {
        await n.client.connect();
        return String(await n.client.command('ROLE').then((r) => (r as unknown[])[0]));
      }));
      expect(roles).toEqual(['slave', 'slave', 'slave']);
    } finally {
      await ro.quit();
    }
  });

  it('bounds redirects with maxRedirections', async () => {
    const c = createCluster({ rootNodes: [local.urls[0]!], maxRedirections: 0 });
    try {
      await c.connect();
      const key = 'redir';
      const slot = keySlot(key);
      const owner = await local.masterOf(slot);
      const other = (await local.masters()).find((m) => m.port !== owner.port)!;
      // Point the slot at the wrong master by hand: the first MOVED already exceeds 0 hops.
      c.map!.moveSlot(slot, { host: '127.0.0.1', port: other.port, addr: `127.0.0.1:${other.port}`, id: '' });
      (c as unknown as { slotNodes: unknown[] }).slotNodes[slot] = c.node({ host: '127.0.0.1', port: other.port, addr: `127.0.0.1:${other.port}`, id: '' });
      await expect(c.get(key)).rejects.toBeInstanceOf(MaxRedirectionsError);
    } finally {
      await c.quit();
    }
  });

  it('delivers pub/sub: channels on one node, shard channels on their slot\'s master', async () => {
    const got: string[] = [];
    await cluster.subscribe('news', (m) => got.push(`news:${m}`));
    await cluster.ssubscribe('{s}shard', (m) => got.push(`shard:${m}`));
    // PUBLISH counts the receivers on the node it reached only: the message still reaches all.
    await cluster.publish('news', 'a');
    expect(await cluster.command('SPUBLISH', '{s}shard', 'b')).toBe(1);
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got.sort()).toEqual(['news:a', 'shard:b']);
    await cluster.unsubscribe('news');
    await cluster.sunsubscribe('{s}shard');
  });

  it('lists nodes, and rejects commands after quit', async () => {
    const c = createCluster({ rootNodes: [local.urls[1]!] });
    await c.connect();
    expect(c.nodes('master')).toHaveLength(3);
    expect(c.nodes()).toHaveLength(6);
    await c.quit();
    await expect(c.get('x')).rejects.toThrow(/closed|quit/);
  });
});

describe('createCluster: per-command options', () => {
  it('withAbortSignal: refused before sending when aborted, rejects at once once sent; no listener left', async () => {
    const other = createCluster({ rootNodes: [local.urls[0]!] });
    try {
      await cluster.del('{ab}list', '{ab}k');
      const pre = await cluster.withAbortSignal(AbortSignal.abort()).set('{ab}k', 'x').catch((e: unknown) => e);
      expect(pre).toBeInstanceOf(AbortError);
      expect((pre as AbortError).mayHaveRun).toBe(false);
      const prePipe = await cluster.pipeline().set('{ab}k', 'y').exec({ signal: AbortSignal.abort() }).catch((e: unknown) => e);
      expect((prePipe as AbortError).mayHaveRun).toBe(false);
      expect(await cluster.get('{ab}k')).toBeNull();
      const ctl = new AbortController();
      const blocked = cluster.withAbortSignal(ctl.signal).blpop(['{ab}list'], 0);
      await new Promise((r) => setTimeout(r, 50));
      ctl.abort();
      const err = await blocked.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AbortError);
      expect((err as AbortError).mayHaveRun).toBe(true);
      // The BLPOP still runs on its node and takes the element; its reply is dropped.
      await other.lpush('{ab}list', 'v');
      expect(await cluster.llen('{ab}list')).toBe(0);
      const ctl2 = new AbortController();
      await Promise.all(Array.from({ length: 500 }, (_, i) => cluster.withAbortSignal(ctl2.signal).set(`ab:${i}`, '1')));
      expect(getEventListeners(ctl2.signal, 'abort')).toHaveLength(0);
    } finally {
      await other.quit();
    }
  });

  it('withBuffers: pipelines across every master and a transaction give Buffers in every entry', async () => {
    const bin = Buffer.from([0xff, 0x00, 0xfe]);
    const keys = ['wbc:a', 'wbc:b', 'wbc:c', 'wbc:d', 'wbc:e', 'wbc:f'];
    for (const k of keys) await cluster.set(k, bin);
    const p = cluster.withBuffers().pipeline();
    for (const k of keys) p.get(k);
    expect(await p.exec()).toEqual(keys.map(() => bin));
    expect(await cluster.pipeline({ buffers: true }).get('wbc:a').incr('{wbc}n').exec()).toEqual([bin, 1]);
    expect(await cluster.withBuffers().multi().set('{wbc}t', bin).get('{wbc}t').exec()).toEqual([Buffer.from('OK'), bin]);
    expect(await cluster.pipeline().get('wbc:a').exec()).toEqual([bin.toString('utf8')]);
  });

  it('keyPrefix: the option is refused (it would route by the bare key); withKeyPrefix routes by the prefixed key', async () => {
    expect(() => createCluster({ rootNodes: [local.urls[0]!], keyPrefix: 'x:' } as ClusterOptions)).toThrow(TypeError);
    expect(() => createCluster({ rootNodes: [local.urls[0]!], replyMapping: { map: 'object' } } as ClusterOptions)).toThrow(TypeError);
    const app = cluster.withKeyPrefix('{kp}:');
    expect(await app.mset('a', '1', 'b', '2')).toBe('OK');
    expect(await cluster.mget('{kp}:a', '{kp}:b')).toEqual(['1', '2']);
    // withBuffers: this command's reply as a Buffer, the cluster's other commands keep strings.
    expect(await cluster.withBuffers().get('{kp}:a')).toEqual(Buffer.from('1'));
    expect(await cluster.withBuffers().mget('{kp}:a', '{kp}:b')).toEqual([Buffer.from('1'), Buffer.from('2')]);
    expect(await cluster.get('{kp}:a')).toBe('1');
  });
});
