/**
 * Sorted-set commands: ZADD, ZINCRBY, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZREM, ZCARD, ZPOPMIN,
 * ZPOPMAX, ZMPOP, ZRANDMEMBER. Ranges: zset-ranges.ts; ZUNION/ZINTER/ZDIFF: zset-algebra.ts;
 * ZSCAN: scan.ts.
 */
import { Buffer } from 'node:buffer';
import { RespDouble } from '@reactor-ts/resp';
import { bigIntArg, countArg, floatArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newZset } from '../db.js';
import { NOTIFY_ZSET } from '../notify.js';
import { err, NULL_ARRAY, SYNTAX } from '../reply.js';
import type { ScoredMember, SortedSet } from '../sorted-set.js';
import { bytes, is, k } from './util.js';

/**
 * A score: a double, which the writer prints as Redis 7.0 does (`%.17g`, a
 * bulk string in RESP2). Redis 7.0 stores a small sorted set's scores as
 * text, so a -0 score comes back as 0.
 */
export function score(s: number): RespDouble {
  return new RespDouble(s === 0 ? 0 : s);
}

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;
const CH = 16;
const INCR = 32;

/** ZADD's option at `b` (its bit), or 0 where the score/member pairs begin: byte compares, no string. */
function zaddFlag(b: Buffer): number {
  // `| 0x20` lower-cases a letter, and only a letter can then equal one.
  if (b.length === 2) {
    const a = (b[0] as number) | 0x20;
    const z = (b[1] as number) | 0x20;
    if (z === 0x78 /* x */) return a === 0x6e /* n */ ? NX : a === 0x78 ? XX : 0;
    if (z === 0x74 /* t */) return a === 0x67 /* g */ ? GT : a === 0x6c /* l */ ? LT : 0;
    return a === 0x63 /* c */ && z === 0x68 /* h */ ? CH : 0;
  }
  return b.length === 4 && is(b, 'incr') ? INCR : 0;
}

function zadd(c: Client, argv: Buffer[]): unknown {
  let flags = 0;
  let i = 2;
  for (; i < argv.length; i++) {
    const bit = zaddFlag(argv[i] as Buffer);
    if (bit === 0) break;
    flags |= bit;
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 !== 0) throw SYNTAX;
  if (flags & INCR && elements > 2) throw err('ERR INCR option supports a single increment-element pair');
  if (flags & NX && flags & XX) throw err('ERR XX and NX options at the same time are not compatible');
  if ((flags & NX && flags & (GT | LT)) || (flags & GT && flags & LT)) {
    throw err('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  // Every score is checked before anything changes, as Redis does. One
  // pair (the usual call) needs no array.
  const first = floatArg(argv[i] as Buffer);
  let scores: number[] | null = null;
  if (elements > 2) {
    scores = [first];
    for (let j = i + 2; j < argv.length; j += 2) scores.push(floatArg(argv[j] as Buffer));
  }
  const key = k(argv[1] as Buffer);
  let zset = c.db.getZset(key);
  if (zset === undefined) {
    if (flags & XX) return flags & INCR ? null : 0;
    zset = c.db.create(key, newZset());
  }
  let added = 0;
  let updated = 0;
  let incrResult: number | null = null;
  for (let j = i, p = 0; j < argv.length; j += 2, p++) {
    const s = scores === null ? first : (scores[p] as number);
    const member = k(argv[j + 1] as Buffer);
    const cur = zset.score(member);
    let next = s;
    if (cur !== undefined) {
      if (flags & NX) continue;
      if (flags & INCR) {
        next = cur + s;
        if (Number.isNaN(next)) throw err('ERR resulting score is not a number (NaN)');
      }
      if ((flags & GT && next <= cur) || (flags & LT && next >= cur)) continue;
      if (next !== cur) {
        zset.set(member, next);
        updated++;
      }
      incrResult = next;
    } else {
      if (flags & XX) continue;
      zset.set(member, next);
      added++;
      incrResult = next;
    }
  }
  c.db.deleteIfEmpty(key, zset.size);
  if (added + updated > 0) {
    c.db.touch(key);
    c.db.notify(NOTIFY_ZSET, flags & INCR ? 'zincr' : 'zadd', key);
  }
  if (flags & INCR) return incrResult === null ? null : score(incrResult);
  return flags & CH ? added + updated : added;
}

/** Members, or members with scores: flat in RESP2, pairs in RESP3 when `pairs`. */
export function scoredReply(c: Client, items: ScoredMember[], withScores: boolean, pairs: boolean): unknown[] {
  const out: unknown[] = [];
  for (const m of items) {
    if (!withScores) out.push(bytes(m.member));
    else if (c.protocol === 3 && pairs) out.push([bytes(m.member), score(m.score)]);
    else out.push(bytes(m.member), score(m.score));
  }
  return out;
}

/** Pops up to `count` from the low (min) or high end; the key is deleted when emptied. */
function pop(c: Client, key: string, zset: SortedSet, count: number, max: boolean): ScoredMember[] {
  const taken = max ? zset.popMax(count) : zset.popMin(count);
  if (taken.length > 0) c.db.removed(NOTIFY_ZSET, max ? 'zpopmax' : 'zpopmin', key, zset.size);
  c.db.touch(key);
  return taken;
}

/** ZPOPMIN / ZPOPMAX key [count]: flat pairs, nested in RESP3 when a count is given. */
function zpop(c: Client, argv: Buffer[], max: boolean): unknown {
  if (argv.length > 3) throw SYNTAX;
  let count = 1;
  const hasCount = argv.length === 3;
  if (hasCount) count = countArg(argv[2] as Buffer);
  const key = k(argv[1] as Buffer);
  const zset = c.db.getZset(key);
  if (zset === undefined || count === 0) return [];
  return scoredReply(c, pop(c, key, zset, count, max), true, hasCount);
}

/** A count or numkeys in 1..LONG_MAX, with Redis's message for anything else. */
function positive(b: Buffer, message: string): number {
  const v = parseInt64(b);
  if (v === null || v < 1n) throw err(`ERR ${message}`);
  return Number(v);
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT n]: [key, [[member, score], ...]] from the first non-empty key. */
function zmpop(c: Client, argv: Buffer[]): unknown {
  const numkeys = positive(argv[1] as Buffer, 'numkeys should be greater than 0');
  const whereAt = 1 + numkeys + 1;
  if (whereAt >= argv.length) throw SYNTAX;
  const where = argv[whereAt] as Buffer;
  if (!is(where, 'min') && !is(where, 'max')) throw SYNTAX;
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j] as Buffer, 'count') && j + 1 < argv.length) {
      count = positive(argv[++j] as Buffer, 'count should be greater than 0');
    } else throw SYNTAX;
  }
  if (count === -1) count = 1;
  for (let i = 2; i < whereAt; i++) {
    const key = k(argv[i] as Buffer);
    const zset = c.db.getZset(key);
    if (zset === undefined) continue;
    const taken = pop(c, key, zset, count, is(where, 'max'));
    return [argv[i] as Buffer, taken.map((m) => [bytes(m.member), score(m.score)])];
  }
  return NULL_ARRAY;
}

/** Beyond this many repeats ZRANDMEMBER's negative count is refused rather than building a reply of that size. */
const MAX_RANDOM_REPEATS = 1_000_000;
const LONG_MAX = 2n ** 63n - 1n;

/** ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmember(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  if (argv.length === 2) {
    const z = c.db.getZset(key);
    if (z === undefined) return null;
    return bytes((z.range(0, z.size - 1)[Math.floor(Math.random() * z.size)] as ScoredMember).member);
  }
  const l = bigIntArg(argv[2] as Buffer);
  if (l < -LONG_MAX) throw err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3] as Buffer, 'withscores'))) throw SYNTAX;
  const withScores = argv.length === 4;
  if (withScores && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) throw err('ERR value is out of range');
  const z = c.db.getZset(key);
  if (z === undefined || l === 0n) return [];
  const unique = l > 0n;
  if (!unique && -l > BigInt(MAX_RANDOM_REPEATS)) throw err(`ERR mini-redis refuses ZRANDMEMBER counts below -${MAX_RANDOM_REPEATS}`);
  const count = Number(unique ? l : -l);
  const all = z.range(0, z.size - 1);
  let picked: ScoredMember[];
  if (!unique || count === 1) picked = Array.from({ length: count }, () => all[Math.floor(Math.random() * all.length)] as ScoredMember);
  else if (count >= all.length) picked = all;
  else {
    // A uniform sample without repeats: a partial Fisher-Yates.
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (all.length - i));
      [all[i], all[j]] = [all[j] as ScoredMember, all[i] as ScoredMember];
    }
    picked = all.slice(0, count);
  }
  return scoredReply(c, picked, withScores, true);
}

function zmscore(c: Client, argv: Buffer[]): unknown {
  const z = c.db.getZset(k(argv[1] as Buffer));
  const out: unknown[] = [];
  for (let i = 2; i < argv.length; i++) {
    const s = z?.score(k(argv[i] as Buffer));
    out.push(s === undefined ? null : score(s));
  }
  return out;
}

function zscore(c: Client, argv: Buffer[]): unknown {
  const s = c.db.getZset(k(argv[1] as Buffer))?.score(k(argv[2] as Buffer));
  return s === undefined ? null : score(s);
}

/** ZINCRBY key increment member: ZADD INCR by another name. */
function zincrby(c: Client, argv: Buffer[]): unknown {
  return zadd(c, [argv[0] as Buffer, argv[1] as Buffer, Buffer.from('INCR'), argv[2] as Buffer, argv[3] as Buffer]);
}

function zrank(c: Client, argv: Buffer[], rev: boolean): unknown {
  const zset = c.db.getZset(k(argv[1] as Buffer));
  if (zset === undefined) return null;
  const r = zset.rank(k(argv[2] as Buffer));
  if (r === undefined) return null;
  return rev ? zset.size - 1 - r : r;
}

function zrem(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const zset = c.db.getZset(key);
  if (zset === undefined) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) if (zset.delete(k(argv[i] as Buffer))) removed++;
  if (removed > 0) {
    c.db.removed(NOTIFY_ZSET, 'zrem', key, zset.size);
    c.db.touch(key);
  }
  return removed;
}

function zcard(c: Client, argv: Buffer[]): unknown {
  return c.db.getZset(k(argv[1] as Buffer))?.size ?? 0;
}

export const zsetCommands: Command[] = [
  command('zadd', -4, 'write denyoom fast', zadd),
  command('zincrby', 4, 'write denyoom fast', zincrby),
  command('zrank', 3, 'readonly fast', (c, argv) => zrank(c, argv, false)),
  command('zrevrank', 3, 'readonly fast', (c, argv) => zrank(c, argv, true)),
  command('zpopmin', -2, 'write fast', (c, argv) => zpop(c, argv, false)),
  command('zpopmax', -2, 'write fast', (c, argv) => zpop(c, argv, true)),
  command('zmpop', -4, 'write', zmpop, [0, 0, 0]),
  command('zrandmember', -2, 'readonly random', zrandmember),
  command('zmscore', -3, 'readonly fast', zmscore),
  command('zscore', 3, 'readonly fast', zscore),
  command('zrem', -3, 'write fast', zrem),
  command('zcard', 2, 'readonly fast', zcard),
];
