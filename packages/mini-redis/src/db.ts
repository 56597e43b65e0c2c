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
import { Buffer } from 'node:buffer';
import { Deque } from './deque.js';
import { estimateKey, LFU_INIT_VAL, lfuDecayed, lfuLogIncr, minutes } from './memory.js';
import { KeyspaceEvents, NOTIFY_EXPIRED, NOTIFY_GENERIC, NOTIFY_KEY_MISS, NOTIFY_NEW } from './notify.js';
import { RandomSet } from './random-set.js';
import { WRONGTYPE } from './reply.js';
import { SortedSet } from './sorted-set.js';
import type { Stream } from './stream.js';

/**
 * What every entry carries for eviction and OBJECT IDLETIME/FREQ, as the
 * 24 bits of a Redis object's `lru` field: the last access on the server's
 * cached clock (ms), or, under an LFU policy, the logarithmic counter and
 * the minute it last decayed. Stamped when stored and on every lookup.
 * Entry literals are written `{ type, lru: 0, value }`: with the field
 * there from the start, stamping it is a plain store, not a shape change
 * and a property-array allocation per SET (measured on the SET path).
 */
export interface EntryMeta {
  lru?: number;
  lfu?: number;
  ldt?: number;
}

export type Entry = EntryMeta &
  (
  /**
   * `enc` records how Redis would have made the string object, which is
   * what OBJECT ENCODING reports: absent = through tryObjectEncoding (SET and
   * friends: int, embstr or raw by content), 'embstr' = createStringObject
   * (INCRBYFLOAT: embstr up to 44 bytes), 'raw' = changed in place (APPEND,
   * SETRANGE, SETBIT, BITOP).
   */
  | { type: 'string'; value: Buffer; enc?: 'raw' | 'embstr' }
  | { type: 'list'; value: Deque<Buffer> }
  | { type: 'set'; value: RandomSet }
  | { type: 'hash'; value: Map<string, Buffer> }
  | { type: 'zset'; value: SortedSet }
  | { type: 'stream'; value: Stream }
  );

/**
 * What the databases of one server share: the notification switch, a clock
 * read once per connection read (not per lookup: a clock read costs as much
 * as a GET), and whether memory is being accounted and access counted LFU.
 */
export interface KeyspaceShared {
  readonly events: KeyspaceEvents;
  readonly clock: { now: number };
  /** maxmemory > 0: keep per-key size estimates (memory.ts). */
  accounting: boolean;
  /** An LFU maxmemory-policy: lookups bump the LFU counter instead of the access time. */
  lfu: boolean;
  /** A command that reads keys is running with class `m` on: misses publish `keymiss` (dispatch.ts sets it). */
  readMiss: boolean;
}

export function newShared(events = new KeyspaceEvents()): KeyspaceShared {
  return { events, clock: { now: Date.now() }, accounting: false, lfu: false, readMiss: false };
}

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
  /** Not readonly: SWAPDB exchanges the maps of two databases (clients keep their index). */
  data = new Map<string, Entry>();
  /** Absolute deadline in ms (Date.now clock) for keys that have one. */
  expires = new Map<string, number>();
  /**
   * The exact int64 deadline of keys whose deadline is past 2^53 ms (year
   * 287,396), where `expires` holds the nearest double: PEXPIRETIME reports
   * this one. Entries are dropped with the key's TTL.
   */
  private exact = new Map<string, bigint>();
  /**
   * key → its watchers, each with a flag: the key was already logically
   * expired when WATCH ran. Redis keeps that flag so the deletion of a key
   * that was dead all along is not counted as a change.
   */
  private readonly watchers = new Map<string, Map<Watcher, boolean>>();
  /** Where the active cycle resumes: a live iterator over `expires`. */
  private cursor: Iterator<[string, number]> | null = null;

  /** Keys some client is blocked on (BLPOP...): adding one of them calls `onReady` (see blocking.ts). */
  readonly blockedOn = new Set<string>();
  onReady: ((db: Database, key: string) => void) | null = null;

  /** Per-key size estimates while accounting (memory.ts), their sum, and keys changed since they were summed. */
  private sizes = new Map<string, number>();
  private used = 0;
  private dirty = new Set<string>();
  /** Where eviction sampling resumes (keyspace, and keys with a TTL). */
  private sampleCursor: Iterator<string> | null = null;
  private volatileCursor: Iterator<string> | null = null;
  /** The server's notify-keyspace-events switch (shared by every database). */
  readonly events: KeyspaceEvents;

  constructor(
    readonly index: number,
    readonly shared: KeyspaceShared = newShared(),
  ) {
    this.events = shared.events;
  }

  /** Records an access (Redis's updateLFU / LRU_CLOCK on lookup). */
  private access(e: Entry): void {
    if (!this.shared.lfu) {
      e.lru = this.shared.clock.now;
      return;
    }
    const now = minutes(this.shared.clock.now);
    e.lfu = lfuLogIncr(lfuDecayed(e.lfu ?? LFU_INIT_VAL, e.ldt ?? now, now));
    e.ldt = now;
  }

  /** A new object's stamp (createObject): now, or LFU_INIT_VAL. */
  private stamp(e: Entry): void {
    e.lru = this.shared.clock.now;
    if (this.shared.lfu) {
      e.lfu = LFU_INIT_VAL;
      e.ldt = minutes(this.shared.clock.now);
    }
  }

  private mark(key: string): void {
    if (this.shared.accounting) this.dirty.add(key);
  }

  /** The estimated bytes of this database's keys, re-estimating the changed ones first. */
  settle(): number {
    if (this.dirty.size === 0) return this.used;
    for (const key of this.dirty) {
      const e = this.data.get(key);
      const now = e === undefined ? 0 : estimateKey(key, e, this.expires.has(key));
      this.used += now - (this.sizes.get(key) ?? 0);
      if (e === undefined) this.sizes.delete(key);
      else this.sizes.set(key, now);
    }
    this.dirty.clear();
    return this.used;
  }

  /** Accounting was switched on or off: estimate every key, or forget the estimates. */
  recount(): void {
    this.sizes.clear();
    this.dirty.clear();
    this.used = 0;
    if (!this.shared.accounting) return;
    for (const [key, e] of this.data) {
      const n = estimateKey(key, e, this.expires.has(key));
      this.sizes.set(key, n);
      this.used += n;
    }
  }

  /**
   * Up to `n` keys to consider for eviction, from a cursor that walks the
   * keyspace (or the keys with a TTL) and wraps, so successive calls sample
   * all of it. A JS Map has no random access: `random` skips a random
   * number of keys (up to 4n) first, so samples are not always neighbours.
   */
  sampleKeys(n: number, volatile: boolean, random: boolean): string[] {
    const source = volatile ? this.expires : this.data;
    const out: string[] = [];
    if (source.size === 0) return out;
    let skip = random ? Math.floor(Math.random() * Math.min(source.size, 4 * n + 1)) : 0;
    let wrapped = false;
    while (out.length < Math.min(n, source.size)) {
      let cursor = volatile ? this.volatileCursor : this.sampleCursor;
      if (cursor === null) cursor = source.keys();
      const step = cursor.next();
      if (step.done === true) {
        if (volatile) this.volatileCursor = null;
        else this.sampleCursor = null;
        if (wrapped) break;
        wrapped = true;
        continue;
      }
      if (volatile) this.volatileCursor = cursor;
      else this.sampleCursor = cursor;
      if (skip-- > 0) continue;
      out.push(step.value);
    }
    return out;
  }

  /** Deletes `key` for maxmemory (the caller publishes "evicted"); its estimated size. */
  evict(key: string): number {
    const size = this.sizes.get(key) ?? 0;
    this.data.delete(key);
    this.dropExpire(key);
    this.touch(key);
    return size;
  }

  /** The live entry at `key` without counting an access (OBJECT, KEYS: Redis's LOOKUP_NOTOUCH). */
  peek(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e === undefined) return undefined;
    const at = this.expires.get(key);
    if (at !== undefined && at <= Date.now()) {
      this.expire(key);
      return undefined;
    }
    return e;
  }

  /** notifyKeyspaceEvent for a key of this database: one AND when notifications are off. */
  notify(type: number, event: string, key: string): void {
    if ((this.events.flags & type) !== 0) this.events.emit(type, event, key, this.index);
  }

  /**
   * After a pop or removal from the container at `key`: its event, then, if
   * that left it empty, its deletion and a "del" event (Redis's order).
   */
  removed(type: number, event: string, key: string, size: number): void {
    this.mark(key);
    this.notify(type, event, key);
    if (size === 0) {
      this.data.delete(key);
      this.dropExpire(key);
      this.notify(NOTIFY_GENERIC, 'del', key);
    }
  }

  /**
   * The live entry at `key`, deleting it first if its TTL has passed. While
   * a command that reads runs with class `m` on (`shared.readMiss`, set by
   * dispatch.ts), a miss publishes `keymiss`, as Redis's lookupKeyRead
   * does; off, the miss path pays one boolean test.
   */
  lookup(key: string, now?: number): Entry | undefined {
    const e = this.data.get(key);
    if (e === undefined) {
      if (this.shared.readMiss) this.notify(NOTIFY_KEY_MISS, 'keymiss', key);
      return undefined;
    }
    if (this.expires.size !== 0) {
      const at = this.expires.get(key);
      // The clock is read only for a key that has a deadline: hot path.
      if (at !== undefined && at <= (now ?? Date.now())) {
        this.expire(key);
        if (this.shared.readMiss) this.notify(NOTIFY_KEY_MISS, 'keymiss', key);
        return undefined;
      }
    }
    this.access(e);
    return e;
  }

  /** `lookup` for a write (Redis's lookupKeyWrite): expires the key if due, never publishes a miss. */
  lookupWrite(key: string): Entry | undefined {
    const e = this.peek(key);
    if (e !== undefined) this.access(e);
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
  getStream(key: string): Stream | undefined {
    return this.typed(key, 'stream') as Stream | undefined;
  }

  private typed(key: string, type: ValueType): Entry['value'] | undefined {
    const e = this.lookup(key);
    if (e === undefined) return undefined;
    if (e.type !== type) throw WRONGTYPE;
    return e.value;
  }

  /** Stores `entry`, dropping any TTL unless `keepTtl`. */
  set(key: string, entry: Entry, keepTtl = false): void {
    this.stamp(entry);
    // Under maxmemory a string gets bytes of its own: the parser's copies
    // share Node's 8 KiB pool slabs, and one live value keeps its whole slab
    // (and its evicted neighbours' bytes) alive, so evicting would not free
    // memory in proportion to what it removes.
    if (this.shared.accounting && entry.type === 'string' && entry.value.buffer.byteLength !== entry.value.length) {
      const own = Buffer.allocUnsafeSlow(entry.value.length);
      entry.value.copy(own);
      entry.value = own;
    }
    // Redis's setKey looks the key up first (an expired one goes, with its
    // event) and dbAdd announces a new one: only done when someone listens.
    if (this.events.flags !== 0 && this.lookupWrite(key) === undefined) {
      this.data.set(key, entry);
      this.notify(NOTIFY_NEW, 'new', key);
    } else this.data.set(key, entry);
    if (this.blockedOn.size !== 0 && this.blockedOn.has(key)) this.onReady?.(this, key);
    if (!keepTtl && this.expires.size !== 0) this.dropExpire(key);
    this.touch(key);
  }

  /** Adds a fresh container under a key known to be absent. */
  create<E extends Entry>(key: string, entry: E): E['value'] {
    this.stamp(entry);
    this.data.set(key, entry);
    this.mark(key);
    this.notify(NOTIFY_NEW, 'new', key);
    if (this.blockedOn.size !== 0 && this.blockedOn.has(key)) this.onReady?.(this, key);
    return entry.value;
  }

  delete(key: string): boolean {
    if (this.lookupWrite(key) === undefined) return false;
    this.data.delete(key);
    this.dropExpire(key);
    this.touch(key);
    return true;
  }

  /** Removes a container left empty by a pop or a removal, as Redis does. */
  deleteIfEmpty(key: string, size: number): void {
    this.mark(key);
    if (size === 0) {
      this.data.delete(key);
      this.dropExpire(key);
    }
  }

  /** Sets the deadline; `exact` when it is an int64 beyond 2^53 (see `exact`). */
  setExpire(key: string, at: number, exact?: bigint): void {
    this.expires.set(key, at);
    if (exact !== undefined && !Number.isSafeInteger(at)) this.exact.set(key, exact);
    else if (this.exact.size !== 0) this.exact.delete(key);
    this.touch(key);
  }

  /** The deadline as Redis stores it (an int64), or undefined. */
  getExpireExact(key: string): bigint | undefined {
    const at = this.expires.get(key);
    if (at === undefined) return undefined;
    return this.exact.get(key) ?? BigInt(at);
  }

  /** The deadline of a live key, or undefined when it has none. */
  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  persist(key: string): boolean {
    if (!this.expires.delete(key)) return false;
    this.exact.delete(key);
    this.touch(key);
    return true;
  }

  get size(): number {
    return this.data.size;
  }

  /** Live keys (KEYS): expired ones are left for lazy or active expiry. */
  keys(): string[] {
    const now = Date.now();
    const out: string[] = [];
    // As Redis's keysCommand: an expired key is skipped, not deleted (no "expired" event from KEYS).
    for (const k of this.data.keys()) {
      const at = this.expires.get(k);
      if (at === undefined || at > now) out.push(k);
    }
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
    this.exact.clear();
    this.cursor = null;
    this.sampleCursor = null;
    this.volatileCursor = null;
    this.sizes.clear();
    this.dirty.clear();
    this.used = 0;
  }

  private dropExpire(key: string): void {
    if (this.expires.delete(key) && this.exact.size !== 0) this.exact.delete(key);
  }

  /**
   * SWAPDB: the two databases exchange their keys and TTLs; clients keep
   * their index, so they see the other keyspace from now on. A watched key
   * that exists on either side counts as changed (Redis's
   * touchAllWatchedKeysInDb, run both ways).
   */
  swapWith(other: Database): void {
    this.touchAllWatched(other);
    other.touchAllWatched(this);
    [this.data, other.data] = [other.data, this.data];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.exact, other.exact] = [other.exact, this.exact];
    [this.sizes, other.sizes] = [other.sizes, this.sizes];
    [this.used, other.used] = [other.used, this.used];
    [this.dirty, other.dirty] = [other.dirty, this.dirty];
    this.cursor = null;
    other.cursor = null;
    this.sampleCursor = other.sampleCursor = null;
    this.volatileCursor = other.volatileCursor = null;
    // Clients blocked on a key of either database may find it there now (Redis's scanDatabaseForReadyKeys).
    for (const db of [this, other]) for (const key of db.blockedOn) if (db.data.has(key)) db.onReady?.(db, key);
  }

  private touchAllWatched(replacement: Database): void {
    for (const [key, map] of this.watchers) {
      const here = this.data.has(key);
      if (!here && !replacement.data.has(key)) continue;
      for (const [w, expired] of map) {
        if (expired && !replacement.data.has(key)) map.set(w, false);
        else w.dirtyCas = true;
      }
    }
  }

  /**
   * Signal that `key` changed: watchers' transactions will abort. A key that
   * was already expired when watched and is now gone did not change
   * logically (Redis's touchWatchedKey): its flag is cleared instead.
   */
  touch(key: string): void {
    // Every change passes here (Redis's signalModifiedKey): the size estimate is redone lazily.
    if (this.shared.accounting) this.dirty.add(key);
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
    this.dropExpire(key);
    this.touch(key);
    this.notify(NOTIFY_EXPIRED, 'expired', key);
  }
}

/** All databases of one server (16, as Redis's default `databases`). */
export class Store {
  readonly dbs: Database[];

  constructor(
    count = 16,
    readonly shared: KeyspaceShared = newShared(),
  ) {
    this.dbs = Array.from({ length: count }, (_, i) => new Database(i, shared));
  }

  get events(): KeyspaceEvents {
    return this.shared.events;
  }

  /** The dataset's estimated bytes (memory.ts); 0 while not accounting. */
  usedMemory(): number {
    let n = 0;
    for (const db of this.dbs) n += db.settle();
    return n;
  }

  /** maxmemory set or cleared: start (estimating every key once) or stop accounting. */
  setAccounting(on: boolean): void {
    if (on === this.shared.accounting) return;
    this.shared.accounting = on;
    for (const db of this.dbs) db.recount();
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
  return { type: 'list', lru: 0, value: new Deque<Buffer>() };
}
export function newSet(): Entry & { type: 'set' } {
  return { type: 'set', lru: 0, value: new RandomSet() };
}
export function newHash(): Entry & { type: 'hash' } {
  return { type: 'hash', lru: 0, value: new Map<string, Buffer>() };
}
export function newZset(): Entry & { type: 'zset' } {
  return { type: 'zset', lru: 0, value: new SortedSet() };
}

/** A deep copy of a value (COPY): containers are copied, strings are immutable here and shared. */
export function cloneEntry(e: Entry): Entry {
  switch (e.type) {
    case 'string':
      return e.enc === undefined ? { type: 'string', lru: 0, value: e.value } : { type: 'string', lru: 0, value: e.value, enc: e.enc };
    case 'list': {
      const l = newList();
      for (let i = 0; i < e.value.length; i++) l.value.pushBack(e.value.at(i) as Buffer);
      return l;
    }
    case 'set': {
      const s = newSet();
      for (const m of e.value.values()) s.value.add(m);
      return s;
    }
    case 'hash':
      return { type: 'hash', lru: 0, value: new Map(e.value) };
    case 'zset': {
      const z = newZset();
      for (const m of e.value.range(0, e.value.size - 1)) z.value.set(m.member, m.score);
      return z;
    }
    case 'stream':
      return { type: 'stream', lru: 0, value: e.value.clone() };
  }
}
