// The long form of the cluster resharding test (issue 16): 100,000
// INCR on 1,000 keys, auto-pipelined in bursts of 1,000, while 50 slots are
// migrated key by key; every promise settles, and per key the server's
// counter equals the successes (never more than successes + "may have run").
// Only in the long run (`pnpm test:reliability`): the normal run has the
// bounded form in packages/client/src/cluster-faults.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '@reactor-ts/hiredis-adapter';
import { ClusterUnavailableError, ConnectionError, createCluster, ReplyError, type RedisCluster } from '@reactor-ts/client';
import { startCluster, type RedisCluster as LocalCluster } from '@reactor-ts/test-utils';
import { LONG, record, scale, TEST_TIMEOUT } from './src/figures.js';

const KEYS = Array.from({ length: 1000 }, (_, i) => `rel:${i}`);

describe.skipIf(!LONG)('cluster: live resharding under load (long form)', () => {
  let local: LocalCluster;
  let client: RedisCluster;
  beforeAll(async () => {
    local = await startCluster({ masters: 3, replicasPerMaster: 0 });
    client = await createCluster({ rootNodes: [local.urls[0]!] }).connect();
  }, 120_000);
  afterAll(async () => {
    await client?.quit();
    await local?.stop();
  });

  it('100,000 INCR while 50 slots migrate: every promise settles, counters match', async () => {
    const total = scale(20_000, 100_000);
    const ok = new Map<string, number>();
    const maybe = new Map<string, number>();
    const unexpected: unknown[] = [];
    let settled = 0;
    let notRun = 0;
    const slots = [...new Set(KEYS.map((k) => keySlot(k)))].slice(0, 50);
    let migrating = true;
    const migration = (async () => {
      const masters = await local.masters();
      for (const [i, slot] of slots.entries()) {
        const from = await local.masterOf(slot);
        const to = masters.filter((m) => m.port !== from.port)[i % 2]!;
        await local.migrateSlot(slot, to.port, { keyDelayMs: 1 });
      }
      migrating = false;
    })();
    let sent = 0;
    while (sent < total || migrating) {
      await Promise.all(KEYS.map((k) => client.incr(k).then(
        () => ok.set(k, (ok.get(k) ?? 0) + 1),
        (err: unknown) => {
          if (err instanceof ClusterUnavailableError) notRun++;
          else if (err instanceof ConnectionError) maybe.set(k, (maybe.get(k) ?? 0) + 1);
          else unexpected.push(err instanceof ReplyError ? err.message : err);
        },
      ).finally(() => settled++)));
      sent += KEYS.length;
    }
    await migration;
    expect(settled).toBe(sent);
    expect(unexpected).toEqual([]);
    const values = await Promise.all(KEYS.map((k) => client.get(k)));
    let lost = 0;
    KEYS.forEach((k, i) => {
      const server = Number(values[i] ?? 0);
      const good = ok.get(k) ?? 0;
      if (server < good) lost += good - server;
      expect(server, k).toBeLessThanOrEqual(good + (maybe.get(k) ?? 0));
    });
    expect(lost).toBe(0);
    record({
      test: 'cluster: INCR under live resharding',
      inputs: sent,
      faults: slots.length,
      settled,
      lost,
      note: `MOVED ${client.stats.moved}, ASK ${client.stats.ask}, map reads ${client.stats.refreshes}, not run ${notRun}`,
    });
  }, TEST_TIMEOUT);
});
