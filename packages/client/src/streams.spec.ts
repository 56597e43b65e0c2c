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
});
