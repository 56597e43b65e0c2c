import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplyQueue } from './reply-queue.js';

describe('ReplyQueue', () => {
  it('behaves as an array used as a FIFO, for any mix of push and shift', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant<'shift'>('shift')), { maxLength: 5000 }), (ops) => {
        const q = new ReplyQueue<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === 'shift') expect(q.shift()).toBe(model.shift());
          else {
            q.push(op);
            model.push(op);
          }
          expect(q.length).toBe(model.length);
          expect(q.peek()).toBe(model[0]);
        }
        const seen: number[] = [];
        q.forEach((x) => seen.push(x));
        expect(seen).toEqual(model);
        expect(q.drain()).toEqual(model);
        expect(q.length).toBe(0);
      }),
    );
  });

  it('keeps 100,000 entries in order across its compactions', () => {
    const q = new ReplyQueue<number>();
    for (let i = 0; i < 100_000; i++) q.push(i);
    for (let i = 0; i < 60_000; i++) expect(q.shift()).toBe(i);
    for (let i = 100_000; i < 150_000; i++) q.push(i);
    for (let i = 60_000; i < 150_000; i++) expect(q.shift()).toBe(i);
    expect(q.shift()).toBeUndefined();
  });
});
