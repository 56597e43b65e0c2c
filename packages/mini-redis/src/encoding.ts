/**
 * What Redis 7.0 would call a value's internal encoding (OBJECT ENCODING),
 * with its default thresholds, and the orders that follow from it: a small
 * hash or sorted set (listpack) and an all-integer set (intset) are scanned
 * in one page, and an intset lists its members in ascending order.
 *
 * mini-redis does not store values that way; the encoding is derived from
 * the contents. One difference shows: Redis never converts back, so a hash
 * that grew past 128 fields and shrank again stays `hashtable` there, while
 * this reports `listpack` again.
 */
import { parseInt64 } from './args.js';
import type { Entry } from './db.js';

/** The thresholds CONFIG SET changes: *-max-listpack-entries/value, set-max-intset-entries. */
export interface EncodingLimits {
  hashEntries: number;
  hashValue: number;
  zsetEntries: number;
  zsetValue: number;
  setIntsetEntries: number;
}

/** Redis 7.0's compiled-in defaults (what CONFIG GET shows on a server started without a config file). */
export function defaultLimits(): EncodingLimits {
  return { hashEntries: 512, hashValue: 64, zsetEntries: 128, zsetValue: 64, setIntsetEntries: 512 };
}
/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT */
const EMBSTR_LIMIT = 44;
/** OBJ_SHARED_INTEGERS: 0..9999 are shared objects with refcount INT_MAX. */
const SHARED_INTEGERS = 10000n;

export type Encoding = 'int' | 'embstr' | 'raw' | 'quicklist' | 'listpack' | 'hashtable' | 'intset' | 'skiplist' | 'stream';

/** A string's encoding (see Entry's `enc`). */
function stringEncoding(e: Entry & { type: 'string' }): 'int' | 'embstr' | 'raw' {
  if (e.enc === 'raw') return 'raw';
  if (e.enc === undefined && e.value.length <= 20 && parseInt64(e.value) !== null) return 'int';
  return e.value.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/** Every member is an int64 in canonical form and there are few enough: Redis keeps an intset. */
export function isIntset(members: Iterable<string>, size: number, limits: EncodingLimits): boolean {
  if (size > limits.setIntsetEntries) return false;
  for (const m of members) if (m.length > 20 || parseInt64(Buffer.from(m, 'latin1')) === null) return false;
  return true;
}

/** A hash small enough, in count and in every field's and value's length, to be a listpack. */
export function isSmallHash(hash: Map<string, Buffer>, limits: EncodingLimits): boolean {
  if (hash.size > limits.hashEntries) return false;
  for (const [f, v] of hash) if (f.length > limits.hashValue || v.length > limits.hashValue) return false;
  return true;
}

/** A sorted set small enough to be a listpack. */
export function isSmallZset(members: Iterable<string>, size: number, limits: EncodingLimits): boolean {
  if (size > limits.zsetEntries) return false;
  for (const m of members) if (m.length > limits.zsetValue) return false;
  return true;
}

export function encodingOf(e: Entry, limits: EncodingLimits): Encoding {
  switch (e.type) {
    case 'string':
      return stringEncoding(e);
    case 'list':
      // Redis 7.0 keeps every list as a quicklist (listpack lists came in 7.2).
      return 'quicklist';
    case 'hash':
      return isSmallHash(e.value, limits) ? 'listpack' : 'hashtable';
    case 'set':
      return isIntset(e.value.values(), e.value.size, limits) ? 'intset' : 'hashtable';
    case 'zset':
      return isSmallZset(
        e.value.range(0, e.value.size - 1).map((m) => m.member),
        e.value.size,
        limits,
      )
        ? 'listpack'
        : 'skiplist';
    case 'stream':
      return 'stream';
  }
}

/** OBJECT REFCOUNT: shared small integers report INT_MAX, everything else 1. */
export function refcountOf(e: Entry): number {
  if (e.type !== 'string' || stringEncoding(e) !== 'int') return 1;
  const v = parseInt64(e.value) as bigint;
  return v >= 0n && v < SHARED_INTEGERS ? 2147483647 : 1;
}

/** An intset's members in its (ascending numeric) order. */
export function intsetOrder(members: Iterable<string>): string[] {
  return [...members].sort((a, b) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
