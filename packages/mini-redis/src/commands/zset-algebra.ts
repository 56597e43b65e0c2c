/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD, as Redis's
 * zunionInterDiffGenericCommand: plain sets count as sorted sets with every
 * score 1; WEIGHTS multiply, AGGREGATE SUM|MIN|MAX combines (a SUM of +inf
 * and -inf is 0, and so is a weighted NaN); inputs are taken smallest first
 * (the order in which SUM adds, which matters for doubles).
 */
import { floatArg, intArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newZset } from '../db.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify.js';
import { err, SYNTAX, WRONGTYPE } from '../reply.js';
import { SortedSet, type ScoredMember } from '../sorted-set.js';
import { is, k } from './util.js';
import { scoredReply } from './zsets.js';

type Op = 'union' | 'inter' | 'diff';

/** One input: member → score (a set's members score 1), and its weight. */
interface Source {
  size: number;
  get(member: string): number | undefined;
  entries(): Iterable<[string, number]>;
  weight: number;
}

function source(c: Client, key: Buffer): Source {
  const e = c.db.lookup(k(key));
  if (e === undefined) return { size: 0, get: () => undefined, entries: () => [], weight: 1 };
  if (e.type === 'zset') {
    const z = e.value;
    return {
      size: z.size,
      get: (m) => z.score(m),
      entries: () => z.range(0, z.size - 1).map((x): [string, number] => [x.member, x.score]),
      weight: 1,
    };
  }
  if (e.type === 'set') {
    const s = e.value;
    return {
      size: s.size,
      get: (m) => (s.has(m) ? 1 : undefined),
      entries: () => [...s.values()].map((m): [string, number] => [m, 1]),
      weight: 1,
    };
  }
  throw WRONGTYPE;
}

type Aggregate = 'sum' | 'min' | 'max';

function aggregate(target: number, val: number, how: Aggregate): number {
  if (how === 'sum') {
    const t = target + val;
    return Number.isNaN(t) ? 0 : t;
  }
  if (how === 'min') return val < target ? val : target;
  return val > target ? val : target;
}

/**
 * `at` is the numkeys argument's index; `dest` the STORE destination or
 * null; `cardOnly` for ZINTERCARD. Returns the reply.
 */
function generic(c: Client, argv: Buffer[], at: number, dest: Buffer | null, op: Op, cardOnly: boolean): unknown {
  const name = (argv[0] as Buffer).toString('latin1').toLowerCase();
  const setnum = intArg(argv[at] as Buffer);
  if (setnum < 1) throw err(`ERR at least 1 input key is needed for '${name}' command`);
  if (setnum > argv.length - (at + 1)) throw SYNTAX;
  const sources: Source[] = [];
  let j = at + 1;
  for (let i = 0; i < setnum; i++, j++) sources.push(source(c, argv[j] as Buffer));
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const a = argv[j] as Buffer;
    const remaining = argv.length - j;
    if (op !== 'diff' && !cardOnly && remaining >= setnum + 1 && is(a, 'weights')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) (sources[i] as Source).weight = floatArg(argv[j] as Buffer, err('ERR weight value is not a float'));
    } else if (op !== 'diff' && !cardOnly && remaining >= 2 && is(a, 'aggregate')) {
      const w = argv[j + 1] as Buffer;
      if (is(w, 'sum')) how = 'sum';
      else if (is(w, 'min')) how = 'min';
      else if (is(w, 'max')) how = 'max';
      else throw SYNTAX;
      j += 2;
    } else if (remaining >= 1 && dest === null && !cardOnly && is(a, 'withscores')) {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && is(a, 'limit')) {
      const l = parseInt64(argv[j + 1] as Buffer);
      if (l === null || l < 0n) throw err("ERR LIMIT can't be negative");
      limit = Number(l);
      j += 2;
    } else throw SYNTAX;
  }
  if (op !== 'diff') sources.sort((x, y) => x.size - y.size);
  const out = new Map<string, number>();
  let cardinality = 0;
  if (op === 'inter') {
    const [first, ...rest] = sources as [Source, ...Source[]];
    if (first.size > 0) {
      for (const [m, s0] of first.entries()) {
        let score = first.weight * s0;
        if (Number.isNaN(score)) score = 0;
        let all = true;
        for (const src of rest) {
          const v = src.get(m);
          if (v === undefined) {
            all = false;
            break;
          }
          score = aggregate(score, v * src.weight, how);
        }
        if (!all) continue;
        if (cardOnly) {
          cardinality++;
          if (limit !== 0 && cardinality >= limit) break;
        } else out.set(m, score);
      }
    }
  } else if (op === 'union') {
    for (const src of sources) {
      for (const [m, s0] of src.entries()) {
        let score = src.weight * s0;
        if (Number.isNaN(score)) score = 0;
        const cur = out.get(m);
        out.set(m, cur === undefined ? score : aggregate(cur, score, how));
      }
    }
  } else {
    const [first, ...rest] = sources as [Source, ...Source[]];
    for (const [m, s0] of first.entries()) if (!rest.some((src) => src.get(m) !== undefined)) out.set(m, s0);
  }
  if (cardOnly) return cardinality;
  const result = new SortedSet();
  for (const [m, s] of out) result.set(m, s);
  if (dest !== null) {
    const key = k(dest);
    if (result.size === 0) {
      if (c.db.delete(key)) c.db.notify(NOTIFY_GENERIC, 'del', key);
      return 0;
    }
    const entry = newZset();
    for (const m of result.range(0, result.size - 1)) entry.value.set(m.member, m.score);
    c.db.set(key, entry);
    c.db.notify(NOTIFY_ZSET, `z${op}store`, key);
    return result.size;
  }
  const items: ScoredMember[] = result.range(0, result.size - 1);
  return scoredReply(c, items, withScores, true);
}

export const zsetAlgebraCommands: Command[] = [
  command('zunion', -3, 'readonly', (c, argv) => generic(c, argv, 1, null, 'union', false), [0, 0, 0]),
  command('zinter', -3, 'readonly', (c, argv) => generic(c, argv, 1, null, 'inter', false), [0, 0, 0]),
  command('zdiff', -3, 'readonly', (c, argv) => generic(c, argv, 1, null, 'diff', false), [0, 0, 0]),
  command('zunionstore', -4, 'write denyoom', (c, argv) => generic(c, argv, 2, argv[1] as Buffer, 'union', false), [1, 1, 1]),
  command('zinterstore', -4, 'write denyoom', (c, argv) => generic(c, argv, 2, argv[1] as Buffer, 'inter', false), [1, 1, 1]),
  command('zdiffstore', -4, 'write denyoom', (c, argv) => generic(c, argv, 2, argv[1] as Buffer, 'diff', false), [1, 1, 1]),
  command('zintercard', -3, 'readonly', (c, argv) => generic(c, argv, 1, null, 'inter', true), [0, 0, 0]),
];
