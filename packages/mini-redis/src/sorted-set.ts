/**
 * A sorted set for ZADD/ZRANGE/ZPOPMIN: members ordered by score, ties by
 * member bytes (memcmp order, which latin1 string comparison gives), as
 * Redis's skiplist orders them.
 *
 * The same structure as Redis's `zskiplist` (t_zset.c): a skiplist whose
 * links carry spans (how many entries each link passes over), so insert,
 * delete, rank and "the entry at rank r" are O(log n), plus a Map from
 * member to score for O(1) ZSCORE. It replaced a sorted array whose
 * `splice` made every insert O(n): 100,000 ZADDs of new members at random
 * scores took 8.7 s, 300,000 took 122 s (quadratic), where Redis takes a
 * fraction of a second.
 */
export interface ScoredMember {
  readonly member: string;
  readonly score: number;
}

/** Redis's ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P: 32 levels, a quarter of the nodes reach each next one. */
const MAX_LEVEL = 32;
const P = 0.25;

class SkipNode {
  /** forward[i]: the next node on level i; span[i]: how many entries that link passes (1 = the next entry). */
  readonly forward: (SkipNode | null)[];
  readonly span: number[];
  /** What range() hands out: the entry alone, not the links. */
  readonly entry: ScoredMember;

  constructor(member: string, score: number, level: number) {
    this.entry = { member, score };
    this.forward = new Array<SkipNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

/** Whether `a` sorts before (score, member). */
function before(node: SkipNode, score: number, member: string): boolean {
  const a = node.entry;
  return a.score < score || (a.score === score && a.member < member);
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

export class SortedSet {
  private readonly byMember = new Map<string, number>();
  private readonly head = new SkipNode('', 0, MAX_LEVEL);
  private level = 1;
  private length = 0;
  /** Scratch for insert/delete: the last node before the spot on each level, and its rank. */
  private readonly update: SkipNode[] = new Array<SkipNode>(MAX_LEVEL);
  private readonly rankAt: number[] = new Array<number>(MAX_LEVEL).fill(0);

  get size(): number {
    return this.length;
  }

  score(member: string): number | undefined {
    return this.byMember.get(member);
  }

  /** Inserts or moves `member`; true when it is new. */
  set(member: string, score: number): boolean {
    const old = this.byMember.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      // A new node rather than moving the old one: entries handed out by range() stay as they were.
      this.remove(old, member);
    }
    this.byMember.set(member, score);
    this.insert(member, score);
    return old === undefined;
  }

  delete(member: string): boolean {
    const old = this.byMember.get(member);
    if (old === undefined) return false;
    this.remove(old, member);
    this.byMember.delete(member);
    return true;
  }

  /** 0-based rank of `member` by ascending score; undefined when absent. */
  rank(member: string): number | undefined {
    const score = this.byMember.get(member);
    if (score === undefined) return undefined;
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.forward[i] ?? null; next !== null && before(next, score, member); next = x.forward[i] ?? null) {
        rank += x.span[i] as number;
        x = next;
      }
    }
    return rank;
  }

  /**
   * How many entries, from the lowest, satisfy `below`, which must hold for
   * a prefix of the order and then never again (e.g. "score under min"):
   * the rank where a score range starts or ends, in O(log n).
   */
  countWhile(below: (e: ScoredMember) => boolean): number {
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.forward[i] ?? null; next !== null && below(next.entry); next = x.forward[i] ?? null) {
        rank += x.span[i] as number;
        x = next;
      }
    }
    return rank;
  }

  /** Removes and returns up to `count` lowest entries. */
  popMin(count: number): ScoredMember[] {
    const n = Math.min(count, this.length);
    const taken = this.range(0, n - 1);
    for (const t of taken) this.delete(t.member);
    return taken;
  }

  /** Removes and returns up to `count` highest entries, highest first. */
  popMax(count: number): ScoredMember[] {
    const n = Math.min(count, this.length);
    const taken = this.range(this.length - n, this.length - 1).reverse();
    for (const t of taken) this.delete(t.member);
    return taken;
  }

  /** Removes ranks `start..stop` inclusive (already clamped); returns how many. */
  removeRange(start: number, stop: number): number {
    const taken = this.range(start, stop);
    for (const t of taken) this.delete(t.member);
    return taken.length;
  }

  /** Entries of ranks `start..stop` inclusive (already clamped), ascending. */
  range(start: number, stop: number): ScoredMember[] {
    const out: ScoredMember[] = [];
    if (start > stop || start >= this.length) return out;
    for (let x = this.atRank(start), r = start; x !== null && r <= stop; x = x.forward[0] ?? null, r++) out.push(x.entry);
    return out;
  }

  /** The node of 0-based rank `rank` (in range), by the spans: O(log n). */
  private atRank(rank: number): SkipNode | null {
    // Spans count from the head, whose own rank is 0: entry r is at distance r + 1.
    const target = rank + 1;
    let x = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.forward[i] ?? null; next !== null && traversed + (x.span[i] as number) <= target; next = x.forward[i] ?? null) {
        traversed += x.span[i] as number;
        x = next;
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** Links a node for (score, member), which is not in the list (zslInsert). */
  private insert(member: string, score: number): void {
    const update = this.update;
    const rankAt = this.rankAt;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAt[i] = i === this.level - 1 ? 0 : (rankAt[i + 1] as number);
      for (let next = x.forward[i] ?? null; next !== null && before(next, score, member); next = x.forward[i] ?? null) {
        rankAt[i] = (rankAt[i] as number) + (x.span[i] as number);
        x = next;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rankAt[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.length;
      }
      this.level = level;
    }
    const node = new SkipNode(member, score, level);
    const rank0 = rankAt[0] as number;
    for (let i = 0; i < level; i++) {
      const u = update[i] as SkipNode;
      node.forward[i] = u.forward[i] ?? null;
      u.forward[i] = node;
      // The new node takes the part of u's span beyond its own position.
      node.span[i] = (u.span[i] as number) - (rank0 - (rankAt[i] as number));
      u.span[i] = rank0 - (rankAt[i] as number) + 1;
    }
    // Levels above the new node's now pass over one more entry.
    for (let i = level; i < this.level; i++) (update[i] as SkipNode).span[i] = ((update[i] as SkipNode).span[i] as number) + 1;
    this.length++;
  }

  /** Unlinks the node of (score, member), which is in the list (zslDelete). */
  private remove(score: number, member: string): void {
    const update = this.update;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.forward[i] ?? null; next !== null && before(next, score, member); next = x.forward[i] ?? null) x = next;
      update[i] = x;
    }
    const node = x.forward[0] ?? null;
    if (node === null || node.entry.score !== score || node.entry.member !== member) throw new Error(`SortedSet: ${member} at ${score} is not in the list`);
    for (let i = 0; i < this.level; i++) {
      const u = update[i] as SkipNode;
      if (u.forward[i] === node) {
        u.span[i] = (u.span[i] as number) + (node.span[i] as number) - 1;
        u.forward[i] = node.forward[i] ?? null;
      } else {
        u.span[i] = (u.span[i] as number) - 1;
      }
    }
    while (this.level > 1 && this.head.forward[this.level - 1] === null) this.level--;
    this.length--;
  }
}
