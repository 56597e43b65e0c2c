import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deque } from './deque.js';
import { RandomSet } from './random-set.js';
import { SortedSet } from './sorted-set.js';

describe('Deque', () => {
  it('behaves like an array under any sequence of pushes and pops', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('pushFront' as const), v: fc.integer() }),
      fc.record({ kind: fc.constant('pushBack' as const), v: fc.integer() }),
      fc.record({ kind: fc.constant('popFront' as const) }),
      fc.record({ kind: fc.constant('popBack' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const d = new Deque<number>(2);
        const model: number[] = [];
        for (const o of ops) {
          if (o.kind === 'pushFront') {
            d.pushFront(o.v);
            model.unshift(o.v);
          } else if (o.kind === 'pushBack') {
            d.pushBack(o.v);
            model.push(o.v);
          } else if (o.kind === 'popFront') expect(d.popFront()).toBe(model.shift());
          else expect(d.popBack()).toBe(model.pop());
          expect(d.length).toBe(model.length);
        }
        if (model.length > 0) expect(d.slice(0, model.length - 1)).toEqual(model);
        expect(d.at(model.length)).toBeUndefined();
      }),
    );
  });
});

describe('RandomSet', () => {
  it('tracks membership like a Set, and pop empties it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 3 })), { maxLength: 200 }), (ops) => {
        const s = new RandomSet();
        const model = new Set<string>();
        for (const [add, m] of ops) {
          if (add) expect(s.add(m)).toBe(!model.has(m));
          else expect(s.delete(m)).toBe(model.has(m));
          if (add) model.add(m);
          else model.delete(m);
          expect(s.size).toBe(model.size);
        }
        expect(new Set(s.values())).toEqual(model);
        const popped = new Set<string>();
        for (let m = s.pop(); m !== undefined; m = s.pop()) popped.add(m);
        expect(popped).toEqual(model);
      }),
    );
  });
});

describe('SortedSet', () => {
  it('orders by score then member bytes, like a sorted model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'ab', 'B'), fc.integer({ min: -3, max: 3 }), fc.boolean()), {
          maxLength: 100,
        }),
        (ops) => {
          const z = new SortedSet();
          const model = new Map<string, number>();
          for (const [m, score, del] of ops) {
            if (del) {
              expect(z.delete(m)).toBe(model.delete(m));
            } else {
              expect(z.set(m, score)).toBe(!model.has(m));
              model.set(m, score);
            }
          }
          const expected = [...model]
            .map(([member, score]) => ({ member, score }))
            .sort((x, y) => x.score - y.score || (x.member < y.member ? -1 : x.member > y.member ? 1 : 0));
          expect(z.range(0, z.size - 1)).toEqual(expected);
          expect(z.popMin(2)).toEqual(expected.slice(0, 2));
          expect(z.size).toBe(Math.max(0, expected.length - 2));
        },
      ),
    );
  });

  it('keeps ranks, rank ranges and removals right at skiplist sizes, against a sorted model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 299 }), fc.integer({ min: -20, max: 20 }), fc.nat(9)), { minLength: 1, maxLength: 600 }),
        fc.nat(),
        fc.nat(),
        (ops, a, b) => {
          const z = new SortedSet();
          const model = new Map<string, number>();
          // One op in ten deletes: the list grows to hundreds of entries over many levels.
          for (const [i, score, kind] of ops) {
            const m = `m${i}`;
            if (kind === 0) expect(z.delete(m)).toBe(model.delete(m));
            else {
              expect(z.set(m, score)).toBe(!model.has(m));
              model.set(m, score);
            }
          }
          const sorted = [...model]
            .map(([member, score]) => ({ member, score }))
            .sort((x, y) => x.score - y.score || (x.member < y.member ? -1 : x.member > y.member ? 1 : 0));
          expect(z.size).toBe(sorted.length);
          sorted.forEach((e, r) => expect(z.rank(e.member)).toBe(r));
          expect(z.rank('absent')).toBeUndefined();
          if (sorted.length === 0) return;
          const lo = a % sorted.length;
          const hi = lo + (b % (sorted.length - lo));
          expect(z.range(lo, hi)).toEqual(sorted.slice(lo, hi + 1));
          expect(z.removeRange(lo, hi)).toBe(hi - lo + 1);
          const left = [...sorted.slice(0, lo), ...sorted.slice(hi + 1)];
          expect(z.range(0, z.size - 1)).toEqual(left);
          expect(z.popMax(3)).toEqual(left.slice(-3).reverse());
          expect(z.popMin(2)).toEqual(left.slice(0, Math.max(0, left.length - 3)).slice(0, 2));
          expect(z.size).toBe(Math.max(0, left.length - 5));
        },
      ),
      { numRuns: 200 },
    );
  });
});
