// AbortSignal on the cluster client, on a real local cluster (3 masters):
// a command aborted while it waits in one of the cluster's queues (no slot
// map yet, a node's link still opening) is dropped and never runs, with
// AbortError mayHaveRun false; one aborted on a link rejects at once as
// possibly run, and its late reply leaves the replies behind it in order.
// Pipelines and transactions are aborted whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { keySlot } from '@reactor-ts/hiredis-adapter';
import { startCluster, type RedisCluster as LocalCluster } from '@reactor-ts/test-utils';
import { createCluster, type ClusterOptions, type RedisCluster } from './cluster.js';
import { abortRejection } from '../test/helpers.js';

let local: LocalCluster;
/** A cluster client connected for the whole file (for checks and the "sent" cases). */
let main: RedisCluster;
const made: RedisCluster[] = [];

beforeAll(async () => {
  local = await startCluster({ masters: 3, replicasPerMaster: 0 });
  main = fresh();
  await main.connect();
}, 120_000);
afterAll(async () => {
  await Promise.all(made.map((c) => c.disconnect()));
  await local?.stop();
});

function fresh(opts: Partial<ClusterOptions> = {}): RedisCluster {
  const c = createCluster({ rootNodes: [local.urls[0]!], ...opts });
  made.push(c);
  return c;
}

/** The port of the master that owns `key`'s slot, asked of the nodes themselves. */
async function ownerPort(key: string): Promise<number> {
  return (await local.masterOf(keySlot(key))).port;
}

/** EXISTS on the key's own master, bypassing every client under test. */
async function existsOnServer(key: string): Promise<boolean> {
  return (await local.call(await ownerPort(key), 'EXISTS', key)) === 1;
}

/** A key (hash tag `tag` + n) owned by a master other than the seed node's. */
async function keyOffSeed(tag: string): Promise<string> {
  const seed = Number(new URL(local.urls[0]!).port);
  for (let i = 0; i < 1000; i++) {
    const k = `{${tag}${i}}:k`;
    if ((await ownerPort(k)) !== seed) return k;
  }
  throw new Error('no key off the seed node');
}

describe('cluster withAbortSignal: unsent commands are dropped and never run', () => {
  it('before the first slot map: commands, a pipeline and a transaction are taken out of the queue whole', async () => {
    const c = fresh({ offlineQueueLimit: 4 });
    const ctl = new AbortController();
    const view = c.withAbortSignal(ctl.signal);
    const keys = ['ca:pre:a', 'ca:pre:b', '{ca}:pre:c', '{ca}:pre:d', 'ca:pre:e'];
    // Nothing connected yet: everything waits in the cluster's pre-map queue.
    expect(c.state).toBe('idle');
    const singles = [view.set(keys[0]!, 'must-not-run'), view.incr(keys[1]!)];
    const pipe = c.pipeline().set(keys[2]!, 'x').set(keys[3]!, 'y').exec({ signal: ctl.signal });
    const tx = c.multi().set(keys[2]!, 'x').incr(keys[3]!).exec({ signal: ctl.signal });
    ctl.abort();
    const errs = await Promise.all([...singles, pipe, tx].map(abortRejection));
    expect(errs.map((e) => e.mayHaveRun)).toEqual([false, false, false, false]);
    expect(errs[0]!.message).toMatch(/before it was sent/);
    // Their room in the queue (limit 4) is free again at once: four more fit.
    const after = [c.set(keys[4]!, '1'), c.incr(keys[4]!), c.incr(keys[4]!), c.get(keys[4]!)];
    expect(await Promise.all(after)).toEqual(['OK', 2, 3, '3']);
    for (const k of keys.slice(0, 4)) expect(await existsOnServer(k), k).toBe(false);
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });

  it('while the node link opens: a command, a pipeline on that node and a transaction never run', async () => {
    const c = fresh();
    await c.connect();
    // Only the seed's link is open: a key of another master waits in that node's queue.
    const k = await keyOffSeed('nl');
    const tag = k.slice(0, k.indexOf('}') + 1);
    const ctl = new AbortController();
    const one = c.withAbortSignal(ctl.signal).set(k, 'must-not-run');
    const pipe = c.pipeline().set(`${tag}:p1`, '1').incr(`${tag}:p2`).exec({ signal: ctl.signal });
    const tx = c.multi().set(`${tag}:t1`, '1').incr(`${tag}:t2`).exec({ signal: ctl.signal });
    ctl.abort();
    const errs = await Promise.all([one, pipe, tx].map(abortRejection));
    expect(errs.map((e) => e.mayHaveRun)).toEqual([false, false, false]);
    // The link opens anyway (other commands use it); the aborted ones are not written on it.
    expect(await c.incr(`${tag}:after`)).toBe(1);
    for (const key of [k, `${tag}:p1`, `${tag}:p2`, `${tag}:t1`, `${tag}:t2`]) expect(await existsOnServer(key), key).toBe(false);
  });

  it('many aborted commands before the map are shed in bulk: the queue does not keep them', async () => {
    const c = fresh({ offlineQueueLimit: 1000 });
    for (let round = 0; round < 5; round++) {
      const ctl = new AbortController();
      const ps = Array.from({ length: 1000 }, (_, i) => c.withAbortSignal(ctl.signal).set(`{cab}:${i}`, 'x'));
      ctl.abort();
      expect((await Promise.all(ps.map(abortRejection))).every((e) => !e.mayHaveRun)).toBe(true);
    }
    // 5,000 aborted under a limit of 1,000: each round freed its room.
    expect(await c.set('ca:bulk:last', '1')).toBe('OK');
    expect(await c.exists('{cab}:0', '{cab}:999')).toBe(0);
  });
});

describe('cluster withAbortSignal: between a reply that says "not here" and the resend', () => {
  it('after MOVED (a stale map), an abort before the resend: not sent to the new owner, mayHaveRun false', async () => {
    const c = fresh();
    await c.connect();
    const key = '{mvab}k';
    const slot = keySlot(key);
    const from = await local.masterOf(slot);
    const to = (await local.masters()).find((m) => m.port !== from.port)!;
    // c's map still names `from`: its SET is answered MOVED, then would go to `to`.
    await local.migrateSlot(slot, to.port);
    const ctl = new AbortController();
    const moved = c.moved.bind(c);
    c.moved = (s, addr) => {
      moved(s, addr);
      ctl.abort(); // the moment the MOVED is handled, before the command is routed again
    };
    const err = await abortRejection(c.withAbortSignal(ctl.signal).set(key, 'must-not-run'));
    expect(err.mayHaveRun).toBe(false);
    expect(c.stats.moved).toBeGreaterThan(0);
    expect((await local.masterOf(slot)).port).toBe(to.port);
    expect(await existsOnServer(key)).toBe(false);
  });

  it('after TRYAGAIN (a slot half migrated), an abort while the retry waits: never resent, mayHaveRun false', async () => {
    const c = fresh();
    await c.connect();
    const [have, missing] = ['{trab}have', '{trab}missing'];
    const slot = keySlot(have);
    const from = await local.masterOf(slot);
    const to = (await local.masters()).find((m) => m.port !== from.port)!;
    await main.set(have, 'before');
    // Migrating with one of the two keys present: Redis answers a two-key command TRYAGAIN.
    await local.call(to.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id);
    await local.call(from.port, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
    try {
      const ctl = new AbortController();
      const later = c.retryLater.bind(c);
      c.retryLater = (cmd, cause) => {
        later(cmd, cause);
        ctl.abort(); // the command now waits for its retry timer
      };
      const err = await abortRejection(c.withAbortSignal(ctl.signal).mset(have, 'after', missing, 'x'));
      expect(err.mayHaveRun).toBe(false);
      // Past the longest backoff: had it been resent, it would have run once the slot is stable.
      await local.call(from.port, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
      await local.call(to.port, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
      await new Promise((r) => setTimeout(r, 300));
      expect(await local.call(from.port, 'GET', have)).toBe('before');
      expect(await existsOnServer(missing)).toBe(false);
    } finally {
      await local.call(from.port, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
      await local.call(to.port, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
    }
  });
});

describe('cluster withAbortSignal: sent commands reject at once, replies stay in order', () => {
  it('a blocked command and a pipeline behind it reject as possibly run; later commands on the node get their own replies', async () => {
    const c = fresh();
    await c.connect();
    await main.del('{cb}list', '{cb}after');
    const ctl = new AbortController();
    const blocked = c.withAbortSignal(ctl.signal).blpop(['{cb}list'], 0);
    // Same node, queued behind BLPOP on the same link: written, not answered.
    const pipe = c.pipeline().incr('{cb}after').incr('{cb}after').exec({ signal: ctl.signal });
    let afterSettled = false;
    const after = c.incr('{cb}after').finally(() => (afterSettled = true));
    // Wait until BLPOP blocks on its node.
    const port = await ownerPort('{cb}list');
    for (let i = 0; i < 400 && !/blocked_clients:[1-9]/.test(String(await local.call(port, 'INFO', 'clients'))); i++) await new Promise((r) => setTimeout(r, 5));
    ctl.abort();
    const errs = await Promise.all([blocked, pipe].map(abortRejection));
    expect(errs.map((e) => e.mayHaveRun)).toEqual([true, true]);
    expect(afterSettled).toBe(false);
    await main.lpush('{cb}list', 'taken');
    // The pipeline did run (it was written): the INCR behind it reads 3, its own reply.
    expect(await after).toBe(3);
    expect(await main.llen('{cb}list')).toBe(0);
    expect(await c.ping()).toBe('PONG');
  });

  it('a fan-out (keyless, to every master) aborted before the map is not sent to any', async () => {
    const c = fresh();
    await main.set('ca:fan', '1');
    const ctl = new AbortController();
    const flush = c.withAbortSignal(ctl.signal).command('FLUSHALL');
    ctl.abort();
    expect((await abortRejection(flush)).mayHaveRun).toBe(false);
    expect(await c.get('ca:fan')).toBe('1');
  });
});
