import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BoundedQueue } from './queue.js';

describe('BoundedQueue', () => {
  it('is FIFO across growth', () => {
    const q = new BoundedQueue<number>();
    for (let i = 0; i < 1000; i++) q.push(i);
    for (let i = 0; i < 1000; i++) expect(q.shift()).toBe(i);
    expect(q.shift()).toBeUndefined();
  });

  it('refuses items past its limit, but unshift always fits', () => {
    const q = new BoundedQueue<string>(2);
    expect(q.push('a')).toBe(true);
    expect(q.push('b')).toBe(true);
    expect(q.full).toBe(true);
    expect(q.push('c')).toBe(false);
    q.unshift('z');
    expect(q.drain()).toEqual(['z', 'a', 'b']);
    expect(q.length).toBe(0);
  });

  it('removes an item from the middle', () => {
    const q = new BoundedQueue<number>();
    [1, 2, 3, 4].forEach((n) => q.push(n));
    expect(q.remove(3)).toBe(true);
    expect(q.remove(9)).toBe(false);
    expect(q.drain()).toEqual([1, 2, 4]);
  });

  it('behaves as an array model under any sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('push' as const), v: fc.integer() }),
      fc.record({ k: fc.constant('unshift' as const), v: fc.integer() }),
      fc.record({ k: fc.constant('shift' as const) }),
      fc.record({ k: fc.constant('remove' as const), v: fc.integer({ min: -3, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 0, max: 40 }), (ops, limit) => {
        const q = new BoundedQueue<number>(limit);
        const model: number[] = [];
        for (const o of ops) {
          if (o.k === 'push') {
            const ok = q.push(o.v);
            expect(ok).toBe(model.length < limit);
            if (ok) model.push(o.v);
          } else if (o.k === 'unshift') {
            q.unshift(o.v);
            model.unshift(o.v);
          } else if (o.k === 'shift') {
            expect(q.shift()).toBe(model.shift());
          } else {
            const i = model.indexOf(o.v);
            expect(q.remove(o.v)).toBe(i !== -1);
            if (i !== -1) model.splice(i, 1);
          }
          expect(q.length).toBe(model.length);
          expect(q.peek()).toBe(model[0]);
        }
        expect(q.drain()).toEqual(model);
      }),
    );
  });
});
