import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TimerHeap } from './timers.js';

describe('TimerHeap', () => {
  it('fires by expiry, equal expiries in insertion order', () => {
    const h = new TimerHeap();
    const log: string[] = [];
    h.add(0, 20, () => log.push('c'), false);
    h.add(0, 10, () => log.push('a'), false);
    h.add(0, 10, () => log.push('b'), false);
    h.add(0, 5, () => log.push('first'), false);
    expect(h.nearest()).toBe(5);
    expect(h.runDue(9)).toBe(1);
    expect(h.runDue(100)).toBe(3);
    expect(log).toEqual(['first', 'a', 'b', 'c']);
    expect(h.nearest()).toBe(-1);
  });

  it('a timer deleted inside another timer callback does not fire', () => {
    const h = new TimerHeap();
    const log: string[] = [];
    let second = 0;
    h.add(0, 10, () => {
      log.push('first');
      expect(h.del(second)).toBe(true);
    }, false);
    second = h.add(0, 10, () => log.push('second'), false);
    h.runDue(10);
    expect(log).toEqual(['first']);
    expect(h.size).toBe(0);
  });

  it('repeats until deleted, and a re-armed timer waits for the next pass', () => {
    const h = new TimerHeap();
    let n = 0;
    const id = h.add(0, 0, () => n++, true);
    expect(h.runDue(0)).toBe(1);
    expect(h.runDue(0)).toBe(0); // re-armed at now + 1 ms, not in this pass
    expect(h.runDue(1)).toBe(1);
    expect(h.del(id)).toBe(true);
    expect(h.runDue(1000)).toBe(0);
    expect(n).toBe(2);
  });

  it('del of a fired one-shot or unknown id is false', () => {
    const h = new TimerHeap();
    const id = h.add(0, 1, () => {}, false);
    h.runDue(1);
    expect(h.del(id)).toBe(false);
    expect(h.del(12345)).toBe(false);
  });

  it('fires everything in (when, insertion) order, minus deletions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ms: fc.integer({ min: 0, max: 50 }), del: fc.boolean() }), { maxLength: 200 }),
        (specs) => {
          const h = new TimerHeap();
          const fired: number[] = [];
          const ids = specs.map((s, i) => h.add(0, s.ms, () => fired.push(i), false));
          specs.forEach((s, i) => {
            if (s.del) h.del(ids[i]!);
          });
          h.runDue(1000);
          const expected = specs
            .map((s, i) => ({ ...s, i }))
            .filter((s) => !s.del)
            .sort((a, b) => a.ms - b.ms || a.i - b.i)
            .map((s) => s.i);
          expect(fired).toEqual(expected);
        },
      ),
    );
  });
});
