import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, parseClusterNodes, startCluster, type RedisCluster } from './cluster.js';
import { RespConnection } from './raw-resp.js';

describe('startCluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startCluster({ masters: 3, replicasPerMaster: 1, password: 'pw' });
  }, 120_000);
  afterAll(() => cluster?.stop());

  it('starts 3 masters and 3 replicas covering every slot, never on 6379', async () => {
    const nodes = await cluster.nodes();
    expect(nodes).toHaveLength(6);
    expect(nodes.every((n) => n.port !== 6379)).toBe(true);
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    const covered = masters.flatMap((m) => m.slots).reduce((n, [a, b]) => n + b - a + 1, 0);
    expect(covered).toBe(CLUSTER_SLOTS);
    for (const r of nodes.filter((n) => n.role === 'replica')) {
      expect(masters.map((m) => m.id)).toContain(r.masterId);
    }
    expect(cluster.urls[0]).toMatch(/^redis:\/\/:pw@127\.0\.0\.1:\d+$/);
  });

  it('routes: the master of a key slot accepts it, another master answers MOVED to it', async () => {
    const slot = await cluster.keySlot('user:1');
    const owner = await cluster.masterOf(slot);
    expect(await cluster.call(owner.port, 'SET', 'user:1', 'v')).toBe('OK');
    const other = (await cluster.masters()).find((m) => m.port !== owner.port)!;
    const r = await cluster.call(other.port, 'GET', 'user:1');
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toBe(`MOVED ${slot} 127.0.0.1:${owner.port}`);
  });

  it('migrates a slot key by key, with ASK visible while it moves', async () => {
    const slot = await cluster.keySlot('{mig}');
    const from = await cluster.masterOf(slot);
    const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
    for (let i = 0; i < 20; i++) await cluster.call(from.port, 'SET', `{mig}:${i}`, String(i));
    const moving = cluster.migrateSlot(slot, to.port, { keyDelayMs: 20 });
    // Once the first keys have left, asking the source for one of them gets ASK.
    let asked = '';
    const conn = await RespConnection.open(from.port);
    await conn.command('AUTH', 'pw');
    for (let tries = 0; tries < 200 && !asked; tries++) {
      const r = await conn.command('GET', '{mig}:0');
      if (r.startsWith('-ASK')) asked = r;
      else await new Promise((res) => setTimeout(res, 5));
    }
    conn.close();
    expect(asked).toBe(`-ASK ${slot} 127.0.0.1:${to.port}\r\n`);
    expect(await moving).toEqual({ keysMoved: 20 });
    expect((await cluster.masterOf(slot)).port).toBe(to.port);
    expect(await cluster.call(to.port, 'GET', '{mig}:7')).toBe('7');
  }, 60_000);

  it('fails over cleanly: the replica becomes master of the slot and keeps the data', async () => {
    const slot = await cluster.keySlot('user:1');
    const { oldMaster, newMaster } = await cluster.failover(slot);
    expect(newMaster.port).not.toBe(oldMaster.port);
    expect((await cluster.nodeAt(oldMaster.port)).role).toBe('replica');
    expect(await cluster.call(newMaster.port, 'GET', 'user:1')).toBe('v');
  }, 60_000);

  it('kill -9 of a master: its replica is promoted; the node comes back as a replica', async () => {
    const slot = await cluster.keySlot('user:1');
    const { killed, promoted } = await cluster.killMaster(slot);
    expect(promoted).not.toBeNull();
    expect(promoted!.port).not.toBe(killed.port);
    expect(await cluster.call(promoted!.port, 'GET', 'user:1')).toBe('v');
    await cluster.revive(killed.port);
    const back = await cluster.nodeAt(killed.port);
    expect(back.role).toBe('replica');
    expect(back.masterId).toBe(promoted!.id);
  }, 90_000);

  it('adds a master without slots', async () => {
    const added = await cluster.addMaster();
    expect(added.role).toBe('master');
    expect(added.slots).toEqual([]);
    expect(await cluster.nodes()).toHaveLength(7);
  }, 60_000);
});

describe('parseClusterNodes', () => {
  it('reads flags, master ids and slot ranges, skipping migrating markers', () => {
    const text =
      'a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460 [5461->-b2]\n' +
      'b2 127.0.0.1:7001@17001 slave a1 0 1 1 connected\n' +
      'c3 127.0.0.1:7002@17002 master,fail - 0 1 2 disconnected 5461 5462-10922\n';
    expect(parseClusterNodes(text)).toEqual([
      { id: 'a1', port: 7000, flags: ['myself', 'master'], masterId: null, linkState: 'connected', slots: [[0, 5460]] },
      { id: 'b2', port: 7001, flags: ['slave'], masterId: 'a1', linkState: 'connected', slots: [] },
      { id: 'c3', port: 7002, flags: ['master', 'fail'], masterId: null, linkState: 'disconnected', slots: [[5461, 5461], [5462, 10922]] },
    ]);
  });
});
