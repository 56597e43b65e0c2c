// hiredis-cluster's async API on the reactor, against a real local cluster
// (3 masters, no replicas: the failover cases are the promise client's).
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReactor, EV_READ, eventBufferWrite, type Reactor } from '@reactor-ts/reactor';
import { REDIS_REPLY_ERROR, type RedisReply } from '@reactor-ts/resp';
import { startCluster, type RedisCluster } from '@reactor-ts/test-utils';
import { REDIS_ERR, REDIS_OK } from './constants.js';
import { keySlot } from './cluster-slot.js';
import {
  HIRCLUSTER_EVENT_FREE_CONTEXT,
  HIRCLUSTER_EVENT_READY,
  HIRCLUSTER_EVENT_SLOTMAP_UPDATED,
  redisClusterAsyncCommand,
  redisClusterAsyncCommandArgv,
  redisClusterAsyncCommandToNode,
  redisClusterAsyncConnect2,
  redisClusterAsyncContextInit,
  redisClusterAsyncDisconnect,
  redisClusterAsyncFree,
  redisClusterAsyncSetConnectCallback,
  redisClusterAsyncSetDisconnectCallback,
  redisClusterAttach,
  redisClusterGetMasterNodes,
  redisClusterSetEventCallback,
  redisClusterSetOptionAddNodes,
  redisClusterSetOptionPassword,
  type RedisClusterAsyncContext,
} from './cluster.js';

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 0, password: 'pw' });
}, 120_000);
afterAll(() => cluster?.stop());

/** A connected cluster context on `r`; resolves once READY. */
function open(r: Reactor, events: number[] = []): Promise<RedisClusterAsyncContext> {
  const acc = redisClusterAsyncContextInit();
  expect(redisClusterSetOptionAddNodes(acc, cluster.addrs.slice(0, 2).join(','))).toBe(REDIS_OK);
  redisClusterSetOptionPassword(acc, 'pw');
  return new Promise((resolve) => {
    redisClusterSetEventCallback(acc, (_acc, ev) => {
      events.push(ev);
      if (ev === HIRCLUSTER_EVENT_READY) resolve(acc);
    });
    expect(redisClusterAttach(r, acc)).toBe(REDIS_OK);
    expect(redisClusterAttach(r, acc)).toBe(REDIS_ERR);
    expect(redisClusterAsyncConnect2(acc)).toBe(REDIS_OK);
  });
}

function run(fn: (r: Reactor) => Promise<void>): Promise<void> {
  const r = createReactor();
  const loop = r.eventloop();
  return fn(r).finally(async () => {
    r.stopEventloop();
    await loop;
    r.release();
  });
}

describe('hiredis-cluster async API', () => {
  it("runs the article's async counter (1,000 INCR, replies in order) beside a TCP server on one reactor", () =>
    run(async (r) => {
      // The TCP server on the same reactor answers while the counter runs.
      const port = await r.createServer(0, (socket) => {
        const e = r.newEvent(socket, (ev) => {
          for (let l = ev.in.readLine(); l !== null; l = ev.in.readLine()) eventBufferWrite(ev, `echo ${l.toString().trim()}\n`);
        }, null, (ev) => r.delEvent(ev));
        r.addEvent(e, EV_READ);
      }, { host: '127.0.0.1' });
      const events: number[] = [];
      const connected: number[] = [];
      const acc = redisClusterAsyncContextInit();
      redisClusterSetOptionAddNodes(acc, cluster.addrs.join(','));
      redisClusterSetOptionPassword(acc, 'pw');
      redisClusterAsyncSetConnectCallback(acc, (_ac, status) => connected.push(status));
      expect(redisClusterAsyncSetConnectCallback(acc, () => {})).toBe(REDIS_ERR);
      redisClusterSetEventCallback(acc, (_a, ev) => events.push(ev));
      redisClusterAttach(r, acc);
      redisClusterAsyncConnect2(acc);
      // Issued before the map is in: they wait for it, in order.
      const got: number[] = [];
      const done = new Promise<void>((resolve) => {
        redisClusterAsyncCommand(acc, () => {
          for (let i = 0; i < 1000; i++) {
            redisClusterAsyncCommand(acc, (_a, reply, privdata) => {
              got.push(Number(reply?.integer));
              expect(privdata).toBe(i);
              if (got.length === 1000) resolve();
            }, i, 'INCR %s', 'counter');
          }
        }, null, 'DEL %s', 'counter');
      });
      const echo = await new Promise<string>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => s.write('hi\r\n'));
        s.on('data', (d) => {
          s.end();
          resolve(d.toString());
        });
        s.on('error', reject);
      });
      await done;
      expect(echo).toBe('echo hi\n');
      expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(events.slice(0, 2)).toEqual([HIRCLUSTER_EVENT_SLOTMAP_UPDATED, HIRCLUSTER_EVENT_READY]);
      expect(connected.every((s) => s === REDIS_OK)).toBe(true);
      const owner = await cluster.masterOf(keySlot('counter'));
      expect(await cluster.call(owner.port, 'GET', 'counter')).toBe('1000');
      const disc: number[] = [];
      redisClusterAsyncSetDisconnectCallback(acc, (_ac, status) => disc.push(status));
      redisClusterAsyncDisconnect(acc);
      await waitFor(() => disc.length === connected.length);
      expect(disc.every((s) => s === REDIS_OK)).toBe(true);
      expect(redisClusterAsyncCommand(acc, null, null, 'PING')).toBe(REDIS_ERR);
      redisClusterAsyncFree(acc);
      expect(events.at(-1)).toBe(HIRCLUSTER_EVENT_FREE_CONTEXT);
    }));

  it('routes every key to its master, and refuses keys across slots before sending', () =>
    run(async (r) => {
      const acc = await open(r);
      const keys = Array.from({ length: 300 }, (_, i) => `route:${i}`);
      await Promise.all(keys.map((k) => new Promise<void>((resolve) => {
        redisClusterAsyncCommandArgv(acc, (_a, reply) => {
          expect(reply?.str).toBe('OK');
          resolve();
        }, null, ['SET', k, k]);
      })));
      const masters = await cluster.masters();
      for (const k of keys.slice(0, 30)) {
        const slot = keySlot(k);
        const m = masters.find((n) => n.slots.some(([a, b]) => slot >= a && slot <= b))!;
        expect(await cluster.call(m.port, 'GET', k)).toBe(k);
      }
      expect(redisClusterAsyncCommand(acc, () => expect.fail('must not run'), null, 'MSET a 1 b 2')).toBe(REDIS_ERR);
      expect(acc.errstr).toMatch(/MSET: keys in different hash slots/);
      expect(redisClusterAsyncCommand(acc, null, null, 'MSET {t}a 1 {t}b 2')).toBe(REDIS_OK);
      // One command per master, by node.
      const sizes = await Promise.all(redisClusterGetMasterNodes(acc).map((node) => new Promise<number>((resolve) => {
        redisClusterAsyncCommandToNode(acc, node, (_a, reply) => resolve(Number(reply?.integer)), null, 'DBSIZE');
      })));
      expect(sizes).toHaveLength(3);
      expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300);
      redisClusterAsyncFree(acc);
    }));

  it('follows MOVED after a slot moved, and ASK while it moves, with every callback once', () =>
    run(async (r) => {
      const events: number[] = [];
      const acc = await open(r, events);
      const slot = keySlot('{mv}');
      const from = await cluster.masterOf(slot);
      const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
      const incr = (key: string): Promise<RedisReply | null> => new Promise((resolve) => {
        expect(redisClusterAsyncCommand(acc, (_a, reply) => resolve(reply), null, 'INCR %s', key)).toBe(REDIS_OK);
      });
      for (let i = 0; i < 40; i++) expect((await incr(`{mv}:${i}`))?.integer).toBe(1);
      const before = events.filter((e) => e === HIRCLUSTER_EVENT_SLOTMAP_UPDATED).length;
      // While the slot moves key by key, keep incrementing: ASK for keys already moved.
      const migration = cluster.migrateSlot(slot, to.port, { keyDelayMs: 5 });
      let moving = true;
      void migration.finally(() => (moving = false));
      let round = 1;
      const replies: Array<RedisReply | null> = [];
      while (moving) {
        round++;
        replies.push(...(await Promise.all(Array.from({ length: 40 }, (_, i) => incr(`{mv}:${i}`)))));
      }
      await migration;
      // The map is stale now (unless a MOVED seen at the end already refreshed it): MOVED sends it to the new owner at once.
      const after = await Promise.all(Array.from({ length: 40 }, (_, i) => incr(`{mv}:${i}`)));
      round++;
      expect([...replies, ...after].every((x) => x !== null && x.type !== REDIS_REPLY_ERROR)).toBe(true);
      for (let i = 0; i < 40; i++) expect(await cluster.call(to.port, 'GET', `{mv}:${i}`)).toBe(String(round));
      await waitFor(() => events.filter((e) => e === HIRCLUSTER_EVENT_SLOTMAP_UPDATED).length > before);
      redisClusterAsyncFree(acc);
    }), 60_000);

  it('settles pending commands with null on free, exactly once', () =>
    run(async (r) => {
      const acc = await open(r);
      const calls: Array<RedisReply | null> = [];
      for (let i = 0; i < 100; i++) redisClusterAsyncCommand(acc, (_a, reply) => calls.push(reply), null, 'INCR free:%d', i);
      redisClusterAsyncFree(acc);
      expect(calls).toHaveLength(100);
      expect(calls.every((c) => c === null)).toBe(true);
      expect(acc.errstr).not.toBe('');
    }));
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
