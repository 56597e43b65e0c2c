/**
 * What a soak can observe of a reactor's tables: `reactor.size` (slots in
 * use) and `reactor.timerCount` (live timers) are public. The heap's record
 * count (deleted timers included, since deletion is lazy) is not, so it is
 * read through a private field: a test-only look, checked at runtime so that
 * a renamed field fails loudly instead of reading as zero.
 */
import type { Reactor } from '@reactor-ts/reactor';

export interface Tables {
  /** Slots in use (public `reactor.size`). */
  slots: number;
  /** Live timers (public `reactor.timerCount`). */
  timers: number;
  /** Records in the heap array, deleted ones included (deletion is lazy). */
  heapRecords: number;
}

export function tablesOf(r: Reactor): Tables {
  const heap = (r as unknown as { timers?: { heap?: unknown } }).timers;
  if (heap === undefined || !Array.isArray(heap.heap)) {
    throw new Error('reactor internals changed: no timers.heap to inspect');
  }
  return { slots: r.size, timers: r.timerCount, heapRecords: heap.heap.length };
}

/** Heap used after full collections (needs --expose-gc). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}
