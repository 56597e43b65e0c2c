import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplyQueue } from './reply-queue.js';

type Meta = { n: number };

/** The entry `shift()` just removed, as a tuple. */
function shifted(q: ReplyQueue<string, Meta>): [string | undefined, unknown, Meta | null] {
  return [q.shiftedFn, q.shiftedData, q.shiftedMeta];
}

describe('ReplyQueue', () => {
  it('behaves as an array used as a FIFO, for any mix of push and shift', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant<'shift'>('shift')), { maxLength: 5000 }), (ops) => {
        const q = new ReplyQueue<string, Meta>();
        const model: Array<[string, unknown, Meta | null]> = [];
        for (const op of ops) {
          if (op === 'shift') {
            const want = model.shift();
            expect(q.shift()).toBe(want !== undefined);
            if (want !== undefined) expect(shifted(q)).toEqual(want);
          } else {
            // Odd numbers carry a record, even ones are plain entries.
            const entry: [string, unknown, Meta | null] = [`f${op}`, op, op % 2 !== 0 ? { n: op } : null];
            q.push(...entry);
            model.push(entry);
          }
          expect(q.length).toBe(model.length);
          expect(q.peekMeta()).toEqual(model.length === 0 ? undefined : model[0]![2]);
        }
        const seen: Meta[] = [];
        q.forEachMeta((m) => seen.push(m));
        expect(seen).toEqual(model.map((e) => e[2]).filter((m) => m !== null));
        expect(q.drain().map((e) => [e.fn, e.privdata, e.meta])).toEqual(model);
        expect(q.length).toBe(0);
        expect(q.shift()).toBe(false);
      }),
    );
  });

  it('keeps 100,000 entries in order across wrap-arounds and growth', () => {
    const q = new ReplyQueue<string, Meta>();
    for (let i = 0; i < 100_000; i++) q.push('f', i, null);
    for (let i = 0; i < 60_000; i++) {
      expect(q.shift()).toBe(true);
      expect(q.shiftedData).toBe(i);
    }
    for (let i = 100_000; i < 250_000; i++) q.push('f', i, null);
    for (let i = 60_000; i < 250_000; i++) {
      expect(q.shift()).toBe(true);
      expect(q.shiftedData).toBe(i);
    }
    expect(q.shift()).toBe(false);
  });

  it('lets go of a delivered entry', () => {
    const q = new ReplyQueue<string, Meta>();
    q.push('f', 1, { n: 1 });
    q.push('g', 2, null);
    q.shift();
    // The removed slot no longer holds the entry: only the live one is visited.
    const seen: Meta[] = [];
    q.forEachMeta((m) => seen.push(m));
    expect(seen).toEqual([]);
    expect(q.length).toBe(1);
  });
});
