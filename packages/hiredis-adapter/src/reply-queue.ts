/**
 * FIFO of commands waiting for their replies (hiredis's `ac->replies`).
 *
 * Redis answers in order, so the head is always the command the next reply
 * belongs to. A pipelined burst can put 10^5 entries here, which rules out
 * `Array.prototype.shift` (it moves every element): entries live in a plain
 * array read from `head`, and the dead prefix is cut off once it is both
 * large and more than half the array, keeping each operation O(1) amortised.
 *
 *   items: [ done | done | head ... tail ]
 *                          ^ head
 */
export class ReplyQueue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest entry, or undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Removes and returns the oldest entry, or undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    // Drop the reference so a delivered callback's closure can be collected.
    (this.items as Array<T | undefined>)[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes every entry and returns them oldest first. */
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }

  /** Visits the live entries oldest first (no removal). */
  forEach(fn: (item: T) => void): void {
    for (let i = this.head; i < this.items.length; i++) fn(this.items[i] as T);
  }
}
