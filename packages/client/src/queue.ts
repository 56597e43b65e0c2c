/**
 * A FIFO on a growable ring, with an optional bound: the offline queue
 * (commands waiting for a connection) and the pool's wait queue.
 *
 *   items: [ . . c d e f . . ]     head = 2, size = 4
 *                ^head    ^ tail = (head + size) & mask
 *
 * `push` and `shift` are O(1) and allocate only when the ring doubles; an
 * Array's `shift()` is O(n) once V8 stops using its fast path, which a
 * 100,000-command backlog reaches.
 */
export class BoundedQueue<T> {
  private items: Array<T | undefined>;
  private mask: number;
  private head = 0;
  private count = 0;

  constructor(
    /** Most items held at once (Infinity: unbounded). */
    readonly limit: number = Infinity,
  ) {
    if (!(limit >= 0)) throw new RangeError(`queue limit must be >= 0, got ${limit}`);
    this.items = new Array<T | undefined>(16);
    this.mask = 15;
  }

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.limit;
  }

  /** Appends `item`; false (and nothing stored) when the queue is at its limit. */
  push(item: T): boolean {
    if (this.count >= this.limit) return false;
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & this.mask] = item;
    this.count++;
    return true;
  }

  /**
   * Puts `item` at the front, ignoring the limit: used to return commands
   * that were already accepted once (resend on reconnect), which must never
   * be dropped for lack of room.
   */
  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = item;
    this.count++;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return item;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Removes `item` (first occurrence); false when absent. O(n): for cancellations only. */
  remove(item: T): boolean {
    for (let i = 0; i < this.count; i++) {
      if (this.items[(this.head + i) & this.mask] !== item) continue;
      for (let j = i; j < this.count - 1; j++) {
        this.items[(this.head + j) & this.mask] = this.items[(this.head + j + 1) & this.mask];
      }
      this.items[(this.head + this.count - 1) & this.mask] = undefined;
      this.count--;
      return true;
    }
    return false;
  }

  /** Empties the queue and returns what it held, oldest first. */
  drain(): T[] {
    const out: T[] = new Array<T>(this.count);
    for (let i = 0; i < out.length; i++) out[i] = this.shift() as T;
    return out;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & this.mask];
    this.items = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
