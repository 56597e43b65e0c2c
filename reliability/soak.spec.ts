/**
 * Memory soaks, each in a child process with --expose-gc so that its heap is
 * its own: commands through the hiredis adapter (callback API and promise
 * client) against a real redis-server, and connect/disconnect cycles on the
 * reactor. The heap after a forced GC must return to within a small margin
 * of the heap after warm-up, and the slot table and timer heap to empty.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { LONG, record, scale, TEST_TIMEOUT } from './src/figures.js';
import { runScript } from './src/processes.js';

const MiB = 1024 * 1024;
/** Heap growth allowed between warm-up and the end (JIT code, caches, the shared reactor's state). */
const MARGIN = 4 * MiB;

let srv: RedisServer;
beforeAll(async () => {
  srv = await startRedis();
});
afterAll(() => srv?.stop());

describe('memory soak', () => {
  it(`${scale(300_000, 5_000_000).toLocaleString('en')} commands through the adapter: heap back to start, tables empty, counter exact`, async () => {
    const n = scale(300_000, 5_000_000);
    const out = await runScript('reliability/scripts/soak-adapter.ts', [String(srv.port), String(n)], LONG ? 900_000 : 120_000);
    const res = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    expect(res['callbackReplies']).toBe(n);
    expect(res['nullReplies']).toBe(0);
    expect(res['counter']).toBe(res['expectedCounter']);
    expect(res['slots']).toBe(0);
    expect(res['timers']).toBe(0);
    expect(res['heapRecords']).toBe(0);
    expect(res['heapEnd']! - res['heapStart']!).toBeLessThan(MARGIN);
    record({
      test: 'soak: adapter commands',
      inputs: res['commands'],
      settled: res['commands'],
      lost: res['expectedCounter']! - res['counter']!,
      note: `heap ${(res['heapStart']! / MiB).toFixed(1)} → ${(res['heapEnd']! / MiB).toFixed(1)} MiB after GC; slots ${res['slots']}, timers ${res['timers']}`,
    });
  }, TEST_TIMEOUT);

  it(`${scale(10_000, 100_000).toLocaleString('en')} connect/disconnect cycles on the reactor: heap back to start, tables empty`, async () => {
    const n = scale(10_000, 100_000);
    const out = await runScript('reliability/scripts/soak-reactor.ts', [String(n)], LONG ? 900_000 : 120_000);
    const res = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    expect(res['cycles']).toBe(n);
    expect(res['failures']).toBe(0);
    expect(res['echoed']! + res['abandoned']!).toBe(n);
    // Only the listener is left; release() frees it too.
    expect(res['slots']).toBe(1);
    expect(res['timers']).toBe(0);
    expect(res['heapRecords']).toBe(0);
    expect(res['slotsAfterRelease']).toBe(0);
    expect(res['timersAfterRelease']).toBe(0);
    expect(res['heapEnd']! - res['heapStart']!).toBeLessThan(MARGIN);
    record({
      test: 'soak: reactor connect/disconnect',
      connections: n,
      settled: n,
      faults: res['abandoned'],
      lost: 0,
      note: `${res['echoed']} echoed, ${res['abandoned']} dropped mid-exchange; heap ${(res['heapStart']! / MiB).toFixed(1)} → ${(res['heapEnd']! / MiB).toFixed(1)} MiB; slots 1 (listener) → 0 after release`,
    });
  }, TEST_TIMEOUT);
});
