/**
 * The blocking list commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP. Each
 * tries to serve at once, like its non-blocking twin, and otherwise parks
 * the client with `blockOrServe` (../blocking.ts has the flow).
 */
import { blockOrServe, NOT_READY } from '../blocking.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { parseLongDouble } from '../long-double.js';
import { err, NULL_ARRAY, SYNTAX } from '../reply.js';
import { NOTIFY_LIST } from '../notify.js';
import { moveElement, mpop, parseMpop } from './lists.js';
import { is, k } from './util.js';

const LLONG_MAX = 2n ** 63n - 1n;
const LLONG_MIN = -(2n ** 63n);

/**
 * Redis's getTimeoutFromObjectOrReply in seconds: a long double, times
 * 1000, truncated to a C long long (where out-of-range values, infinities
 * included, become LLONG_MIN on x86-64, hence "negative"); 0 = forever.
 * Returns milliseconds from now.
 */
export function timeoutArg(b: Buffer): number {
  const v = parseLongDouble(b);
  if (v === null) throw err('ERR timeout is not a float or out of range');
  let ms: bigint;
  if ('inf' in v) ms = LLONG_MIN;
  else {
    const scaled = v.m * 1000n;
    const mag = v.e >= 0 ? scaled << BigInt(v.e) : scaled >> BigInt(-v.e);
    ms = v.neg ? -mag : mag;
    if (ms > LLONG_MAX || ms < LLONG_MIN) ms = LLONG_MIN;
  }
  if (ms < 0n) throw err('ERR timeout is negative');
  // A timer past ~24.8 days is beyond setTimeout's range: such a client waits "forever" in practice.
  return ms > 2n ** 31n - 1n ? 2 ** 31 - 1 : Number(ms);
}

/** From `key`'s list: one element from `left`/right, as [key, element]. */
function popOne(left: boolean): (c: Client, key: string) => unknown {
  return (c, key) => {
    const list = c.db.getList(key);
    if (list === undefined || list.length === 0) return NOT_READY;
    const v = left ? list.popFront() : list.popBack();
    c.db.removed(NOTIFY_LIST, left ? 'lpop' : 'rpop', key, list.length);
    c.db.touch(key);
    return [Buffer.from(key, 'latin1'), v];
  };
}

/** BLPOP / BRPOP key [key ...] timeout */
function bpop(c: Client, argv: Buffer[], left: boolean): unknown {
  const timeout = timeoutArg(argv[argv.length - 1] as Buffer);
  const keys = argv.slice(1, -1).map((b) => k(b));
  return blockOrServe(c, 'list', keys, timeout, popOne(left), NULL_ARRAY);
}

function whereArg(b: Buffer): boolean {
  if (is(b, 'left')) return true;
  if (is(b, 'right')) return false;
  throw SYNTAX;
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, and BRPOPLPUSH (RIGHT LEFT). */
function blmoveGeneric(c: Client, src: string, dst: string, fromLeft: boolean, toLeft: boolean, timeoutText: Buffer): unknown {
  const timeout = timeoutArg(timeoutText);
  const serve = (cl: Client, key: string): unknown => moveElement(cl, key, dst, fromLeft, toLeft) ?? NOT_READY;
  return blockOrServe(c, 'list', [src], timeout, serve, null);
}

function blmove(c: Client, argv: Buffer[]): unknown {
  const fromLeft = whereArg(argv[3] as Buffer);
  const toLeft = whereArg(argv[4] as Buffer);
  return blmoveGeneric(c, k(argv[1] as Buffer), k(argv[2] as Buffer), fromLeft, toLeft, argv[5] as Buffer);
}

function brpoplpush(c: Client, argv: Buffer[]): unknown {
  return blmoveGeneric(c, k(argv[1] as Buffer), k(argv[2] as Buffer), false, true, argv[3] as Buffer);
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpop(c: Client, argv: Buffer[]): unknown {
  // Redis parses numkeys, the keys and COUNT before the timeout.
  const a = parseMpop(argv, 2);
  const timeout = timeoutArg(argv[1] as Buffer);
  const serve = (cl: Client, key: string): unknown => mpop(cl, { keys: [key], left: a.left, count: a.count }) ?? NOT_READY;
  return blockOrServe(c, 'list', a.keys, timeout, serve, NULL_ARRAY);
}

export const blockingListCommands: Command[] = [
  command('blpop', -3, 'write noscript blocking', (c, argv) => bpop(c, argv, true), [1, -2, 1]),
  command('brpop', -3, 'write noscript blocking', (c, argv) => bpop(c, argv, false), [1, -2, 1]),
  command('blmove', 6, 'write denyoom noscript blocking', blmove, [1, 2, 1]),
  command('brpoplpush', 4, 'write denyoom noscript blocking', brpoplpush, [1, 2, 1]),
  command('blmpop', -5, 'write blocking', blmpop, [0, 0, 0]),
];
