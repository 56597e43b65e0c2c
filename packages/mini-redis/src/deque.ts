/**
 * A double-ended queue on a growable ring, for Redis lists: LPUSH/RPUSH/
 * LPOP/RPOP are O(1) amortised, where `Array.prototype.shift` is O(n).
 *
 *     head                     tail (exclusive)
 *      v                        v
 *   [ . . a b c d e f . . . . . ]   capacity = items.length, a power of two
 *
 * Indices wrap with `& mask`; when full, the ring doubles and is unrolled so
 * head is 0 again.
 */
export class Deque<T> {
  private items: Array<T | undefined>;
  private mask: number;
  private head = 0;
  private size = 0;

  constructor(capacity = 8) {
    let cap = 8;
    while (cap < capacity) cap *= 2;
    this.items = new Array<T | undefined>(cap);
    this.mask = cap - 1;
  }

  get length(): number {
    return this.size;
  }

  pushBack(v: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = v;
    this.size++;
  }

  pushFront(v: T): void {
    if (this.size === this.items.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = v;
    this.size++;
  }

  popFront(): T | undefined {
    if (this.size === 0) return undefined;
    const v = this.items[this.head];
    this.items[this.head] = undefined; // let the value be collected
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return v;
  }

  popBack(): T | undefined {
    if (this.size === 0) return undefined;
    const i = (this.head + this.size - 1) & this.mask;
    const v = this.items[i];
    this.items[i] = undefined;
    this.size--;
    return v;
  }

  /** Element `i` from the front (0-based); undefined when out of range. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.items[(this.head + i) & this.mask];
  }

  /** Elements `start..stop` inclusive, already clamped by the caller. */
  slice(start: number, stop: number): T[] {
    const out: T[] = [];
    for (let i = start; i <= stop; i++) out.push(this.items[(this.head + i) & this.mask] as T);
    return out;
  }

  /** Replaces element `i` (0 <= i < length). */
  set(i: number, v: T): void {
    if (i < 0 || i >= this.size) throw new RangeError(`Deque.set: index ${i} of ${this.size}`);
    this.items[(this.head + i) & this.mask] = v;
  }

  /** Index of the first element from the front for which `pred` holds, or -1. */
  indexWhere(pred: (v: T) => boolean): number {
    for (let i = 0; i < this.size; i++) if (pred(this.items[(this.head + i) & this.mask] as T)) return i;
    return -1;
  }

  /** Every element, front to back. */
  toArray(): T[] {
    return this.size === 0 ? [] : this.slice(0, this.size - 1);
  }

  /**
   * Makes the queue hold `values` (front first). The O(n) middle edits of
   * Redis lists (LINSERT, LREM) rebuild the ring this way: Redis's listpack
   * and quicklist edits are O(n) too.
   */
  replaceAll(values: readonly T[]): void {
    let cap = 8;
    while (cap < values.length) cap *= 2;
    this.items = new Array<T | undefined>(cap);
    for (let i = 0; i < values.length; i++) this.items[i] = values[i];
    this.mask = cap - 1;
    this.head = 0;
    this.size = values.length;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    this.items = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
