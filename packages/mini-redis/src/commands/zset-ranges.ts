/**
 * Sorted-set ranges, as Redis's zrangeGenericCommand: ZRANGE (rank, BYSCORE,
 * BYLEX, REV, LIMIT, WITHSCORES), the older ZREVRANGE / ZRANGEBYSCORE /
 * ZREVRANGEBYSCORE / ZRANGEBYLEX / ZREVRANGEBYLEX, ZRANGESTORE; and the
 * range counts and removals: ZCOUNT, ZLEXCOUNT, ZREMRANGEBYRANK/SCORE/LEX.
 */
import { floatArg, intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newZset } from '../db.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify.js';
import { err, SYNTAX, WRONGTYPE } from '../reply.js';
import type { ScoredMember, SortedSet } from '../sorted-set.js';
import { clampRange, is, k } from './util.js';
import { scoredReply } from './zsets.js';

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

const NOT_FLOAT_RANGE = err('ERR min or max is not a float');
const NOT_LEX_RANGE = err('ERR min or max not valid string range item');

interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** `1.5`, `(1.5` (exclusive), `-inf`, `+inf`: Redis's zslParseRange. */
function scoreRange(minArg: Buffer, maxArg: Buffer): ScoreRange {
  const one = (b: Buffer): [number, boolean] => {
    const open = b[0] === 0x28;
    return [floatArg(open ? b.subarray(1) : b, NOT_FLOAT_RANGE), open];
  };
  const [min, minex] = one(minArg);
  const [max, maxex] = one(maxArg);
  return { min, max, minex, maxex };
}

/** Ranks [lo, hi) of the entries whose score is in `r`: two O(log n) descents of the skiplist, not a walk. */
function scoreRanks(z: SortedSet, r: ScoreRange): [number, number] {
  const lo = z.countWhile((e) => (r.minex ? e.score <= r.min : e.score < r.min));
  const hi = z.countWhile((e) => (r.maxex ? e.score < r.max : e.score <= r.max));
  return [lo, Math.max(lo, hi)];
}

/** A lex bound: `[a` inclusive, `(a` exclusive, `-` and `+` the ends (Redis's zslParseLexRangeItem). */
interface LexBound {
  v: string | null;
  open: boolean;
  /** For `-` / `+` (v null): true for `-`. */
  neg: boolean;
}

function lexBound(b: Buffer): LexBound {
  const s = b.toString('latin1');
  if (s === '-' || s === '+') return { v: null, open: false, neg: s === '-' };
  if (s[0] === '[' || s[0] === '(') return { v: s.slice(1), open: s[0] === '(', neg: false };
  throw NOT_LEX_RANGE;
}

function inLex(min: LexBound, max: LexBound, m: string): boolean {
  const aboveMin = min.v === null ? min.neg : min.open ? m > min.v : m >= min.v;
  const belowMax = max.v === null ? !max.neg : max.open ? m < max.v : m <= max.v;
  return aboveMin && belowMax;
}

/** The sorted set at `key`, undefined when absent; WRONGTYPE for another type. */
function zsetAt(c: Client, key: Buffer): SortedSet | undefined {
  return c.db.getZset(k(key));
}

/**
 * Z[REV]RANGE[BY...] and ZRANGESTORE: `at` is the source key's index, `store`
 * the destination key (ZRANGESTORE) or null; `type` and `dir` are fixed by
 * the older commands and 'auto' for ZRANGE, where options choose them.
 */
function zrangeGeneric(c: Client, argv: Buffer[], at: number, store: Buffer | null, type: RangeType, dir: Direction): unknown {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const a = argv[j] as Buffer;
    const left = argv.length - j - 1;
    if (store === null && is(a, 'withscores')) withScores = true;
    else if (is(a, 'limit') && left >= 2) {
      offset = intArg(argv[j + 1] as Buffer);
      limit = intArg(argv[j + 2] as Buffer);
      j += 2;
    } else if (dir === 'auto' && is(a, 'rev')) dir = 'reverse';
    else if (type === 'auto' && is(a, 'bylex')) type = 'lex';
    else if (type === 'auto' && is(a, 'byscore')) type = 'score';
    else throw SYNTAX;
  }
  const rev = dir === 'reverse';
  if (type === 'auto') type = 'rank';
  if (limit !== -1 && type === 'rank') throw err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && type === 'lex') throw err('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  let minArg = argv[at + 1] as Buffer;
  let maxArg = argv[at + 2] as Buffer;
  // BYSCORE / BYLEX with REV take the range as max, min.
  if (rev && type !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let pick: (z: SortedSet) => ScoredMember[];
  if (type === 'rank') {
    const start = intArg(minArg);
    const stop = intArg(maxArg);
    pick = (z) => {
      const n = z.size;
      const r = clampRange(start, stop, n);
      if (r === null) return [];
      return rev ? z.range(n - 1 - r[1], n - 1 - r[0]).reverse() : z.range(r[0], r[1]);
    };
  } else if (type === 'score') {
    const r = scoreRange(minArg, maxArg);
    pick = (z) => {
      // A negative offset skips everything (Redis counts it down past the end).
      if (offset < 0) return [];
      const [lo, hi] = scoreRanks(z, r);
      const n = hi - lo - offset;
      const take = limit < 0 ? n : Math.min(n, limit);
      if (take <= 0) return [];
      return rev ? z.range(hi - offset - take, hi - offset - 1).reverse() : z.range(lo + offset, lo + offset + take - 1);
    };
  } else {
    // BYLEX walks the list: Redis's lex order only holds among equal scores.
    const min = lexBound(minArg);
    const max = lexBound(maxArg);
    const keep = (m: ScoredMember): boolean => inLex(min, max, m.member);
    pick = (z) => {
      if (offset > 0 && offset >= z.size) return [];
      const all = z.range(0, z.size - 1);
      if (rev) all.reverse();
      let picked = all.filter(keep);
      // A negative offset skips everything (Redis counts it down past the end).
      if (offset < 0) return [];
      picked = picked.slice(offset, limit < 0 ? undefined : offset + limit);
      return picked;
    };
  }
  const zset = zsetAt(c, argv[at] as Buffer);
  const picked = zset === undefined ? [] : pick(zset);
  if (store !== null) return storeRange(c, store, picked);
  return scoredReply(c, picked, withScores, true);
}

/** ZRANGESTORE's result: the destination replaced (or deleted when empty), the count. */
function storeRange(c: Client, dest: Buffer, items: ScoredMember[]): number {
  const key = k(dest);
  if (items.length === 0) {
    if (c.db.delete(key)) c.db.notify(NOTIFY_GENERIC, 'del', key);
    return 0;
  }
  const entry = newZset();
  for (const m of items) entry.value.set(m.member, m.score);
  c.db.set(key, entry);
  c.db.notify(NOTIFY_ZSET, 'zrangestore', key);
  return items.length;
}

function zcount(c: Client, argv: Buffer[]): unknown {
  const r = scoreRange(argv[2] as Buffer, argv[3] as Buffer);
  const z = zsetAt(c, argv[1] as Buffer);
  if (z === undefined) return 0;
  const [lo, hi] = scoreRanks(z, r);
  return hi - lo;
}

function zlexcount(c: Client, argv: Buffer[]): unknown {
  const min = lexBound(argv[2] as Buffer);
  const max = lexBound(argv[3] as Buffer);
  const z = zsetAt(c, argv[1] as Buffer);
  if (z === undefined) return 0;
  return z.range(0, z.size - 1).filter((m) => inLex(min, max, m.member)).length;
}

/** ZREMRANGEBYRANK / BYSCORE / BYLEX key a b: the number removed; an emptied key is deleted. */
function zremrange(c: Client, argv: Buffer[], type: 'rank' | 'score' | 'lex'): unknown {
  let match: ((m: ScoredMember) => boolean) | null = null;
  let scores: ScoreRange | null = null;
  let start = 0;
  let stop = 0;
  if (type === 'rank') {
    start = intArg(argv[2] as Buffer);
    stop = intArg(argv[3] as Buffer);
  } else if (type === 'score') {
    scores = scoreRange(argv[2] as Buffer, argv[3] as Buffer);
  } else {
    const min = lexBound(argv[2] as Buffer);
    const max = lexBound(argv[3] as Buffer);
    match = (m) => inLex(min, max, m.member);
  }
  const key = k(argv[1] as Buffer);
  const e = c.db.lookup(key);
  if (e === undefined) return 0;
  if (e.type !== 'zset') throw WRONGTYPE;
  const z = e.value;
  let removed: number;
  if (scores !== null) {
    const [lo, hi] = scoreRanks(z, scores);
    removed = hi > lo ? z.removeRange(lo, hi - 1) : 0;
  } else if (match === null) {
    const r = clampRange(start, stop, z.size);
    if (r === null) return 0;
    removed = z.removeRange(r[0], r[1]);
  } else {
    removed = 0;
    for (const m of z.range(0, z.size - 1)) if (match(m) && z.delete(m.member)) removed++;
  }
  if (removed > 0) {
    c.db.removed(NOTIFY_ZSET, `zremrangeby${type}`, key, z.size);
    c.db.touch(key);
  }
  return removed;
}

export const zsetRangeCommands: Command[] = [
  command('zrange', -4, 'readonly', (c, argv) => zrangeGeneric(c, argv, 1, null, 'auto', 'auto')),
  command('zrangestore', -5, 'write denyoom', (c, argv) => zrangeGeneric(c, argv, 2, argv[1] as Buffer, 'auto', 'auto'), [1, 2, 1]),
  command('zrevrange', -4, 'readonly', (c, argv) => zrangeGeneric(c, argv, 1, null, 'rank', 'reverse')),
  command('zrangebyscore', -4, 'readonly', (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', 'forward')),
  command('zrevrangebyscore', -4, 'readonly', (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', 'reverse')),
  command('zrangebylex', -4, 'readonly', (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', 'forward')),
  command('zrevrangebylex', -4, 'readonly', (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', 'reverse')),
  command('zcount', 4, 'readonly fast', zcount),
  command('zlexcount', 4, 'readonly fast', zlexcount),
  command('zremrangebyrank', 4, 'write', (c, argv) => zremrange(c, argv, 'rank')),
  command('zremrangebyscore', 4, 'write', (c, argv) => zremrange(c, argv, 'score')),
  command('zremrangebylex', 4, 'write', (c, argv) => zremrange(c, argv, 'lex')),
];
