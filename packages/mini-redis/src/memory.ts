/**
 * Memory accounting and eviction (`maxmemory`), as Redis 7.0's evict.c with
 * mini-redis's own notion of "used memory": an estimate of what each key
 * costs on the V8 heap (its Map entry, key string, entry object, the value's
 * bytes and containers' per-element overhead), kept per key and summed per
 * database. Redis counts what its allocator handed out; a JS heap has no
 * such figure per key, and `process.memoryUsage()` counts garbage not yet
 * collected, so evicting against it would evict far too much until the
 * next GC. The estimate is cheap, deterministic and tracks the dataset.
 *
 * Keys changed by a command are marked dirty (Database.touch and friends)
 * and re-estimated lazily, before the next eviction check: O(changed keys),
 * and O(1) per container (a sample of its elements, not all of them).
 * Nothing is tracked while maxmemory is 0 (the default): enabling it
 * estimates every key once.
 *
 * Eviction runs before each command while the estimate is over the limit
 * (Redis's performEvictions in processCommand): candidates are sampled per
 * database (`maxmemory-samples` keys, from a cursor that walks the keyspace
 * or the keys with a TTL, with a random skip for the random policies), the
 * best ones kept in a pool of 16 across rounds (Redis's EVPOOL_SIZE), and
 * the best of the pool is deleted, with an "evicted" event, until the
 * estimate fits. A command flagged denyoom that arrives while it cannot fit
 * (noeviction, or nothing evictable) is refused with Redis's OOM error.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EvictionPolicy } from './config.js';
import type { Database, Entry } from './db.js';
import { NOTIFY_EVICTED } from './notify.js';

/** V8 object costs (64-bit, no pointer compression, as Node 20 ships), in bytes. */
const MAP_ENTRY = 40; // an OrderedHashMap slot with its share of the table
const STRING_HEADER = 24; // SeqOneByteString header, rounded
const ENTRY_OBJECT = 56; // { type, value, lru, lfu }
const BUFFER_OBJECT = 120; // a Uint8Array view and its share of a backing store
const TTL_ENTRY = MAP_ENTRY + 16; // the expires Map entry and its HeapNumber
/** A Uint8Array, its JSArrayBuffer and the backing store's bookkeeping (checked against heapUsed + arrayBuffers after a full GC: ~1.4 KB per 1 KB string key). */
const OWN_BUFFER = 350;
/** Per element of a container, beyond its bytes. */
const LIST_ELEMENT = BUFFER_OBJECT + 8;
const SET_MEMBER = STRING_HEADER + MAP_ENTRY + 8;
const HASH_FIELD = STRING_HEADER + MAP_ENTRY + BUFFER_OBJECT;
const ZSET_MEMBER = STRING_HEADER + MAP_ENTRY + 48;
const STREAM_ENTRY = 64;
/** Elements sampled to estimate a container's average element size. */
const SAMPLE = 8;

function avg(total: number, n: number): number {
  return n === 0 ? 0 : total / n;
}

/** What one key costs: its slot, key string, entry, value and TTL. */
export function estimateKey(key: string, e: Entry, hasTtl: boolean): number {
  const base = MAP_ENTRY + STRING_HEADER + key.length + ENTRY_OBJECT + (hasTtl ? TTL_ENTRY : 0);
  switch (e.type) {
    case 'string':
      // Under maxmemory a string owns its ArrayBuffer (Database.set): the view, the buffer, its backing store.
      return base + OWN_BUFFER + e.value.length;
    case 'list': {
      const n = e.value.length;
      let bytes = 0;
      const step = Math.max(1, Math.floor(n / SAMPLE));
      let seen = 0;
      for (let i = 0; i < n && seen < SAMPLE; i += step, seen++) bytes += (e.value.at(i) as Buffer).length;
      return base + 64 + n * (LIST_ELEMENT + avg(bytes, seen));
    }
    case 'set': {
      let bytes = 0;
      let seen = 0;
      for (const m of e.value.values()) {
        if (seen++ === SAMPLE) break;
        bytes += m.length;
      }
      return base + 64 + e.value.size * (SET_MEMBER + avg(bytes, Math.min(seen, SAMPLE)));
    }
    case 'hash': {
      let bytes = 0;
      let seen = 0;
      for (const [f, v] of e.value) {
        if (seen++ === SAMPLE) break;
        bytes += f.length + v.length;
      }
      return base + 64 + e.value.size * (HASH_FIELD + avg(bytes, Math.min(seen, SAMPLE)));
    }
    case 'zset': {
      const n = e.value.size;
      const sample = n === 0 ? [] : e.value.range(0, Math.min(n, SAMPLE) - 1);
      let bytes = 0;
      for (const m of sample) bytes += m.member.length;
      return base + 64 + n * (ZSET_MEMBER + avg(bytes, sample.length));
    }
    case 'stream': {
      const s = e.value;
      let bytes = 0;
      const seen = Math.min(s.entries.length, SAMPLE);
      for (let i = 0; i < seen; i++) for (const f of (s.entries[i] as { fields: Buffer[] }).fields) bytes += f.length + BUFFER_OBJECT;
      return base + 256 + s.entries.length * (STREAM_ENTRY + avg(bytes, seen));
    }
  }
}

/** Redis's LFU counter: logarithmic increment (lfu-log-factor 10) and decay (lfu-decay-time 1 minute). */
export const LFU_INIT_VAL = 5;
const LFU_LOG_FACTOR = 10;

export function lfuLogIncr(counter: number): number {
  if (counter === 255) return 255;
  const r = Math.random();
  const base = Math.max(0, counter - LFU_INIT_VAL);
  const p = 1 / (base * LFU_LOG_FACTOR + 1);
  return r < p ? counter + 1 : counter;
}

/** The counter after decay: one point per minute since `ldt` (minutes, 16 bits as in Redis). */
export function lfuDecayed(counter: number, ldt: number, nowMinutes: number): number {
  const elapsed = nowMinutes >= ldt ? nowMinutes - ldt : 65535 - ldt + nowMinutes;
  return Math.max(0, counter - elapsed);
}

export function minutes(ms: number): number {
  return Math.floor(ms / 60000) & 65535;
}

/** One eviction candidate (Redis's evictionPoolEntry). */
interface Candidate {
  db: Database;
  key: string;
  entry: Entry;
  /** Higher is a better victim (idle ms, 255 - frequency, or -deadline). */
  score: number;
}

const POOL_SIZE = 16;
/** Below this much evicted, garbage is not worth a full GC (small limits would collect every few writes). */
const GC_FLOOR = 1024 * 1024;

/**
 * V8's full GC, when it can be had. Evicted values are garbage only once V8
 * collects them, and V8 lets Buffer memory (external to its heap) grow by
 * tens of MiB past the last collection before it does: under a write flood
 * that is several times maxmemory. So after evicting a thirty-second of
 * maxmemory's worth the evictor asks for a collection, through the `gc`
 * function that `--expose-gc` provides (enabled at run time, the documented
 * `v8.setFlagsFromString` way). Null when the runtime refuses.
 */
let fullGc: (() => void) | null | undefined;
function collectGarbage(): void {
  if (fullGc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      fullGc = runInNewContext('gc') as () => void;
    } catch {
      fullGc = null;
    }
  }
  fullGc?.();
}

export class Evictor {
  private pool: Candidate[] = [];
  /** Estimated bytes evicted since the last collection requested. */
  private evictedSinceGc = 0;

  /** `onEvict` runs once per key evicted (INFO's evicted_keys). */
  constructor(private readonly onEvict: () => void = () => undefined) {}

  /**
   * Evicts until `used()` is at most `limit`; false when it cannot (noeviction,
   * or no key the policy may evict). `onEvict` counts and publishes each one.
   */
  evict(dbs: readonly Database[], policy: EvictionPolicy, samples: number, limit: number, used: () => number, now: number): boolean {
    if (used() <= limit) return true;
    if (policy === 'noeviction') return false;
    const volatile = policy.startsWith('volatile-');
    // Bounded: each round evicts one key, and the keyspace is finite.
    for (;;) {
      const victim = this.pick(dbs, policy, volatile, samples, now);
      if (victim === null) return false;
      this.evictedSinceGc += victim.db.evict(victim.key);
      victim.db.notify(NOTIFY_EVICTED, 'evicted', victim.key);
      this.onEvict();
      if (this.evictedSinceGc > Math.max(limit / 32, GC_FLOOR)) {
        this.evictedSinceGc = 0;
        collectGarbage();
      }
      if (used() <= limit) return true;
    }
  }

  private pick(dbs: readonly Database[], policy: EvictionPolicy, volatile: boolean, samples: number, now: number): Candidate | null {
    const random = policy.endsWith('-random');
    if (random) {
      // Redis's random policies pick one key per database in turn, no pool.
      for (const db of dbs) {
        const key = db.sampleKeys(1, volatile, true)[0];
        if (key !== undefined) return { db, key, entry: db.data.get(key) as Entry, score: 0 };
      }
      return null;
    }
    // Sample each database; while the pool is not full, sample again (a
    // few rounds at most): the cursor walks keys in insertion order, so the
    // first samples of an empty pool would all be neighbours.
    for (let round = 0; round < 4; round++) {
      let found = 0;
      for (const db of dbs) {
        for (const key of db.sampleKeys(samples, volatile, true)) {
          const entry = db.data.get(key);
          if (entry === undefined || this.pool.some((p) => p.db === db && p.key === key)) continue;
          this.pool.push({ db, key, entry, score: scoreOf(db, key, entry, policy, now) });
          found++;
        }
      }
      if (this.pool.length >= POOL_SIZE || found === 0) break;
    }
    this.pool.sort((a, b) => b.score - a.score);
    if (this.pool.length > POOL_SIZE) this.pool.length = POOL_SIZE;
    // The best candidate still there (a key deleted or replaced since it was sampled is dropped).
    while (this.pool.length > 0) {
      const best = this.pool.shift() as Candidate;
      if (best.db.data.get(best.key) === best.entry && (!volatile || best.db.expires.has(best.key))) return best;
    }
    return null;
  }

  /** FLUSHALL and friends: candidates may be gone. */
  clear(): void {
    this.pool = [];
  }
}

function scoreOf(db: Database, key: string, e: Entry, policy: EvictionPolicy, now: number): number {
  if (policy === 'volatile-ttl') return -(db.expires.get(key) ?? Infinity);
  if (policy.endsWith('-lfu')) return 255 - lfuDecayed(e.lfu ?? LFU_INIT_VAL, e.ldt ?? minutes(now), minutes(now));
  return now - (e.lru ?? now);
}
