/** Sorted-set commands: ZADD, ZINCRBY, ZRANGE, ZREVRANGE, ZRANK, ZPOPMIN, ZSCORE, ZREM, ZCARD. */
import { RespDouble } from '@reactor-ts/resp';
import { countArg, floatArg, intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newZset } from '../db.js';
import { err, SYNTAX } from '../reply.js';
import type { ScoredMember } from '../sorted-set.js';
import { bytes, clampRange, is, k } from './util.js';

/**
 * A score: a double, which the writer prints as Redis 7.0 does (`%.17g`, a
 * bulk string in RESP2). Redis 7.0 stores a small sorted set's scores as
 * text, so a -0 score comes back as 0.
 */
function score(s: number): RespDouble {
  return new RespDouble(s === 0 ? 0 : s);
}

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;
const CH = 16;
const INCR = 32;

function zadd(c: Client, argv: Buffer[]): unknown {
  let flags = 0;
  let i = 2;
  for (; i < argv.length; i++) {
    const word = (argv[i] as Buffer).toString('latin1').toLowerCase();
    const bit = word === 'nx' ? NX : word === 'xx' ? XX : word === 'gt' ? GT : word === 'lt' ? LT : word === 'ch' ? CH : word === 'incr' ? INCR : 0;
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
  const pairs: Array<[number, string]> = [];
  for (let j = i; j < argv.length; j += 2) pairs.push([floatArg(argv[j] as Buffer), k(argv[j + 1] as Buffer)]);
  const key = k(argv[1] as Buffer);
  let zset = c.db.getZset(key);
  if (zset === undefined) {
    if (flags & XX) return flags & INCR ? null : 0;
    zset = c.db.create(key, newZset());
  }
  let added = 0;
  let updated = 0;
  let incrResult: number | null = null;
  for (const [s, member] of pairs) {
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
  if (added + updated > 0) c.db.touch(key);
  if (flags & INCR) return incrResult === null ? null : score(incrResult);
  return flags & CH ? added + updated : added;
}

/** A score bound: `1.5`, `(1.5` (exclusive), `-inf`, `+inf`. */
function scoreBound(b: Buffer): { v: number; open: boolean } {
  const open = b[0] === 0x28;
  const bad = err('ERR min or max is not a float');
  return { v: floatArg(open ? b.subarray(1) : b, bad), open };
}

/** A lex bound: `[a` inclusive, `(a` exclusive, `-` and `+` the ends. */
function lexBound(b: Buffer): { v: string | null; open: boolean; neg: boolean } {
  const s = b.toString('latin1');
  if (s === '-' || s === '+') return { v: null, open: false, neg: s === '-' };
  if (s[0] === '[' || s[0] === '(') return { v: s.slice(1), open: s[0] === '(', neg: false };
  throw err('ERR min or max not valid string range item');
}

/** ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
function zrange(c: Client, argv: Buffer[]): unknown {
  let withScores = false;
  let rev = false;
  let by: 'rank' | 'score' | 'lex' = 'rank';
  let offset = 0;
  let limit = -1;
  let hasLimit = false;
  for (let i = 4; i < argv.length; i++) {
    const a = argv[i] as Buffer;
    if (is(a, 'withscores')) withScores = true;
    else if (is(a, 'limit') && i + 2 < argv.length) {
      offset = intArg(argv[i + 1] as Buffer);
      limit = intArg(argv[i + 2] as Buffer);
      hasLimit = true;
      i += 2;
    } else if (is(a, 'rev')) rev = true;
    else if (is(a, 'bylex')) by = 'lex';
    else if (is(a, 'byscore')) by = 'score';
    else throw SYNTAX;
  }
  if (hasLimit && by === 'rank') throw err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && by === 'lex') throw err('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  let first = argv[2] as Buffer;
  let last = argv[3] as Buffer;
  if (rev && by !== 'rank') [first, last] = [last, first];
  let picked: ScoredMember[];
  if (by === 'rank') {
    const start = intArg(first);
    const stop = intArg(last);
    const zset = c.db.getZset(k(argv[1] as Buffer));
    if (zset === undefined) return [];
    const n = zset.size;
    const r = rev ? clampRange(start, stop, n) : clampRange(start, stop, n);
    if (r === null) return [];
    picked = rev ? zset.range(n - 1 - r[1], n - 1 - r[0]).reverse() : zset.range(r[0], r[1]);
  } else {
    let keep: (m: ScoredMember) => boolean;
    if (by === 'score') {
      const min = scoreBound(first);
      const max = scoreBound(last);
      keep = (m) => (min.open ? m.score > min.v : m.score >= min.v) && (max.open ? m.score < max.v : m.score <= max.v);
    } else {
      const min = lexBound(first);
      const max = lexBound(last);
      keep = (m) =>
        (min.v === null ? min.neg : min.open ? m.member > min.v : m.member >= min.v) &&
        (max.v === null ? !max.neg : max.open ? m.member < max.v : m.member <= max.v);
    }
    const zset = c.db.getZset(k(argv[1] as Buffer));
    if (zset === undefined) return [];
    const all = zset.range(0, zset.size - 1);
    if (rev) all.reverse();
    picked = all.filter(keep);
    if (hasLimit) {
      if (offset < 0) return [];
      picked = picked.slice(offset, limit < 0 ? undefined : offset + limit);
    }
  }
  return reply(c, picked, withScores, true);
}

/** Members, or members with scores: flat in RESP2, pairs in RESP3 when `pairs`. */
function reply(c: Client, items: ScoredMember[], withScores: boolean, pairs: boolean): unknown[] {
  const out: unknown[] = [];
  for (const m of items) {
    if (!withScores) out.push(bytes(m.member));
    else if (c.protocol === 3 && pairs) out.push([bytes(m.member), score(m.score)]);
    else out.push(bytes(m.member), score(m.score));
  }
  return out;
}

function zpopmin(c: Client, argv: Buffer[]): unknown {
  if (argv.length > 3) throw SYNTAX;
  let count = 1;
  const hasCount = argv.length === 3;
  if (hasCount) {
    count = countArg(argv[2] as Buffer);
  }
  const key = k(argv[1] as Buffer);
  const zset = c.db.getZset(key);
  if (zset === undefined || count === 0) return [];
  const taken = zset.popMin(count);
  c.db.deleteIfEmpty(key, zset.size);
  c.db.touch(key);
  return reply(c, taken, true, hasCount);
}

function zscore(c: Client, argv: Buffer[]): unknown {
  const s = c.db.getZset(k(argv[1] as Buffer))?.score(k(argv[2] as Buffer));
  return s === undefined ? null : score(s);
}

/** ZINCRBY key increment member: ZADD INCR by another name. */
function zincrby(c: Client, argv: Buffer[]): unknown {
  return zadd(c, [argv[0] as Buffer, argv[1] as Buffer, Buffer.from('INCR'), argv[2] as Buffer, argv[3] as Buffer]);
}

/** ZREVRANGE key start stop [WITHSCORES]: ZRANGE ... REV. */
function zrevrange(c: Client, argv: Buffer[]): unknown {
  if (argv.length > 5 || (argv.length === 5 && !is(argv[4] as Buffer, 'withscores'))) throw SYNTAX;
  return zrange(c, [...argv.slice(0, 4), Buffer.from('REV'), ...argv.slice(4)]);
}

function zrank(c: Client, argv: Buffer[]): unknown {
  const zset = c.db.getZset(k(argv[1] as Buffer));
  if (zset === undefined) return null;
  return zset.rank(k(argv[2] as Buffer)) ?? null;
}

function zrem(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const zset = c.db.getZset(key);
  if (zset === undefined) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) if (zset.delete(k(argv[i] as Buffer))) removed++;
  if (removed > 0) {
    c.db.deleteIfEmpty(key, zset.size);
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
  command('zrange', -4, 'readonly', zrange),
  command('zrevrange', -4, 'readonly', zrevrange),
  command('zrank', 3, 'readonly fast', zrank),
  command('zpopmin', -2, 'write fast', zpopmin),
  command('zscore', 3, 'readonly fast', zscore),
  command('zrem', -3, 'write fast', zrem),
  command('zcard', 2, 'readonly fast', zcard),
];
