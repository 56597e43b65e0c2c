// Both cluster APIs over TLS, on one real local TLS cluster (startCluster's
// `tls`: 3 masters with 1 replica each, TLS-only ports, tls-cluster and
// tls-replication on): createCluster with rediss:// roots and the test CA,
// and the hiredis-cluster async API with an SSL context
// (redisClusterSetOptionEnableSSL). Each routes over every master, follows
// a MOVED after a slot move, and serves again after a failover. The nodes
// have no plain port at all, so every connection, including the ones made
// to the addresses the map, MOVED and the new master announce, is TLS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HIRCLUSTER_EVENT_READY,
  keySlot,
  redisClusterAsyncCommand,
  redisClusterAsyncConnect2,
  redisClusterAsyncContextInit,
  redisClusterAsyncFree,
  redisClusterAttach,
  redisClusterGetMasterNodes,
  redisClusterSetEventCallback,
  redisClusterSetOptionAddNodes,
  redisClusterSetOptionEnableSSL,
  redisCreateSSLContext,
  redisFreeSSLContext,
  REDIS_OK,
  type RedisClusterAsyncContext,
  type RedisSSLContext,
} from '@reactor-ts/hiredis-adapter';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import type { RedisReply } from '@reactor-ts/resp';
import { makeTlsCerts, startCluster, type RedisCluster as LocalCluster, type TlsCerts } from '@reactor-ts/test-utils';
import { createCluster, type RedisCluster } from './cluster.js';

let certs: TlsCerts;
let local: LocalCluster;
let reactor: Reactor;
let loop: Promise<void>;
let ssl: RedisSSLContext;
beforeAll(async () => {
  certs = makeTlsCerts();
  local = await startCluster({ masters: 3, replicasPerMaster: 1, tls: { certs } });
  reactor = createReactor();
  loop = reactor.eventloop();
  const made = redisCreateSSLContext({ cacert: certs.ca.certFile });
  if (typeof made === 'string') throw new Error(made);
  ssl = made;
}, 120_000);
afterAll(async () => {
  reactor?.stopEventloop();
  await loop;
  reactor?.release();
  if (ssl !== undefined) redisFreeSSLContext(ssl);
  await local?.stop();
  certs?.remove();
});

/** A promise cluster client over TLS (the map is re-read only on MOVED and node loss, so a stale map shows). */
function tlsCluster(): RedisCluster {
  return createCluster({ rootNodes: [local.urls[0]!], tls: { ca: certs.ca.cert }, topologyRefreshInterval: 0 });
}

/** A hiredis-cluster context over TLS on the test reactor; resolves once READY. */
function openAcc(): Promise<RedisClusterAsyncContext> {
  const acc = redisClusterAsyncContextInit();
  expect(redisClusterSetOptionAddNodes(acc, local.addrs[0]!)).toBe(REDIS_OK);
  expect(redisClusterSetOptionEnableSSL(acc, ssl)).toBe(REDIS_OK);
  return new Promise((resolve) => {
    redisClusterSetEventCallback(acc, (_a, ev) => {
      if (ev === HIRCLUSTER_EVENT_READY) resolve(acc);
    });
    redisClusterAttach(reactor, acc);
    expect(redisClusterAsyncConnect2(acc)).toBe(REDIS_OK);
  });
}

function accCommand(acc: RedisClusterAsyncContext, fmt: string, ...args: string[]): Promise<RedisReply | null> {
  return new Promise((resolve) => {
    expect(redisClusterAsyncCommand(acc, (_a, reply) => resolve(reply), null, fmt, ...args)).toBe(REDIS_OK);
  });
}

/** The master port that owns each key's slot, from the cluster's own view. */
async function owners(keys: string[]): Promise<number[]> {
  const masters = await local.masters();
  return keys.map((k) => masters.find((m) => m.slots.some(([a, b]) => keySlot(k) >= a && keySlot(k) <= b))!.port);
}

const KEYS = Array.from({ length: 300 }, (_, i) => `tls:${i}`);

describe('a TLS cluster', () => {
  it('createCluster routes over every master on the TLS ports the nodes announce', async () => {
    const c = tlsCluster();
    await c.connect();
    // The map's masters are the TLS ports (CLUSTER SHARDS lists only tls-port here).
    const masterPorts = (await local.masters()).map((m) => m.port).sort();
    expect(c.nodes('master').map((n) => n.port).sort()).toEqual(masterPorts);
    const moved = c.stats.moved;
    expect(await Promise.all(KEYS.map((k) => c.set(k, k)))).toEqual(KEYS.map(() => 'OK'));
    const p = c.pipeline();
    for (const k of KEYS) p.get(k);
    expect(await p.exec()).toEqual(KEYS);
    expect(c.stats.moved - moved).toBe(0);
    const where = await owners(KEYS);
    expect(new Set(where).size).toBe(3);
    for (let i = 0; i < KEYS.length; i += 50) expect(await local.call(where[i]!, 'GET', KEYS[i]!)).toBe(KEYS[i]);
    await c.quit();
  });

  it('the hiredis-cluster API routes over every master with its SSL context', async () => {
    const acc = await openAcc();
    expect(redisClusterGetMasterNodes(acc).map((n) => n.port).sort()).toEqual((await local.masters()).map((m) => m.port).sort());
    const replies = await Promise.all(KEYS.map((k) => accCommand(acc, 'INCR %s', `h${k}`)));
    expect(replies.map((r) => r?.integer)).toEqual(KEYS.map(() => 1));
    const where = await owners(KEYS.map((k) => `h${k}`));
    expect(new Set(where).size).toBe(3);
    for (let i = 0; i < KEYS.length; i += 50) expect(await local.call(where[i]!, 'GET', `h${KEYS[i]}`)).toBe('1');
    redisClusterAsyncFree(acc);
  });

  it('both follow a MOVED after a slot move, to the TLS port it names', async () => {
    const c = tlsCluster();
    await c.connect();
    const acc = await openAcc();
    const key = '{tls-mv}:k';
    const slot = keySlot(key);
    expect(await c.incr(key)).toBe(1);
    expect((await accCommand(acc, 'INCR %s', key))?.integer).toBe(2);
    const from = await local.masterOf(slot);
    const to = (await local.masters()).find((m) => m.port !== from.port)!;
    await local.migrateSlot(slot, to.port);
    // Both maps still name `from`: it answers MOVED with `to`'s TLS port.
    const moved = c.stats.moved;
    expect(await c.incr(key)).toBe(3);
    expect(c.stats.moved - moved).toBe(1);
    expect((await accCommand(acc, 'INCR %s', key))?.integer).toBe(4);
    expect(await local.call(to.port, 'GET', key)).toBe('4');
    // The client's map now has the slot on `to`: a pipeline and a transaction go there directly.
    expect(await c.pipeline().incr(key).get(key).exec()).toEqual([5, '5']);
    expect(await c.multi().incr(key).exec()).toEqual([6]);
    expect(c.stats.moved - moved).toBe(1);
    redisClusterAsyncFree(acc);
    await c.quit();
  }, 60_000);

  it('both serve again after a failover, on the promoted replica over TLS', async () => {
    const c = tlsCluster();
    await c.connect();
    const acc = await openAcc();
    const key = '{tls-fo}:k';
    const slot = keySlot(key);
    expect(await c.set(key, 'a')).toBe('OK');
    const { oldMaster, newMaster } = await local.failover(slot);
    expect(newMaster.port).not.toBe(oldMaster.port);
    // The old master is a replica now and answers MOVED; both clients follow it to the new one.
    expect(await c.get(key)).toBe('a');
    expect(await c.set(key, 'b')).toBe('OK');
    expect(await c.multi().set(key, 'c').get(key).exec()).toEqual(['OK', 'c']);
    expect((await accCommand(acc, 'GET %s', key))?.str).toBe('c');
    expect((await accCommand(acc, 'SET %s %s', key, 'd'))?.str).toBe('OK');
    expect(await local.call(newMaster.port, 'GET', key)).toBe('d');
    expect(c.nodes('master').map((n) => n.port)).toContain(newMaster.port);
    redisClusterAsyncFree(acc);
    await c.quit();
  }, 60_000);
});
