// The cluster client under topology changes, on a real local cluster
// (3 masters, 1 replica each): live resharding under an INCR load, a
// pipeline of 1,000 under a slot move, CLUSTER FAILOVER and kill -9 of a
// master mid-load. Bounded: the load runs in bursts of 1,000 INCR while the
// change runs (a few tens of thousands of commands in all); the issue's
// 100,000-command form is the same code with bigger numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '@reactor-ts/hiredis-adapter';
import { startCluster, type RedisCluster as LocalCluster } from '@reactor-ts/test-utils';
import { createCluster, type RedisCluster } from './cluster.js';
import { ClusterUnavailableError } from './cluster-errors.js';
import { ClientClosedError, ConnectionError, ReplyError, TimeoutError } from './errors.js';

let local: LocalCluster;
let client: RedisCluster;
beforeAll(async () => {
  local = await startCluster({ masters: 3, replicasPerMaster: 1, password: 'pw' });
  client = createCluster({ rootNodes: [local.urls[0]!] });
  await client.connect();
}, 120_000);
afterAll(async () => {
  await client?.quit();
  await local?.stop();
});

/** 1,000 keys over 20 hash tags (20 slots of 50 keys), so a moved slot carries load. */
const TAGS = Array.from({ length: 20 }, (_, i) => `t${i}`);
const KEYS = Array.from({ length: 1000 }, (_, i) => `{${TAGS[i % 20]}}:${i}`);

/** INCR bursts over KEYS until stopped, counting what each key's promise said. */
class Load {
  readonly ok = new Map<string, number>();
  readonly mayHaveRun = new Map<string, number>();
  notRun = 0;
  readonly unexpected: unknown[] = [];
  private stopped = false;
  bursts = 0;
  readonly done: Promise<void>;

  constructor(
    c: RedisCluster,
    private readonly maxBursts = 60,
  ) {
    this.done = this.loop(c);
  }

  private async loop(c: RedisCluster): Promise<void> {
    while (!this.stopped && this.bursts < this.maxBursts) {
      this.bursts++;
      await Promise.all(KEYS.map((k) => c.incr(k).then(() => bump(this.ok, k), (err: unknown) => this.failed(k, err))));
    }
  }

  private failed(k: string, err: unknown): void {
    if (err instanceof ClusterUnavailableError || err instanceof ClientClosedError) this.notRun++;
    else if ((err instanceof ConnectionError && err.code !== 'ERR_COMMAND_REFUSED') || err instanceof TimeoutError) bump(this.mayHaveRun, k);
    else this.unexpected.push(err);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Per key: the server's counter equals the successes, or exceeds them by at most the "may have run" failures. */
async function checkCounters(c: RedisCluster, load: Load, base: Map<string, number>): Promise<{ exact: number }> {
  const values = await Promise.all(KEYS.map((k) => c.get(k)));
  let exact = 0;
  KEYS.forEach((k, i) => {
    const server = Number(values[i] ?? 0) - (base.get(k) ?? 0);
    const ok = load.ok.get(k) ?? 0;
    const maybe = load.mayHaveRun.get(k) ?? 0;
    expect(server, k).toBeGreaterThanOrEqual(ok);
    expect(server, k).toBeLessThanOrEqual(ok + maybe);
    if (server === ok) exact++;
  });
  return { exact };
}

async function snapshot(c: RedisCluster): Promise<Map<string, number>> {
  const values = await Promise.all(KEYS.map((k) => c.get(k)));
  return new Map(KEYS.map((k, i) => [k, Number(values[i] ?? 0)]));
}

async function otherMaster(slot: number): Promise<number> {
  const from = await local.masterOf(slot);
  return (await local.masters()).find((m) => m.port !== from.port)!.port;
}

describe('cluster client under topology changes', () => {
  it('live resharding: INCR bursts while 4 slots migrate key by key; every promise settles, counters match', async () => {
    const base = await snapshot(client);
    // A client whose map goes stale: it sends nothing while the slots move.
    const stale = createCluster({ rootNodes: [local.urls[1]!], topologyRefreshInterval: 0 });
    await stale.connect();
    const before = { ...client.stats };
    const load = new Load(client);
    // Multi-key reads on a moving slot: TRYAGAIN while its keys are split, retried until they are together.
    let migrating = true;
    const mgets: unknown[] = [];
    const reader = (async () => {
      while (migrating) mgets.push(await client.command('MGET', `{${TAGS[0]}}:0`, `{${TAGS[0]}}:20`, `{${TAGS[0]}}:40`).catch((e: unknown) => e));
    })();
    const moved = TAGS.slice(0, 4).map((t) => keySlot(t));
    for (const slot of moved) await local.migrateSlot(slot, await otherMaster(slot), { keyDelayMs: 2 });
    migrating = false;
    await reader;
    expect(mgets.filter((r) => !Array.isArray(r))).toEqual([]);
    await load.stop();
    expect(load.unexpected).toEqual([]);
    expect(load.notRun).toBe(0);
    const { exact } = await checkCounters(client, load, base);
    expect(exact).toBe(KEYS.length);
    expect(client.stats.ask - before.ask).toBeGreaterThan(0);
    // One refresh in flight at a time: far fewer reads than redirects.
    expect(client.stats.refreshes - before.refreshes).toBeLessThan(40);
    // multi() on a moved slot succeeds on its first call, without another command fixing the map.
    const key = `{${TAGS[0]}}:tx`;
    expect(await stale.multi().set(key, 'a').get(key).exec()).toEqual(['OK', 'a']);
    expect(stale.stats.moved).toBeGreaterThan(0);
    await stale.quit();
  }, 60_000);

  it('a pipeline of 1,000 across every master under a slot move: replies in order, nothing re-run', async () => {
    const base = await snapshot(client);
    const slot = keySlot(TAGS[5]!);
    const migration = local.migrateSlot(slot, await otherMaster(slot), { keyDelayMs: 2 });
    let moving = true;
    void migration.finally(() => (moving = false));
    let rounds = 0;
    while (moving || rounds === 0) {
      rounds++;
      const p = client.pipeline();
      for (const k of KEYS) p.incr(k);
      const out = await p.exec();
      expect(out).toHaveLength(1000);
      out.forEach((v, i) => expect(v, KEYS[i]).toBe((base.get(KEYS[i]!) ?? 0) + rounds));
    }
    await migration;
    const after = await snapshot(client);
    for (const k of KEYS) expect(after.get(k)).toBe((base.get(k) ?? 0) + rounds);
  }, 60_000);

  it('CLUSTER FAILOVER mid-load: serves again within 2 s, nothing acknowledged lost, nothing applied twice', async () => {
    const base = await snapshot(client);
    const slot = keySlot(TAGS[10]!);
    const stale = createCluster({ rootNodes: [local.urls[2]!], topologyRefreshInterval: 0 });
    await stale.connect();
    // A shard channel of the same slot: it must still deliver after the failover.
    const heard: string[] = [];
    const channel = `{${TAGS[10]}}:ch`;
    await client.ssubscribe(channel, (m) => heard.push(m));
    const load = new Load(client);
    await new Promise((r) => setTimeout(r, 100));
    await local.failover(slot);
    const t0 = Date.now();
    await client.incr(`{${TAGS[10]}}:probe`);
    expect(Date.now() - t0).toBeLessThan(2000);
    for (let i = 0; i < 40 && heard.length === 0; i++) {
      await client.command('SPUBLISH', channel, `after-${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(heard.length).toBeGreaterThan(0);
    await client.sunsubscribe(channel);
    await load.stop();
    expect(load.unexpected).toEqual([]);
    await checkCounters(client, load, base);
    // The old master is a replica now: it answers MOVED, and the transaction follows.
    const key = `{${TAGS[10]}}:tx`;
    expect(await stale.multi().set(key, 'b').get(key).exec()).toEqual(['OK', 'b']);
    await stale.quit();
  }, 60_000);

  it('kill -9 of a master mid-load: its replica is found without user action, within 2 s of the promotion', async () => {
    const base = await snapshot(client);
    const slot = keySlot(TAGS[15]!);
    const load = new Load(client, 1000);
    await new Promise((r) => setTimeout(r, 100));
    const { killed, promoted } = await local.killMaster(slot);
    expect(promoted!.port).not.toBe(killed.port);
    const t0 = Date.now();
    await client.incr(`{${TAGS[15]}}:probe`);
    expect(Date.now() - t0).toBeLessThan(2000);
    await load.stop();
    expect(load.unexpected).toEqual([]);
    // Acknowledged writes survive; the failures are "may have run" (in flight at the kill) or "not run".
    const { exact } = await checkCounters(client, load, base);
    expect(exact).toBeGreaterThan(KEYS.length / 2);
    expect(client.nodes('master').map((n) => n.port)).toContain(promoted!.port);
    expect(client.nodes('master').map((n) => n.port)).not.toContain(killed.port);
  }, 60_000);
});

describe('an idle cluster client', () => {
  it('moves to the promoted replica of a master killed while nothing was in flight, without a command or the periodic refresh', async () => {
    // The periodic refresh is off: only the lost connection can tell the client.
    const idle = createCluster({ rootNodes: [local.urls[0]!], topologyRefreshInterval: 0 });
    await idle.connect();
    try {
      // A tag whose master still has a live replica (an earlier test killed one master).
      const all = await local.nodes();
      const tag = TAGS.find((t) => {
        const s = keySlot(t);
        const m = all.find((n) => n.role === 'master' && n.alive && n.slots.some(([a, b]) => s >= a && s <= b));
        return m !== undefined && all.some((r) => r.role === 'replica' && r.alive && r.masterId === m.id);
      })!;
      const slot = keySlot(tag);
      await idle.incr(`{${tag}}:idle`); // the slot's master has a live link now
      const before = idle.stats.refreshes;
      const { killed, promoted } = await local.killMaster(slot);
      const masters = (): number[] => idle.nodes('master').map((n) => n.port);
      const deadline = Date.now() + 30_000;
      while ((masters().includes(killed.port) || !masters().includes(promoted!.port)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      // The map was re-read on the loss (no command was issued meanwhile) and names the promoted replica.
      expect(idle.stats.refreshes).toBeGreaterThan(before);
      expect(masters()).not.toContain(killed.port);
      expect(masters()).toContain(promoted!.port);
      const moved = idle.stats.moved;
      expect(await idle.incr(`{${tag}}:idle`)).toBe(2);
      expect(idle.stats.moved).toBe(moved); // the first command after the kill went straight to the new master
    } finally {
      await idle.quit();
    }
  }, 90_000);
});
