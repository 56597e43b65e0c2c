import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, resolveReconnect } from './backoff.js';

describe('reconnect policy', () => {
  it('is off unless asked for, with defaults for `true`', () => {
    expect(resolveReconnect(undefined)).toBeNull();
    expect(resolveReconnect(false)).toBeNull();
    expect(resolveReconnect(true)).toEqual({ retries: Infinity, minDelayMs: 50, maxDelayMs: 2000 });
    expect(resolveReconnect({ retries: 3 })).toEqual({ retries: 3, minDelayMs: 50, maxDelayMs: 2000 });
  });

  it('rejects nonsense', () => {
    expect(() => resolveReconnect({ retries: -1 })).toThrow(RangeError);
    expect(() => resolveReconnect({ minDelayMs: 100, maxDelayMs: 10 })).toThrow(/maxDelayMs/);
  });

  it('the first attempt at once, then doubles the step up to the cap, jitter within the upper half', () => {
    const p = { retries: 10, minDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(p, 0, () => 1)).toBe(0);
    expect(backoffDelay(p, 1, () => 0)).toBe(50);
    expect(backoffDelay(p, 1, () => 1)).toBe(100);
    expect(backoffDelay(p, 3, () => 1)).toBe(400);
    expect(backoffDelay(p, 10, () => 1)).toBe(1000);
    expect(backoffDelay(p, 10_000, () => 0)).toBe(500);
  });

  it('never goes below half the step nor above the cap', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.integer({ min: 1, max: 5000 }), fc.nat(100), fc.double({ min: 0, max: 1, noNaN: true }), (min, extra, attempt, r) => {
        const p = { retries: 1, minDelayMs: min, maxDelayMs: min + extra };
        const d = backoffDelay(p, attempt, () => r);
        if (attempt === 0) return d === 0;
        const step = Math.min(p.maxDelayMs, p.minDelayMs * 2 ** Math.min(attempt - 1, 52));
        return d >= Math.floor(step / 2) && d <= p.maxDelayMs;
      }),
    );
  });
});
