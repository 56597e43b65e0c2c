/**
 * Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SPOP, SRANDMEMBER, SCARD, SMOVE,
 * SINTER/SUNION/SDIFF and their STORE forms, SINTERCARD. SSCAN: scan.ts. Replies list an
 * all-integer set (Redis's intset) in ascending order, as Redis does.
 */
import { bigIntArg, countArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newSet } from '../db.js';
import { intsetOrder, isIntset } from '../encoding.js';
import { RandomSet } from '../random-set.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../notify.js';
import { err, SYNTAX, WRONGTYPE, wrongArity } from '../reply.js';
import { bytes, is, k } from './util.js';

function sadd(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const set = c.db.getSet(key) ?? c.db.create(key, newSet());
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(k(argv[i] as Buffer))) added++;
  if (added > 0) {
    c.db.touch(key);
    c.db.notify(NOTIFY_SET, 'sadd', key);
  }
  return added;
}

function srem(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const set = c.db.getSet(key);
  if (set === undefined) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) if (set.delete(k(argv[i] as Buffer))) removed++;
  if (removed > 0) {
    c.db.removed(NOTIFY_SET, 'srem', key, set.size);
    c.db.touch(key);
  }
  return removed;
}

/** The members in Redis's order where it has one: ascending for an intset, else insertion order here. */
function ordered(c: Client, set: RandomSet): Iterable<string> {
  return isIntset(set.values(), set.size, c.server.config.limits) ? intsetOrder(set.values()) : set.values();
}

/** A Set so RESP3 clients get `~`; RESP2 degrades it to an array. */
function setReply(c: Client, set: RandomSet | undefined): Set<Buffer> {
  const out = new Set<Buffer>();
  if (set !== undefined) for (const m of ordered(c, set)) out.add(bytes(m));
  return out;
}

function smembers(c: Client, argv: Buffer[]): unknown {
  return setReply(c, c.db.getSet(k(argv[1] as Buffer)));
}

function smismember(c: Client, argv: Buffer[]): unknown {
  const set = c.db.getSet(k(argv[1] as Buffer));
  const out: number[] = [];
  for (let i = 2; i < argv.length; i++) out.push(set?.has(k(argv[i] as Buffer)) === true ? 1 : 0);
  return out;
}

/** Beyond this many repeats SRANDMEMBER's negative count is refused rather than building a reply of that size. */
const MAX_RANDOM_REPEATS = 1_000_000;

/** SRANDMEMBER key [count]: count < 0 may repeat members; count >= size is the whole set. */
function srandmember(c: Client, argv: Buffer[]): unknown {
  if (argv.length > 3) throw SYNTAX;
  const key = k(argv[1] as Buffer);
  if (argv.length === 2) {
    const set = c.db.getSet(key);
    return set === undefined || set.size === 0 ? null : bytes(set.random() as string);
  }
  const l = bigIntArg(argv[2] as Buffer);
  if (l === -(2n ** 63n)) throw err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  const set = c.db.getSet(key);
  if (set === undefined || l === 0n) return [];
  const unique = l > 0n;
  if (!unique && -l > BigInt(MAX_RANDOM_REPEATS)) throw err(`ERR mini-redis refuses SRANDMEMBER counts below -${MAX_RANDOM_REPEATS}`);
  const count = Number(unique ? l : -l);
  if (!unique || count === 1) return Array.from({ length: count }, () => bytes(set.random() as string));
  if (count >= set.size) return [...ordered(c, set)].map(bytes);
  // A uniform sample without repeats: a partial Fisher-Yates over a copy.
  const all = [...set.values()];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (all.length - i));
    [all[i], all[j]] = [all[j] as string, all[i] as string];
  }
  return all.slice(0, count).map(bytes);
}

/** SMOVE src dst member: 1 when moved (or already in src when src is dst). */
function smove(c: Client, argv: Buffer[]): unknown {
  const srcKey = k(argv[1] as Buffer);
  const dstKey = k(argv[2] as Buffer);
  const src = c.db.lookup(srcKey);
  if (src === undefined) return 0;
  const dst = c.db.lookup(dstKey);
  if (src.type !== 'set' || (dst !== undefined && dst.type !== 'set')) throw WRONGTYPE;
  const member = k(argv[3] as Buffer);
  if (srcKey === dstKey) return src.value.has(member) ? 1 : 0;
  if (!src.value.delete(member)) return 0;
  c.db.removed(NOTIFY_SET, 'srem', srcKey, src.value.size);
  c.db.touch(srcKey);
  const target = dst?.type === 'set' ? dst.value : c.db.create(dstKey, newSet());
  if (target.add(member)) {
    c.db.touch(dstKey);
    c.db.notify(NOTIFY_SET, 'sadd', dstKey);
  }
  return 1;
}

/** The sets at `keys` (undefined for a missing key), WRONGTYPE if any key holds another type. */
function setsAt(c: Client, keys: Buffer[]): Array<RandomSet | undefined> {
  return keys.map((key) => c.db.getSet(k(key)));
}

/** SINTER's core: the members of the smallest set found in all the others, in its order; stops at `limit` (0: none). */
function intersect(c: Client, sets: Array<RandomSet | undefined>, limit = 0): string[] {
  if (sets.some((s) => s === undefined)) return [];
  const sorted = (sets as RandomSet[]).slice().sort((a, b) => a.size - b.size);
  const [first, ...rest] = sorted as [RandomSet, ...RandomSet[]];
  const out: string[] = [];
  for (const m of ordered(c, first)) {
    if (rest.every((s) => s.has(m))) {
      out.push(m);
      if (limit !== 0 && out.length >= limit) break;
    }
  }
  return out;
}

/** SUNION / SDIFF into a new set (Redis builds a temporary set too, so its order is that set's). */
function unionOrDiff(sets: Array<RandomSet | undefined>, diff: boolean): RandomSet {
  const out = new RandomSet();
  const [first, ...rest] = sets;
  if (!diff) {
    for (const s of sets) if (s !== undefined) for (const m of s.values()) out.add(m);
    return out;
  }
  if (first === undefined) return out;
  for (const m of first.values()) if (!rest.some((s) => s !== undefined && s.has(m))) out.add(m);
  return out;
}

/** Stores `members` at `dest` (or deletes it when empty); the size. */
function store(c: Client, dest: Buffer, members: Iterable<string>, event: string): number {
  const key = k(dest);
  const set = new RandomSet();
  for (const m of members) set.add(m);
  if (set.size === 0) {
    if (c.db.delete(key)) c.db.notify(NOTIFY_GENERIC, 'del', key);
    return 0;
  }
  c.db.set(key, { type: 'set', lru: 0, value: set });
  c.db.notify(NOTIFY_SET, event, key);
  return set.size;
}

function sinter(c: Client, argv: Buffer[]): unknown {
  const members = intersect(c, setsAt(c, argv.slice(1)));
  return new Set(members.map(bytes));
}

function sinterstore(c: Client, argv: Buffer[]): unknown {
  return store(c, argv[1] as Buffer, intersect(c, setsAt(c, argv.slice(2))), 'sinterstore');
}

/** SINTERCARD numkeys key [key ...] [LIMIT n] */
function sintercard(c: Client, argv: Buffer[]): unknown {
  const n = parseInt64(argv[1] as Buffer);
  if (n === null || n < 1n) throw err('ERR numkeys should be greater than 0');
  if (n > BigInt(argv.length - 2)) throw err("ERR Number of keys can't be greater than number of args");
  const numkeys = Number(n);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (is(argv[j] as Buffer, 'limit') && j + 1 < argv.length) {
      const l = parseInt64(argv[++j] as Buffer);
      if (l === null || l < 0n) throw err("ERR LIMIT can't be negative");
      limit = Number(l);
    } else throw SYNTAX;
  }
  return intersect(c, setsAt(c, argv.slice(2, 2 + numkeys)), limit).length;
}

function sunionDiff(c: Client, argv: Buffer[], diff: boolean): unknown {
  return setReply(c, unionOrDiff(setsAt(c, argv.slice(1)), diff));
}

function sunionDiffStore(c: Client, argv: Buffer[], diff: boolean): unknown {
  return store(c, argv[1] as Buffer, unionOrDiff(setsAt(c, argv.slice(2)), diff).values(), diff ? 'sdiffstore' : 'sunionstore');
}

function spop(c: Client, argv: Buffer[]): unknown {
  if (argv.length > 3) throw wrongArity('spop');
  const key = k(argv[1] as Buffer);
  if (argv.length === 2) {
    const set = c.db.getSet(key);
    if (set === undefined) return null;
    const m = set.pop() as string;
    c.db.removed(NOTIFY_SET, 'spop', key, set.size);
    c.db.touch(key);
    return bytes(m);
  }
  const count = countArg(argv[2] as Buffer);
  const set = c.db.getSet(key);
  const out = new Set<Buffer>();
  if (set === undefined || count === 0) return out;
  if (count >= set.size) {
    // The whole set, in its order (Redis answers this case with SUNION's reply, then deletes the key).
    const all = setReply(c, set);
    c.db.notify(NOTIFY_SET, 'spop', key);
    c.db.delete(key);
    c.db.notify(NOTIFY_GENERIC, 'del', key);
    return all;
  }
  while (out.size < count && set.size > 0) out.add(bytes(set.pop() as string));
  c.db.removed(NOTIFY_SET, 'spop', key, set.size);
  c.db.touch(key);
  return out;
}

function scard(c: Client, argv: Buffer[]): unknown {
  return c.db.getSet(k(argv[1] as Buffer))?.size ?? 0;
}

function sismember(c: Client, argv: Buffer[]): unknown {
  return c.db.getSet(k(argv[1] as Buffer))?.has(k(argv[2] as Buffer)) === true ? 1 : 0;
}

export const setCommands: Command[] = [
  command('sadd', -3, 'write denyoom fast', sadd),
  command('srem', -3, 'write fast', srem),
  command('smembers', 2, 'readonly', smembers),
  command('spop', -2, 'write random fast', spop),
  command('scard', 2, 'readonly fast', scard),
  command('sismember', 3, 'readonly fast', sismember),
  command('smismember', -3, 'readonly fast', smismember),
  command('srandmember', -2, 'readonly random', srandmember),
  command('smove', 4, 'write fast', smove, [1, 2, 1]),
  command('sinter', -2, 'readonly', sinter, [1, -1, 1]),
  command('sinterstore', -3, 'write denyoom', sinterstore, [1, -1, 1]),
  command('sintercard', -3, 'readonly', sintercard, [0, 0, 0]),
  command('sunion', -2, 'readonly', (c, argv) => sunionDiff(c, argv, false), [1, -1, 1]),
  command('sunionstore', -3, 'write denyoom', (c, argv) => sunionDiffStore(c, argv, false), [1, -1, 1]),
  command('sdiff', -2, 'readonly', (c, argv) => sunionDiff(c, argv, true), [1, -1, 1]),
  command('sdiffstore', -3, 'write denyoom', (c, argv) => sunionDiffStore(c, argv, true), [1, -1, 1]),
];
