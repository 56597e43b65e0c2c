// The consumer-group reader with two consumers on a real server, one of
// which crashes (its client is dropped) holding unacknowledged entries: the
// other claims them after claimIdleMs, and every entry is processed and
// acknowledged.
import { describe, expect, it } from 'vitest';
import { streamGroupReader, type StreamGroupEntry } from './index.js';
import { clientSuite } from '../test/helpers.js';

const suite = clientSuite();

describe('streamGroupReader', () => {
  for (const protocol of [2, 3] as const) {
    it(`shares entries between two consumers and claims a crashed one's pending entries (RESP${protocol})`, async () => {
      const admin = suite.client({ protocol });
      await admin.connect();
      const stream = `jobs${protocol}`;
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(String(await admin.xadd(stream, '*', [['n', String(i)]])));
      await admin.xgroupCreate(stream, 'workers', '0');

      // Consumer A takes 5 entries and crashes before acknowledging them.
      const a = suite.client({ protocol });
      await a.connect();
      const taken: string[] = [];
      for await (const e of streamGroupReader(a, { stream, group: 'workers', consumer: 'A', count: 5, create: false })) {
        taken.push(e.id);
        if (taken.length === 5) break;
      }
      await a.disconnect();
      expect(taken).toEqual(ids.slice(0, 5));

      // Consumer B, claiming entries idle for 100 ms, gets everything else and A's five.
      const b = suite.client({ protocol });
      await b.connect();
      await new Promise((r) => setTimeout(r, 150));
      const done = new Map<string, StreamGroupEntry>();
      for await (const e of streamGroupReader(b, { stream, group: 'workers', consumer: 'B', claimIdleMs: 100, count: 4, blockMs: 50, create: false })) {
        expect(done.has(e.id)).toBe(false);
        expect(await e.ack()).toBe(1);
        done.set(e.id, e);
        if (done.size === ids.length) break;
      }
      expect([...done.keys()].sort()).toEqual([...ids].sort());
      expect([...done.values()].filter((e) => e.claimed).map((e) => e.id)).toEqual(ids.slice(0, 5));
      expect(String(done.get(ids[7]!)!.fields[0]![1])).toBe('7');
      const pending = (await admin.xpending(stream, 'workers')) as unknown[];
      expect(pending[0]).toBe(0);
    });
  }
  it('two consumers at once share new entries; one crashes holding some, the other claims exactly those; each entry acked once', async () => {
    const admin = suite.client();
    const stream = 'jobs-concurrent';
    const N = 200;
    await admin.command('XGROUP', 'CREATE', stream, 'w', '0', 'MKSTREAM');
    const all = admin.pipeline();
    for (let i = 0; i < N; i++) all.xadd(stream, '*', [['n', String(i)]]);
    const ids = ((await all.exec()) as unknown[]).map(String);
    const acked = new Map<string, 'A' | 'B'>();
    const claimedByB: string[] = [];
    let crashed = false;
    let byBBeforeCrash = 0;
    const twice: string[] = [];
    const ack = async (e: StreamGroupEntry, by: 'A' | 'B'): Promise<void> => {
      if ((await e.ack()) !== 1 || acked.has(e.id)) twice.push(e.id);
      acked.set(e.id, by);
    };
    const a = suite.client();
    const b = suite.client();
    let startB!: () => void;
    const aStarted = new Promise<void>((r) => (startB = r));
    const runA = (async () => {
      let held = 0;
      for await (const e of streamGroupReader(a, { stream, group: 'w', consumer: 'A', count: 5, blockMs: 50, claimIdleMs: 60_000, create: false })) {
        if ([...acked.values()].filter((x) => x === 'A').length < 10) {
          await ack(e, 'A');
          startB();
          continue;
        }
        // The crash: entries taken and never acknowledged, then the connection is gone.
        if (++held === 2) break;
      }
      crashed = true;
      await a.disconnect();
    })();
    await aStarted;
    const runB = (async () => {
      for await (const e of streamGroupReader(b, { stream, group: 'w', consumer: 'B', count: 5, blockMs: 50, claimIdleMs: 2000, create: false })) {
        await ack(e, 'B');
        if (!crashed) byBBeforeCrash++;
        if (e.claimed) claimedByB.push(e.id);
        if (acked.size === N) break;
      }
    })();
    await runA;
    // What A held when it crashed: the two it was handed and the rest of its
    // last read (B claims them only once idle for 2 s, so they are still A's here).
    const pendingA = ((await admin.command('XPENDING', stream, 'w', '-', '+', 100, 'A')) as unknown[][]).map((p) => String(p[0]));
    expect(pendingA.length).toBeGreaterThanOrEqual(2);
    await runB;
    expect(twice).toEqual([]);
    expect([...acked.keys()].sort()).toEqual([...ids].sort());
    const byA = [...acked.values()].filter((x) => x === 'A').length;
    expect(byA).toBe(10);
    // B worked alongside A, not only after it.
    expect(byBBeforeCrash).toBeGreaterThan(0);
    expect(claimedByB.sort()).toEqual(pendingA.sort());
    expect(((await admin.xpending(stream, 'w')) as unknown[])[0]).toBe(0);
  });
});
