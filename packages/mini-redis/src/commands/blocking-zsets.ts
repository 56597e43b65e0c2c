/**
 * The blocking sorted-set commands: BZPOPMIN, BZPOPMAX, BZMPOP. Like the
 * blocking list commands (blocking.ts), each serves at once when it can and
 * otherwise parks the client with `blockOrServe` until a sorted set is
 * created under one of its keys.
 */
import { blockOrServe, NOT_READY } from '../blocking.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { parseInt64 } from '../args.js';
import { NOTIFY_ZSET } from '../notify.js';
import { err, NULL_ARRAY, SYNTAX } from '../reply.js';
import { timeoutArg } from './blocking.js';
import { bytes, is, k } from './util.js';
import { score } from './zsets.js';

/** Pops `count` members from `key`'s sorted set (min or max end): null when it has none. */
function popFrom(c: Client, key: string, count: number, max: boolean): Array<{ member: string; score: number }> | null {
  const zset = c.db.getZset(key);
  if (zset === undefined || zset.size === 0) return null;
  const taken = max ? zset.popMax(count) : zset.popMin(count);
  c.db.removed(NOTIFY_ZSET, max ? 'zpopmax' : 'zpopmin', key, zset.size);
  c.db.touch(key);
  return taken;
}

/** BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score]. */
function bzpop(c: Client, argv: Buffer[], max: boolean): unknown {
  const timeout = timeoutArg(argv[argv.length - 1] as Buffer);
  const keys = argv.slice(1, -1).map((b) => k(b));
  const serve = (cl: Client, key: string): unknown => {
    const taken = popFrom(cl, key, 1, max);
    if (taken === null) return NOT_READY;
    const m = taken[0] as { member: string; score: number };
    return [bytes(key), bytes(m.member), score(m.score)];
  };
  return blockOrServe(c, 'zset', keys, timeout, serve, NULL_ARRAY);
}

function positive(b: Buffer, message: string): number {
  const v = parseInt64(b);
  if (v === null || v < 1n) throw err(`ERR ${message}`);
  return Number(v);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT n]: [key, [[member, score], ...]]. */
function bzmpop(c: Client, argv: Buffer[]): unknown {
  // Redis parses numkeys, the keys and COUNT before the timeout.
  const numkeys = positive(argv[2] as Buffer, 'numkeys should be greater than 0');
  const whereAt = 2 + numkeys + 1;
  if (whereAt >= argv.length) throw SYNTAX;
  const where = argv[whereAt] as Buffer;
  if (!is(where, 'min') && !is(where, 'max')) throw SYNTAX;
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j] as Buffer, 'count') && j + 1 < argv.length) {
      count = positive(argv[++j] as Buffer, 'count should be greater than 0');
    } else throw SYNTAX;
  }
  const n = count === -1 ? 1 : count;
  const max = is(where, 'max');
  const timeout = timeoutArg(argv[1] as Buffer);
  const keys: string[] = [];
  for (let i = 3; i < whereAt; i++) keys.push(k(argv[i] as Buffer));
  const serve = (cl: Client, key: string): unknown => {
    const taken = popFrom(cl, key, n, max);
    if (taken === null) return NOT_READY;
    return [bytes(key), taken.map((m) => [bytes(m.member), score(m.score)])];
  };
  return blockOrServe(c, 'zset', keys, timeout, serve, NULL_ARRAY);
}

export const blockingZsetCommands: Command[] = [
  command('bzpopmin', -3, 'write noscript blocking fast', (c, argv) => bzpop(c, argv, false), [1, -2, 1]),
  command('bzpopmax', -3, 'write noscript blocking fast', (c, argv) => bzpop(c, argv, true), [1, -2, 1]),
  command('bzmpop', -5, 'write blocking', bzmpop, [0, 0, 0]),
];
