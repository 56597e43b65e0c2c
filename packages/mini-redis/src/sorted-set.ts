/**
 * A sorted set for ZADD/ZRANGE/ZPOPMIN: members ordered by score, ties by
 * member bytes (memcmp order, which latin1 string comparison gives), as
 * Redis's skiplist orders them.
 *
 * Correctness over speed: a sorted array with binary search, so insertion
 * and removal are O(n) moves but ranks are O(1) to read. Redis uses a
 * skiplist for O(log n); for the sizes a demo server sees the array is
 * faster in practice and much simpler to trust.
 */
export interface ScoredMember {
  member: string;
  score: number;
}

function before(a: ScoredMember, score: number, member: string): boolean {
  return a.score < score || (a.score === score && a.member < member);
}

export class SortedSet {
  private readonly byMember = new Map<string, number>();
  /** Ascending by (score, member). */
  private readonly ordered: ScoredMember[] = [];

  get size(): number {
    return this.ordered.length;
  }

  score(member: string): number | undefined {
    return this.byMember.get(member);
  }

  /** Inserts or moves `member`; true when it is new. */
  set(member: string, score: number): boolean {
    const old = this.byMember.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      this.ordered.splice(this.position(old, member), 1);
    }
    this.byMember.set(member, score);
    this.ordered.splice(this.position(score, member), 0, { member, score });
    return old === undefined;
  }

  delete(member: string): boolean {
    const old = this.byMember.get(member);
    if (old === undefined) return false;
    this.ordered.splice(this.position(old, member), 1);
    this.byMember.delete(member);
    return true;
  }

  /** 0-based rank of `member` by ascending score; undefined when absent. */
  rank(member: string): number | undefined {
    const s = this.byMember.get(member);
    return s === undefined ? undefined : this.position(s, member);
  }

  /** Removes and returns up to `count` lowest entries. */
  popMin(count: number): ScoredMember[] {
    const taken = this.ordered.splice(0, Math.min(count, this.ordered.length));
    for (const t of taken) this.byMember.delete(t.member);
    return taken;
  }

  /** Removes and returns up to `count` highest entries, highest first. */
  popMax(count: number): ScoredMember[] {
    const n = Math.min(count, this.ordered.length);
    const taken = this.ordered.splice(this.ordered.length - n, n).reverse();
    for (const t of taken) this.byMember.delete(t.member);
    return taken;
  }

  /** Removes ranks `start..stop` inclusive (already clamped); returns how many. */
  removeRange(start: number, stop: number): number {
    const taken = this.ordered.splice(start, stop - start + 1);
    for (const t of taken) this.byMember.delete(t.member);
    return taken.length;
  }

  /** Entries of ranks `start..stop` inclusive (already clamped). */
  range(start: number, stop: number): ScoredMember[] {
    return this.ordered.slice(start, stop + 1);
  }

  /** First index whose entry is not before (score, member). */
  private position(score: number, member: string): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.ordered[mid] as ScoredMember, score, member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
