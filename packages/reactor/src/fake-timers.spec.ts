// The reactor reads setTimeout, setImmediate and performance.now at call
// time, so vitest's fake timers drive its timer heap deterministically.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReactor } from './index.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

// The fake clock runs a setImmediate one fake millisecond later, so each
// reactor turn costs 1 ms here: the checks below stay clear of boundaries.
const tick = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);

describe('reactor timers under fake time', () => {
  it('fires nothing early, then in expiry/insertion order', async () => {
    const r = createReactor();
    const log: string[] = [];
    r.addTimer(1000, () => log.push('1000a'));
    r.addTimer(500, () => log.push('500'));
    r.addTimer(1000, () => log.push('1000b'));
    const rep = r.addTimer(300, () => log.push('rep'), { repeat: true });
    r.addTimer(2000, () => r.stopEventloop());
    const loop = r.eventloop();
    await tick(250);
    expect(log).toEqual([]);
    await tick(100); // t = 350
    expect(log).toEqual(['rep']);
    await tick(700); // t = 1050
    expect(log).toEqual(['rep', '500', 'rep', 'rep', '1000a', '1000b']);
    r.delTimer(rep);
    await tick(1000);
    await loop;
    expect(log).toEqual(['rep', '500', 'rep', 'rep', '1000a', '1000b']);
    r.release();
  });

  it('eventloopOnce waits for the nearest timer, or resolves 0 at its timeout', async () => {
    const r = createReactor();
    let fired = false;
    r.addTimer(5000, () => (fired = true));
    const first = r.eventloopOnce(100);
    await tick(110);
    expect(await first).toBe(0);
    const second = r.eventloopOnce(-1);
    await tick(4000);
    expect(fired).toBe(false);
    await tick(1000);
    expect(await second).toBe(1);
    expect(fired).toBe(true);
    r.release();
  });
});
