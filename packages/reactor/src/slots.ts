/**
 * The event-slot table: the article's `events[MAX_CONN]` array, fixed at
 * creation. A slot index is what C calls the fd of an event (`e.fd`).
 *
 * Free slots form a stack over a preallocated Int32Array, so take and give
 * are O(1) and never allocate. The article instead scanned with `iter` and
 * masked the index only in the test (`events[iter & MAX_CONN]`) but not in the
 * returned pointer, walking past the table's end; and `del_event` never
 * returned the slot, so a long-running server ran out. Here every slot
 * remembers its owner, so a double give or a stale give is refused.
 *
 *   free: [ 5 | 4 | 3 | 2 | 1 | 0 | . . . ]      top = 6
 *            ^ bottom              ^ next take pops index 0
 */
export class SlotTable<T extends object> {
  /** Capacity; slot indexes run from 0 to capacity - 1. */
  readonly capacity: number;
  /** Owner of each slot, or null while the slot is free. */
  private readonly owners: Array<T | null>;
  /** Stack of free slot indexes; the top is `free[top - 1]`. */
  private readonly free: Int32Array;
  private top: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`slot table capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.owners = new Array<T | null>(capacity).fill(null);
    this.free = new Int32Array(capacity);
    // Lowest index on top so that the first event gets slot 0, like fd order.
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.top = capacity;
  }

  /** Slots in use. */
  get used(): number {
    return this.capacity - this.top;
  }

  /** Slots still free. */
  get available(): number {
    return this.top;
  }

  /** Takes a free slot for `owner`; returns its index, or -1 when full. */
  take(owner: T): number {
    if (this.top === 0) return -1;
    const index = this.free[--this.top]!;
    this.owners[index] = owner;
    return index;
  }

  /** Returns `index` to the free stack if `owner` still holds it. */
  give(index: number, owner: T): boolean {
    if (index < 0 || index >= this.capacity || this.owners[index] !== owner) return false;
    this.owners[index] = null;
    this.free[this.top++] = index;
    return true;
  }

  /** The current owner of a slot, or null. */
  get(index: number): T | null {
    return index >= 0 && index < this.capacity ? (this.owners[index] ?? null) : null;
  }

  /** Every owner, in slot order (a copy: callers may give slots back meanwhile). */
  owned(): T[] {
    const out: T[] = [];
    for (const o of this.owners) if (o !== null) out.push(o);
    return out;
  }
}
