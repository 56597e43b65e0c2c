/**
 * A set of latin1-string members with O(1) add, delete, membership and a
 * uniformly random member, for SADD/SREM/SPOP. A JS `Set` cannot pick a
 * random member without walking it; here members live densely in an array
 * and a map holds each one's index, and deletion swaps the last member into
 * the hole.
 */
export class RandomSet {
  private readonly members: string[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.members.length;
  }

  has(m: string): boolean {
    return this.index.has(m);
  }

  /** True when `m` was not there before. */
  add(m: string): boolean {
    if (this.index.has(m)) return false;
    this.index.set(m, this.members.length);
    this.members.push(m);
    return true;
  }

  /** True when `m` was there. */
  delete(m: string): boolean {
    const i = this.index.get(m);
    if (i === undefined) return false;
    const last = this.members.pop() as string;
    if (last !== m) {
      this.members[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(m);
    return true;
  }

  /** Removes and returns a random member; undefined when empty. */
  pop(random: () => number = Math.random): string | undefined {
    if (this.members.length === 0) return undefined;
    const m = this.members[Math.floor(random() * this.members.length)] as string;
    this.delete(m);
    return m;
  }

  /** A random member, left in place; undefined when empty. */
  random(random: () => number = Math.random): string | undefined {
    return this.members[Math.floor(random() * this.members.length)];
  }

  values(): IterableIterator<string> {
    return this.members.values();
  }
}
