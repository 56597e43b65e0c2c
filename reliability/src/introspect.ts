/**
 * What a soak can observe of a reactor's tables. The public API has
 * `reactor.size` (slots in use) but nothing for timers, so the timer heap is
 * read through its private fields: a test-only look, checked at runtime so
 * that a renamed field fails loudly instead of reading as zero.
 */
import type { Reactor } from '@reactor-ts/reactor';

export interface Tables {
  /** Slots in use (public `reactor.size`). */
  slots: number;
  /** Live timers (TimerHeap.size, private). */
  timers: number;
  /** Records in the heap array, deleted ones included (deletion is lazy). */
  heapRecords: number;
}

export function tablesOf(r: Reactor): Tables {
  const heap = (r as unknown as { timers?: { size?: unknown; heap?: unknown } }).timers;
  if (heap === undefined || typeof heap.size !== 'number' || !Array.isArray(heap.heap)) {
    throw new Error('reactor internals changed: no timers.size / timers.heap to inspect');
  }
  return { slots: r.size, timers: heap.size, heapRecords: heap.heap.length };
}

/** Heap used after full collections (needs --expose-gc). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}
