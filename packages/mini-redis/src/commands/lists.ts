/**
 * List commands, as Redis 7.0's t_list.c: pushes and pops at both ends,
 * LMOVE/RPOPLPUSH/LMPOP, the O(n) middle edits (LINSERT, LREM, LSET, LTRIM),
 * LPOS, and the reads. The order of argument checks and key lookups is
 * Redis's, since it decides which error a bad request gets (LSET looks the
 * key up before it parses the index, LTRIM parses first).
 */
import { Buffer } from 'node:buffer';
import type { Deque } from '../deque.js';
import { countArg, intArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newList } from '../db.js';
import { NOTIFY_LIST } from '../notify.js';
import { err, NULL_ARRAY, OK, SYNTAX, wrongArity } from '../reply.js';
import { clampRange, is, k } from './util.js';

const NO_SUCH_KEY = err('ERR no such key');
const INDEX_OUT_OF_RANGE = err('ERR index out of range');
const LONG_MAX = 2n ** 63n - 1n;

/**
 * Redis's getRangeLongFromObjectOrReply: an int64 within [min, max]; `msg`
 * (when given) is the one error for both a non-integer and an out-of-range value.
 */
function rangeArg(b: Buffer, min: bigint, max: bigint, msg?: string): number {
  const v = parseInt64(b);
  if (v === null) throw err(msg ?? 'ERR value is not an integer or out of range');
  if (v < min || v > max) throw err(msg ?? `ERR value is out of range, value must between ${min} and ${max}`);
  return Number(v);
}

/** LEFT / RIGHT → true for the head. */
function whereArg(b: Buffer): boolean {
  if (is(b, 'left')) return true;
  if (is(b, 'right')) return false;
  throw SYNTAX;
}

function pushTo(list: Deque<Buffer>, v: Buffer, left: boolean): void {
  if (left) list.pushFront(v);
  else list.pushBack(v);
}

function push(c: Client, argv: Buffer[], left: boolean, onlyIfExists: boolean): unknown {
  const key = k(argv[1] as Buffer);
  let list = c.db.getList(key);
  if (list === undefined) {
    if (onlyIfExists) return 0;
    list = c.db.create(key, newList());
  }
  for (let i = 2; i < argv.length; i++) pushTo(list, argv[i] as Buffer, left);
  c.db.touch(key);
  c.db.notify(NOTIFY_LIST, left ? 'lpush' : 'rpush', key);
  return list.length;
}

/** LPOP/RPOP key [count]: one bulk without count, an array (or null array) with it. */
function pop(c: Client, argv: Buffer[], left: boolean): unknown {
  if (argv.length > 3) throw wrongArity(left ? 'lpop' : 'rpop');
  let count = -1;
  if (argv.length === 3) {
    count = countArg(argv[2] as Buffer);
  }
  const key = k(argv[1] as Buffer);
  const list = c.db.getList(key);
  if (list === undefined) return count === -1 ? null : NULL_ARRAY;
  if (count === -1) {
    const v = left ? list.popFront() : list.popBack();
    c.db.removed(NOTIFY_LIST, left ? 'lpop' : 'rpop', key, list.length);
    c.db.touch(key);
    return v ?? null;
  }
  return popMany(c, key, list, left, count);
}

/** Pops up to `count` elements from one end; deletes the key if that empties it. */
function popMany(c: Client, key: string, list: Deque<Buffer>, left: boolean, count: number): Buffer[] {
  const out: Buffer[] = [];
  while (out.length < count && list.length > 0) out.push((left ? list.popFront() : list.popBack()) as Buffer);
  if (out.length > 0) {
    c.db.removed(NOTIFY_LIST, left ? 'lpop' : 'rpop', key, list.length);
    c.db.touch(key);
  }
  return out;
}

/**
 * LMOVE's core (RPOPLPUSH, LMOVE, and the blocking forms when served): the
 * destination's type is checked before anything is popped, so a WRONGTYPE
 * destination leaves the source as it was. Same key: a rotation.
 */
export function moveElement(c: Client, src: string, dst: string, fromLeft: boolean, toLeft: boolean): Buffer | null {
  const from = c.db.getList(src);
  if (from === undefined || from.length === 0) return null;
  const existing = c.db.getList(dst);
  const v = (fromLeft ? from.popFront() : from.popBack()) as Buffer;
  // Redis's order (lmoveGenericCommand): the push to dst and its events
  // first, then the pop's event and the source's deletion if that emptied
  // it. Same key: the element goes back on the same list, never deleted.
  const to = existing ?? c.db.create(dst, newList());
  pushTo(to, v, toLeft);
  c.db.touch(dst);
  c.db.notify(NOTIFY_LIST, toLeft ? 'lpush' : 'rpush', dst);
  c.db.removed(NOTIFY_LIST, fromLeft ? 'lpop' : 'rpop', src, from.length);
  c.db.touch(src);
  return v;
}

function lmove(c: Client, argv: Buffer[]): unknown {
  const fromLeft = whereArg(argv[3] as Buffer);
  const toLeft = whereArg(argv[4] as Buffer);
  return moveElement(c, k(argv[1] as Buffer), k(argv[2] as Buffer), fromLeft, toLeft);
}

function rpoplpush(c: Client, argv: Buffer[]): unknown {
  return moveElement(c, k(argv[1] as Buffer), k(argv[2] as Buffer), false, true);
}

/** LMPOP's arguments (also BLMPOP's, from `first` = the numkeys position). */
export interface MpopArgs {
  keys: string[];
  left: boolean;
  count: number;
}

export function parseMpop(argv: Buffer[], first: number): MpopArgs {
  const numkeys = rangeArg(argv[first] as Buffer, 1n, LONG_MAX, 'ERR numkeys should be greater than 0');
  const whereIdx = first + numkeys + 1;
  if (whereIdx >= argv.length) throw SYNTAX;
  const left = whereArg(argv[whereIdx] as Buffer);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j] as Buffer, 'count') && j + 1 < argv.length) {
      count = rangeArg(argv[++j] as Buffer, 1n, LONG_MAX, 'ERR count should be greater than 0');
    } else throw SYNTAX;
  }
  const keys: string[] = [];
  for (let i = first + 1; i < whereIdx; i++) keys.push(k(argv[i] as Buffer));
  return { keys, left, count: count === -1 ? 1 : count };
}

/** The first non-empty list among `keys`, popped: [key, elements]; null when all are empty. */
export function mpop(c: Client, a: MpopArgs): [Buffer, Buffer[]] | null {
  for (const key of a.keys) {
    const list = c.db.getList(key);
    if (list === undefined || list.length === 0) continue;
    return [Buffer.from(key, 'latin1'), popMany(c, key, list, a.left, a.count)];
  }
  return null;
}

function lmpop(c: Client, argv: Buffer[]): unknown {
  return mpop(c, parseMpop(argv, 1)) ?? NULL_ARRAY;
}

function lrange(c: Client, argv: Buffer[]): unknown {
  const start = intArg(argv[2] as Buffer);
  const stop = intArg(argv[3] as Buffer);
  const list = c.db.getList(k(argv[1] as Buffer));
  if (list === undefined) return [];
  const r = clampRange(start, stop, list.length);
  return r === null ? [] : list.slice(r[0], r[1]);
}

function lindex(c: Client, argv: Buffer[]): unknown {
  // Redis looks the key up first: LINDEX on no key is nil whatever the index.
  const list = c.db.getList(k(argv[1] as Buffer));
  if (list === undefined) return null;
  const i = intArg(argv[2] as Buffer);
  return list.at(i < 0 ? list.length + i : i) ?? null;
}

function llen(c: Client, argv: Buffer[]): unknown {
  return c.db.getList(k(argv[1] as Buffer))?.length ?? 0;
}

function lset(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const list = c.db.getList(key);
  if (list === undefined) throw NO_SUCH_KEY;
  const index = intArg(argv[2] as Buffer);
  const i = index < 0 ? list.length + index : index;
  if (i < 0 || i >= list.length) throw INDEX_OUT_OF_RANGE;
  list.set(i, argv[3] as Buffer);
  c.db.touch(key);
  c.db.notify(NOTIFY_LIST, 'lset', key);
  return OK;
}

function ltrim(c: Client, argv: Buffer[]): unknown {
  const start = intArg(argv[2] as Buffer);
  const stop = intArg(argv[3] as Buffer);
  const key = k(argv[1] as Buffer);
  const list = c.db.getList(key);
  if (list === undefined) return OK;
  const r = clampRange(start, stop, list.length);
  const [from, to] = r ?? [list.length, list.length - 1];
  const dropTail = list.length - 1 - to;
  for (let i = 0; i < from && list.length > 0; i++) list.popFront();
  for (let i = 0; i < dropTail && list.length > 0; i++) list.popBack();
  c.db.removed(NOTIFY_LIST, 'ltrim', key, list.length);
  c.db.touch(key);
  return OK;
}

function lrem(c: Client, argv: Buffer[]): unknown {
  const count = intArg(argv[2] as Buffer);
  const key = k(argv[1] as Buffer);
  const list = c.db.getList(key);
  if (list === undefined) return 0;
  const target = argv[3] as Buffer;
  const items = list.toArray();
  const limit = count === 0 ? Infinity : Math.abs(count);
  let removed = 0;
  const keep: Array<Buffer | null> = items;
  if (count >= 0) {
    for (let i = 0; i < items.length && removed < limit; i++) if ((items[i] as Buffer).equals(target)) (keep[i] = null), removed++;
  } else {
    for (let i = items.length - 1; i >= 0 && removed < limit; i--) if ((items[i] as Buffer).equals(target)) (keep[i] = null), removed++;
  }
  if (removed === 0) return 0;
  list.replaceAll(keep.filter((v): v is Buffer => v !== null));
  c.db.removed(NOTIFY_LIST, 'lrem', key, list.length);
  c.db.touch(key);
  return removed;
}

function linsert(c: Client, argv: Buffer[]): unknown {
  let after: boolean;
  if (is(argv[2] as Buffer, 'after')) after = true;
  else if (is(argv[2] as Buffer, 'before')) after = false;
  else throw SYNTAX;
  const key = k(argv[1] as Buffer);
  const list = c.db.getList(key);
  if (list === undefined) return 0;
  const pivot = argv[3] as Buffer;
  const at = list.indexWhere((v) => v.equals(pivot));
  if (at === -1) return -1;
  const items = list.toArray();
  items.splice(after ? at + 1 : at, 0, argv[4] as Buffer);
  list.replaceAll(items);
  c.db.touch(key);
  c.db.notify(NOTIFY_LIST, 'linsert', key);
  return list.length;
}

function lpos(c: Client, argv: Buffer[]): unknown {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j] as Buffer;
    const more = j + 1 < argv.length;
    if (is(opt, 'rank') && more) {
      rank = rangeArg(argv[++j] as Buffer, -LONG_MAX - 1n, LONG_MAX);
      if (rank === 0) {
        throw err(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
    } else if (is(opt, 'count') && more) {
      count = rangeArg(argv[++j] as Buffer, 0n, LONG_MAX, "ERR COUNT can't be negative");
    } else if (is(opt, 'maxlen') && more) {
      maxlen = rangeArg(argv[++j] as Buffer, 0n, LONG_MAX, "ERR MAXLEN can't be negative");
    } else throw SYNTAX;
  }
  const list = c.db.getList(k(argv[1] as Buffer));
  if (list === undefined) return count !== -1 ? [] : null;
  const target = argv[2] as Buffer;
  const fromTail = rank < 0;
  // Redis negates the rank in a C long: -2^63 stays negative, so every
  // match passes its `matches >= rank` test (the first match from the tail).
  const skip = rank === -(2 ** 63) ? 1 : Math.abs(rank);
  const n = list.length;
  const found: number[] = [];
  let matches = 0;
  for (let scanned = 0; scanned < n && (maxlen === 0 || scanned < maxlen); scanned++) {
    const pos = fromTail ? n - 1 - scanned : scanned;
    if (!(list.at(pos) as Buffer).equals(target)) continue;
    matches++;
    if (matches < skip) continue;
    found.push(pos);
    if (count === -1 || (count !== 0 && found.length >= count)) break;
  }
  if (count === -1) return found[0] ?? null;
  return found;
}

export const listCommands: Command[] = [
  command('lpush', -3, 'write denyoom fast', (c, argv) => push(c, argv, true, false)),
  command('rpush', -3, 'write denyoom fast', (c, argv) => push(c, argv, false, false)),
  command('lpushx', -3, 'write denyoom fast', (c, argv) => push(c, argv, true, true)),
  command('rpushx', -3, 'write denyoom fast', (c, argv) => push(c, argv, false, true)),
  command('lpop', -2, 'write fast', (c, argv) => pop(c, argv, true)),
  command('rpop', -2, 'write fast', (c, argv) => pop(c, argv, false)),
  command('lmove', 5, 'write denyoom', lmove, [1, 2, 1]),
  command('rpoplpush', 3, 'write denyoom', rpoplpush, [1, 2, 1]),
  command('lmpop', -4, 'write', lmpop, [0, 0, 0]),
  command('lrange', 4, 'readonly', lrange),
  command('llen', 2, 'readonly fast', llen),
  command('lindex', 3, 'readonly', lindex),
  command('lset', 4, 'write denyoom', lset),
  command('ltrim', 4, 'write', ltrim),
  command('lrem', 4, 'write', lrem),
  command('linsert', 5, 'write denyoom', linsert),
  command('lpos', -3, 'readonly', lpos),
];
