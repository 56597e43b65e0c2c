/**
 * The keyspace: one `Database` per SELECT index, each a map of keys to typed
 * values plus a map of expiry times, as Redis keeps `dict` and `expires`.
 *
 * Keys are latin1 strings (one UTF-16 unit per byte), so any byte sequence
 * is a key and a JS Map can hash it. Values:
 *
 *   string → Buffer          list → Deque<Buffer>        set → RandomSet
 *   hash   → Map<string, Buffer> (insertion order, like a small Redis hash)
 *   zset   → SortedSet
 *
 * Expiry is lazy (every lookup checks the key's deadline and deletes it when
 * past) and active (`activeExpireCycle`, run from a reactor timer, samples
 * keys with a TTL and deletes the expired ones, bounded per cycle).
 *
 * WATCH: a client that watches a key registers itself here; every write
 * that changes a key calls `touch`, which flags those clients, and EXEC
 * refuses to run for a flagged client (Redis's `signalModifiedKey`).
 */
import { Deque } from './deque.js';
import { RandomSet } from './random-set.js';
import { WRONGTYPE } from './reply.js';
import { SortedSet } from './sorted-set.js';

export type Entry =
  | { type: 'string'; value: Buffer }
  | { type: 'list'; value: Deque<Buffer> }
  | { type: 'set'; value: RandomSet }
  | { type: 'hash'; value: Map<string, Buffer> }
  | { type: 'zset'; value: SortedSet };

export type ValueType = Entry['type'];

/** What WATCH needs from a client: a flag EXEC reads. */
export interface Watcher {
  dirtyCas: boolean;
}

/** Keys sampled per pass of the active expiry cycle (Redis: 20). */
const SAMPLE = 20;
/** At most this many keys examined per database per cycle, however many are stale. */
const MAX_CHECKS_PER_CYCLE = 400;

export class Database {
  readonly data = new Map<string, Entry>();
  /** Absolute deadline in ms (Date.now clock) for keys that have one. */
  readonly expires = new Map<string, number>();
  /**
   * key → its watchers, each with a flag: the key was already logically
   * expired when WATCH ran. Redis keeps that flag so the deletion of a key
   * that was dead all along is not counted as a change.
   */
  private readonly watchers = new Map<string, Map<Watcher, boolean>>();
  /** Where the active cycle resumes: a live iterator over `expires`. */
  private cursor: Iterator<[string, number]> | null = null;

  constructor(readonly index: number) {}

  /** The live entry at `key`, deleting it first if its TTL has passed. */
  lookup(key: string, now?: number): Entry | undefined {
    const e = this.data.get(key);
    if (e === undefined) return undefined;
    if (this.expires.size !== 0) {
      const at = this.expires.get(key);
      // The clock is read only for a key that has a deadline: hot path.
      if (at !== undefined && at <= (now ?? Date.now())) {
        this.expire(key);
        return undefined;
      }
    }
    return e;
  }

  /** Typed lookups: undefined when absent, WRONGTYPE thrown when another type. */
  getString(key: string): Buffer | undefined {
    return this.typed(key, 'string') as Buffer | undefined;
  }
  getList(key: string): Deque<Buffer> | undefined {
    return this.typed(key, 'list') as Deque<Buffer> | undefined;
  }
  getSet(key: string): RandomSet | undefined {
    return this.typed(key, 'set') as RandomSet | undefined;
  }
  getHash(key: string): Map<string, Buffer> | undefined {
    return this.typed(key, 'hash') as Map<string, Buffer> | undefined;
  }
  getZset(key: string): SortedSet | undefined {
    return this.typed(key, 'zset') as SortedSet | undefined;
  }

  private typed(key: string, type: ValueType): Entry['value'] | undefined {
    const e = this.lookup(key);
    if (e === undefined) return undefined;
    if (e.type !== type) throw WRONGTYPE;
    return e.value;
  }

  /** Stores `entry`, dropping any TTL unless `keepTtl`. */
  set(key: string, entry: Entry, keepTtl = false): void {
    this.data.set(key, entry);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    this.touch(key);
  }

  /** Adds a fresh container under a key known to be absent. */
  create<E extends Entry>(key: string, entry: E): E['value'] {
    this.data.set(key, entry);
    return entry.value;
  }

  delete(key: string): boolean {
    if (this.lookup(key) === undefined) return false;
    this.data.delete(key);
    this.expires.delete(key);
    this.touch(key);
    return true;
  }

  /** Removes a container left empty by a pop or a removal, as Redis does. */
  deleteIfEmpty(key: string, size: number): void {
    if (size === 0) {
      this.data.delete(key);
      this.expires.delete(key);
    }
  }

  setExpire(key: string, at: number): void {
    this.expires.set(key, at);
    this.touch(key);
  }

  /** The deadline of a live key, or undefined when it has none. */
  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  persist(key: string): boolean {
    if (!this.expires.delete(key)) return false;
    this.touch(key);
    return true;
  }

  get size(): number {
    return this.data.size;
  }

  /** Live keys, expired ones removed on the way (KEYS). */
  keys(): string[] {
    const now = Date.now();
    const out: string[] = [];
    for (const k of [...this.data.keys()]) if (this.lookup(k, now) !== undefined) out.push(k);
    return out;
  }

  /** FLUSHDB: every watcher of a key that existed sees it change (unless it was dead already). */
  flush(): void {
    for (const [key, map] of this.watchers) {
      if (!this.data.has(key)) continue;
      for (const [w, expired] of map) {
        if (expired) map.set(w, false);
        else w.dirtyCas = true;
      }
    }
    this.data.clear();
    this.expires.clear();
    this.cursor = null;
  }

  /**
   * Signal that `key` changed: watchers' transactions will abort. A key that
   * was already expired when watched and is now gone did not change
   * logically (Redis's touchWatchedKey): its flag is cleared instead.
   */
  touch(key: string): void {
    if (this.watchers.size === 0) return;
    const map = this.watchers.get(key);
    if (map === undefined) return;
    for (const [w, expired] of map) {
      if (expired && !this.data.has(key)) map.set(w, false);
      else w.dirtyCas = true;
    }
  }

  watch(key: string, w: Watcher): void {
    let map = this.watchers.get(key);
    if (map === undefined) this.watchers.set(key, (map = new Map()));
    if (!map.has(w)) map.set(w, this.isExpired(key));
  }

  unwatch(key: string, w: Watcher): void {
    const map = this.watchers.get(key);
    if (map === undefined) return;
    map.delete(w);
    if (map.size === 0) this.watchers.delete(key);
  }

  /**
   * For EXEC: did this watched key expire since WATCH? It may still sit in
   * the map, not yet removed lazily or actively (Redis's isWatchedKeyExpired).
   */
  expiredSinceWatch(key: string, w: Watcher): boolean {
    return this.watchers.get(key)?.get(w) === false && this.isExpired(key);
  }

  /** Present in the map but past its deadline, without deleting it. */
  private isExpired(key: string): boolean {
    const at = this.expires.get(key);
    return at !== undefined && at <= Date.now() && this.data.has(key);
  }

  /**
   * One slice of active expiry: examine keys with a TTL, resuming where the
   * last slice stopped, in passes of SAMPLE; stop when a pass finds at most
   * a quarter of them expired (the rest are probably alive, as in Redis's
   * `activeExpireCycle`) or after MAX_CHECKS_PER_CYCLE keys. Returns the
   * number of keys deleted.
   */
  activeExpireCycle(now = Date.now()): number {
    let deleted = 0;
    let checked = 0;
    while (this.expires.size !== 0 && checked < MAX_CHECKS_PER_CYCLE) {
      let expiredInPass = 0;
      let pass = 0;
      for (; pass < SAMPLE; pass++) {
        if (this.cursor === null) this.cursor = this.expires.entries();
        const step = this.cursor.next();
        if (step.done === true) {
          this.cursor = null;
          break;
        }
        const [key, at] = step.value;
        if (at <= now) {
          this.expire(key);
          expiredInPass++;
        }
      }
      checked += pass;
      deleted += expiredInPass;
      if (pass === 0 || expiredInPass * 4 <= pass) break;
    }
    return deleted;
  }

  private expire(key: string): void {
    this.data.delete(key);
    this.expires.delete(key);
    this.touch(key);
  }
}

/** All databases of one server (16, as Redis's default `databases`). */
export class Store {
  readonly dbs: Database[];

  constructor(count = 16) {
    this.dbs = Array.from({ length: count }, (_, i) => new Database(i));
  }

  flushAll(): void {
    for (const db of this.dbs) db.flush();
  }

  activeExpireCycle(now = Date.now()): number {
    let n = 0;
    for (const db of this.dbs) if (db.expires.size !== 0) n += db.activeExpireCycle(now);
    return n;
  }
}

export function newList(): Entry & { type: 'list' } {
  return { type: 'list', value: new Deque<Buffer>() };
}
export function newSet(): Entry & { type: 'set' } {
  return { type: 'set', value: new RandomSet() };
}
export function newHash(): Entry & { type: 'hash' } {
  return { type: 'hash', value: new Map<string, Buffer>() };
}
export function newZset(): Entry & { type: 'zset' } {
  return { type: 'zset', value: new SortedSet() };
}
