import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlotTable } from './slots.js';

describe('SlotTable', () => {
  it('hands out indexes inside the table and refuses when full', () => {
    const t = new SlotTable<object>(3);
    const owners = [{}, {}, {}];
    const got = owners.map((o) => t.take(o));
    expect(got.sort()).toEqual([0, 1, 2]);
    expect(t.take({})).toBe(-1);
    expect(t.used).toBe(3);
  });

  // Article defect: _get_event_t tested events[iter & MAX_CONN] but returned
  // &events[iter] (past the end), and del_event never freed the slot.
  it('never returns an index past the end and reuses freed slots (no leak)', () => {
    const t = new SlotTable<object>(4);
    for (let i = 0; i < 10_000; i++) {
      const o = {};
      const fd = t.take(o);
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(fd).toBeLessThan(4);
      expect(t.give(fd, o)).toBe(true);
    }
    expect(t.used).toBe(0);
    expect(t.available).toBe(4);
  });

  it('refuses a double or stale give', () => {
    const t = new SlotTable<object>(2);
    const a = {};
    const fd = t.take(a);
    expect(t.give(fd, a)).toBe(true);
    expect(t.give(fd, a)).toBe(false);
    const b = {};
    expect(t.take(b)).toBe(fd);
    expect(t.give(fd, a)).toBe(false);
    expect(t.get(fd)).toBe(b);
    expect(t.give(99, b)).toBe(false);
  });

  it('keeps used + available = capacity under any take/give sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 300 }), (ops) => {
        const t = new SlotTable<object>(8);
        const held: Array<[number, object]> = [];
        for (const take of ops) {
          if (take) {
            const o = {};
            const fd = t.take(o);
            if (held.length === 8) expect(fd).toBe(-1);
            else {
              expect(held.some(([h]) => h === fd)).toBe(false);
              held.push([fd, o]);
            }
          } else if (held.length > 0) {
            const [fd, o] = held.pop()!;
            expect(t.give(fd, o)).toBe(true);
          }
          expect(t.used).toBe(held.length);
          expect(t.used + t.available).toBe(8);
        }
      }),
    );
  });
});
