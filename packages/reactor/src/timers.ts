/**
 * Timers on a binary min-heap, ordered by (expiry, insertion sequence), so
 * timers that expire at the same millisecond fire in the order they were
 * added. Pure data structure: the caller passes `now`, which keeps it
 * testable without a clock and lets the reactor pick its time source.
 *
 * Deletion is lazy: `del` marks the record dead and forgets its id; the heap
 * drops it when it reaches the top. That is what makes "a timer deleted
 * inside another timer's callback does not fire" hold without a heap search.
 *
 *            [t=5,#1]
 *           /        \
 *     [t=5,#4]      [t=9,#2]      parent <= children; ties by #seq
 */

/** A scheduled callback. */
interface TimerRecord {
  readonly id: number;
  /** Absolute expiry, in the caller's clock. */
  when: number;
  /** Insertion sequence: the tie-break for equal `when`. */
  seq: number;
  readonly fn: () => void;
  /** Re-arm interval for repeating timers, 0 for one-shot. */
  readonly repeatMs: number;
  /** Lazily deleted: still in the heap, must not fire. */
  dead: boolean;
}

export class TimerHeap {
  private heap: TimerRecord[] = [];
  private readonly byId = new Map<number, TimerRecord>();
  private nextId = 1;
  private nextSeq = 0;

  /** Live timers (deleted ones still waiting in the heap are not counted). */
  get size(): number {
    return this.byId.size;
  }

  /** Schedules `fn` at `now + ms`; returns an id > 0 for `del`. */
  add(now: number, ms: number, fn: () => void, repeat: boolean): number {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const rec: TimerRecord = {
      id: this.nextId++,
      when: now + delay,
      seq: this.nextSeq++,
      fn,
      // A repeating timer of 0 ms would starve I/O; 1 ms is the floor.
      repeatMs: repeat ? Math.max(1, delay) : 0,
      dead: false,
    };
    this.byId.set(rec.id, rec);
    this.push(rec);
    return rec.id;
  }

  /** Cancels a timer; false if it already fired (one-shot) or never existed. */
  del(id: number): boolean {
    const rec = this.byId.get(id);
    if (rec === undefined) return false;
    rec.dead = true;
    this.byId.delete(id);
    return true;
  }

  /** Expiry of the nearest live timer, or -1 when there is none. */
  nearest(): number {
    this.dropDead();
    const top = this.heap[0];
    return top === undefined ? -1 : top.when;
  }

  /**
   * Runs every timer due at `now`, in (expiry, insertion) order; returns how
   * many ran. Timers added or re-armed during the pass wait for the next pass,
   * so a 0 ms timer that re-adds itself cannot spin forever (ae does the same
   * with its maxId check).
   */
  runDue(now: number, shouldStop: () => boolean = () => false): number {
    const passSeq = this.nextSeq;
    let ran = 0;
    for (;;) {
      this.dropDead();
      const top = this.heap[0];
      if (top === undefined || top.when > now || top.seq >= passSeq) break;
      this.pop();
      if (top.repeatMs > 0) {
        top.when = now + top.repeatMs;
        top.seq = this.nextSeq++;
        this.push(top);
      } else {
        this.byId.delete(top.id);
        top.dead = true;
      }
      ran++;
      top.fn();
      if (shouldStop()) break;
    }
    return ran;
  }

  /** Cancels everything. */
  clear(): void {
    for (const rec of this.heap) rec.dead = true;
    this.heap = [];
    this.byId.clear();
  }

  private dropDead(): void {
    while (this.heap.length > 0 && this.heap[0]!.dead) this.pop();
  }

  private less(a: TimerRecord, b: TimerRecord): boolean {
    return a.when < b.when || (a.when === b.when && a.seq < b.seq);
  }

  private push(rec: TimerRecord): void {
    const h = this.heap;
    let i = h.length;
    h.push(rec);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(rec, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = rec;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
      if (!this.less(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
