/**
 * FIFO of commands waiting for their replies (hiredis's `ac->replies`).
 *
 * Redis answers in order, so the head is always the command the next reply
 * belongs to. A pipelined burst can put 10^5 entries here, all alive until
 * their replies arrive, so an entry is not an object: it is one slot in
 * three parallel arrays used as a ring — the callback, its privdata, and an
 * optional record `M` for anything else (a deadline, a subscription, the
 * handshake). Most commands need no record, and an object per command in
 * flight measurably slowed the garbage collector during a 200,000-command
 * burst (every one survives a scavenge and is copied).
 *
 *   slots: [ free | head ... tail | free ]   (wrapping around at capacity)
 *                   ^ first   (first + count) & mask ^
 */
const MIN_CAPACITY = 16;

export class ReplyQueue<F, M> {
  private fns: Array<F | undefined> = slots(MIN_CAPACITY, undefined);
  private datas: unknown[] = slots(MIN_CAPACITY, undefined);
  private metas: Array<M | null> = slots(MIN_CAPACITY, null);
  private mask = MIN_CAPACITY - 1;
  private first = 0;
  private count = 0;

  /**
   * The entry the last successful `shift()` removed, valid until the next
   * shift: out-fields rather than a returned object, so that a reply costs
   * no allocation.
   */
  shiftedFn: F | undefined = undefined;
  shiftedData: unknown = undefined;
  shiftedMeta: M | null = null;

  get length(): number {
    return this.count;
  }

  push(fn: F, privdata: unknown, meta: M | null): void {
    if (this.count > this.mask) this.grow();
    const i = (this.first + this.count) & this.mask;
    this.fns[i] = fn;
    this.datas[i] = privdata;
    this.metas[i] = meta;
    this.count++;
  }

  /** The oldest entry's record: undefined when empty, null when it has none. */
  peekMeta(): M | null | undefined {
    return this.count === 0 ? undefined : (this.metas[this.first] as M | null);
  }

  /** Removes the oldest entry into `shifted*`; false when empty. */
  shift(): boolean {
    if (this.count === 0) return false;
    const i = this.first;
    this.shiftedFn = this.fns[i];
    this.shiftedData = this.datas[i];
    this.shiftedMeta = this.metas[i] as M | null;
    // Drop the references so a delivered callback's closure can be collected.
    this.fns[i] = undefined;
    this.datas[i] = undefined;
    this.metas[i] = null;
    this.first = (i + 1) & this.mask;
    if (--this.count === 0) this.settle();
    return true;
  }

  /** Removes every entry and returns them oldest first. */
  drain(): Array<{ fn: F; privdata: unknown; meta: M | null }> {
    const out: Array<{ fn: F; privdata: unknown; meta: M | null }> = [];
    for (let k = 0; k < this.count; k++) {
      const i = (this.first + k) & this.mask;
      out.push({ fn: this.fns[i] as F, privdata: this.datas[i], meta: this.metas[i] as M | null });
    }
    this.count = 0;
    this.shrink();
    return out;
  }

  /** Visits the records of the live entries, oldest first (no removal). */
  forEachMeta(fn: (meta: M) => void): void {
    for (let k = 0; k < this.count; k++) {
      const meta = this.metas[(this.first + k) & this.mask] as M | null;
      if (meta !== null) fn(meta);
    }
  }

  /** Empty: start again at slot 0, and give back a burst's worth of slots. */
  private settle(): void {
    this.first = 0;
    if (this.mask >= 4096) this.shrink();
  }

  private shrink(): void {
    this.fns = slots(MIN_CAPACITY, undefined);
    this.datas = slots(MIN_CAPACITY, undefined);
    this.metas = slots(MIN_CAPACITY, null);
    this.mask = MIN_CAPACITY - 1;
    this.first = 0;
  }

  /**
   * Doubles the capacity, unwrapping the ring so the head is at slot 0.
   * slice/concat/fill are native copies: a burst grows the ring ~14 times
   * from 16 slots, and element-by-element copies cost 7% of its CPU.
   */
  private grow(): void {
    const cap = this.mask + 1;
    this.fns = doubled(this.fns, this.first, undefined);
    this.datas = doubled(this.datas, this.first, undefined);
    this.metas = doubled(this.metas, this.first, null);
    this.mask = cap * 2 - 1;
    this.first = 0;
  }
}

/** `a` (full, head at `first`) unwrapped into twice the length; the new half holds `empty`. */
function doubled<T>(a: T[], first: number, empty: T): T[] {
  const out = a.slice(first).concat(a.slice(0, first), a);
  out.fill(empty, a.length);
  return out;
}

/**
 * An array of `n` filled slots, built by push: `new Array(n)` makes a holey
 * array, and past ~10^5 elements a dictionary-mode one, slow to index.
 */
function slots<T>(n: number, fill: T): T[] {
  const a: T[] = [];
  for (let i = 0; i < n; i++) a.push(fill);
  return a;
}
