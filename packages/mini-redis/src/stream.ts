/**
 * A Redis stream: entries ordered by ID, each a flat field/value list.
 *
 * An ID `ms-seq` (two unsigned 64-bit numbers) is kept as one bigint,
 * `ms * 2^64 + seq`, so IDs compare and increment as plain numbers.
 *
 * Entries live in an array sorted by ID (appends are O(1), XDEL and
 * trimming from the middle O(n)). Redis stores them in radix-tree nodes of
 * at most `stream-node-max-entries` (100) entries, and approximate trimming
 * (`MAXLEN ~`, `MINID ~`) only ever drops whole nodes. To give the same
 * answers each entry records the node it would sit in: a node fills with
 * 100 appends (deleted entries keep their place, as in Redis). Not modelled:
 * `stream-node-max-bytes` (4096), which starts a node early for large
 * entries.
 */

export const SEQ_BITS = 64n;
const SEQ_MASK = (1n << SEQ_BITS) - 1n;
export const MAX_ID = (1n << 128n) - 1n;
/** Redis's stream-node-max-entries default. */
const NODE_ENTRIES = 100;

export function idOf(ms: bigint, seq: bigint): bigint {
  return (ms << SEQ_BITS) | seq;
}

export function msOf(id: bigint): bigint {
  return id >> SEQ_BITS;
}

export function seqOf(id: bigint): bigint {
  return id & SEQ_MASK;
}

export function formatId(id: bigint): string {
  return `${msOf(id)}-${seqOf(id)}`;
}

export interface StreamEntry {
  readonly id: bigint;
  readonly fields: Buffer[];
  /** The radix-tree node Redis would keep it in (see the header). */
  readonly node: number;
}

export type TrimStrategy = { kind: 'maxlen'; maxlen: number } | { kind: 'minid'; minid: bigint };

export class Stream {
  entries: StreamEntry[] = [];
  lastId = 0n;
  /** Appends ever made (Redis's entries_added). */
  entriesAdded = 0n;
  /** Highest ID removed by XDEL (Redis's max_deleted_entry_id). */
  maxDeletedId = 0n;
  /** Consumer groups, by name (latin1). */
  readonly groups = new Map<string, ConsumerGroup>();
  /** Slots used in the tail node (live and deleted entries), and its number. */
  private tailUsed = 0;
  private tailNode = 0;

  get length(): number {
    return this.entries.length;
  }

  /** A deep copy (COPY): entries, counters and groups with their PELs. */
  clone(): Stream {
    const s = new Stream();
    s.entries = this.entries.slice();
    s.lastId = this.lastId;
    s.entriesAdded = this.entriesAdded;
    s.maxDeletedId = this.maxDeletedId;
    s.tailUsed = this.tailUsed;
    s.tailNode = this.tailNode;
    for (const [name, g] of this.groups) {
      const copy = new ConsumerGroup(g.lastId, g.entriesRead);
      for (const [id, p] of g.pel) copy.pel.set(id, { ...p });
      for (const [cname, c] of g.consumers) {
        const cc: Consumer = { name: cname, seenTime: c.seenTime, pending: new Map() };
        for (const id of c.pending.keys()) cc.pending.set(id, copy.pel.get(id) as PendingEntry);
        copy.consumers.set(cname, cc);
      }
      s.groups.set(name, copy);
    }
    return s;
  }

  append(id: bigint, fields: Buffer[]): void {
    if (this.tailUsed >= NODE_ENTRIES || this.entries.length === 0) {
      if (this.entries.length !== 0 || this.tailUsed !== 0) this.tailNode++;
      this.tailUsed = 0;
    }
    this.tailUsed++;
    this.entries.push({ id, fields, node: this.tailNode });
    this.lastId = id;
    this.entriesAdded++;
  }

  /** Index of the first entry whose ID is >= `id`. */
  lowerBound(id: bigint): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as StreamEntry).id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Entries with start <= ID <= end, ascending (or descending when `rev`), at most `count` (0: all). */
  range(start: bigint, end: bigint, count: number, rev: boolean): StreamEntry[] {
    if (start > end) return [];
    const from = this.lowerBound(start);
    let to = this.lowerBound(end);
    if (to < this.entries.length && (this.entries[to] as StreamEntry).id === end) to++;
    const out: StreamEntry[] = [];
    if (!rev) {
      for (let i = from; i < to && (count === 0 || out.length < count); i++) out.push(this.entries[i] as StreamEntry);
    } else {
      for (let i = to - 1; i >= from && (count === 0 || out.length < count); i--) out.push(this.entries[i] as StreamEntry);
    }
    return out;
  }

  /** XDEL of one ID; true when it was there. */
  delete(id: bigint): boolean {
    const i = this.lowerBound(id);
    if (i >= this.entries.length || (this.entries[i] as StreamEntry).id !== id) return false;
    this.entries.splice(i, 1);
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    return true;
  }

  /**
   * Redis's streamTrim: whole nodes from the head while they may go; then,
   * unless approximate, single entries of the first node that may not go
   * whole. `limit` (approximate only; 0 = none) caps the entries removed.
   */
  trim(strategy: TrimStrategy, approx: boolean, limit: number): number {
    let deleted = 0;
    while (this.entries.length > 0) {
      const node = (this.entries[0] as StreamEntry).node;
      let n = 0;
      while (n < this.entries.length && (this.entries[n] as StreamEntry).node === node) n++;
      if (limit !== 0 && deleted + n > limit) break;
      const last = (this.entries[n - 1] as StreamEntry).id;
      const whole = strategy.kind === 'maxlen' ? this.entries.length - n >= strategy.maxlen : last < strategy.minid;
      if (whole) {
        this.entries.splice(0, n);
        deleted += n;
        continue;
      }
      if (approx) break;
      let k = 0;
      if (strategy.kind === 'maxlen') k = Math.max(0, this.entries.length - strategy.maxlen);
      else while (k < n && (this.entries[k] as StreamEntry).id < strategy.minid) k++;
      this.entries.splice(0, k);
      deleted += k;
      break;
    }
    return deleted;
  }
}

/** One pending entry: delivered to `consumer`, not yet acknowledged. */
export interface PendingEntry {
  consumer: string;
  deliveryTime: number;
  deliveryCount: number;
}

export interface Consumer {
  readonly name: string;
  seenTime: number;
  /** ID → its entry in the group's PEL. */
  readonly pending: Map<bigint, PendingEntry>;
}

export class ConsumerGroup {
  /** The group's pending entries list, ID → entry, kept sorted by ID on read. */
  readonly pel = new Map<bigint, PendingEntry>();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    public lastId: bigint,
    public entriesRead: bigint | null,
  ) {}

  /** The PEL's IDs in ascending order. */
  pendingIds(): bigint[] {
    return [...this.pel.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
