/** List commands: LPUSH, RPUSH, LPOP, RPOP, LRANGE, LLEN, LINDEX. */
import { countArg, intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newList } from '../db.js';
import { NULL_ARRAY, wrongArity } from '../reply.js';
import { clampRange, k } from './util.js';

function push(c: Client, argv: Buffer[], left: boolean): unknown {
  const key = k(argv[1] as Buffer);
  const list = c.db.getList(key) ?? c.db.create(key, newList());
  for (let i = 2; i < argv.length; i++) {
    if (left) list.pushFront(argv[i] as Buffer);
    else list.pushBack(argv[i] as Buffer);
  }
  c.db.touch(key);
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
    c.db.deleteIfEmpty(key, list.length);
    c.db.touch(key);
    return v ?? null;
  }
  const out: Buffer[] = [];
  while (out.length < count && list.length > 0) out.push((left ? list.popFront() : list.popBack()) as Buffer);
  if (out.length > 0) {
    c.db.deleteIfEmpty(key, list.length);
    c.db.touch(key);
  }
  return out;
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
  const list = c.db.getList(k(argv[1] as Buffer));
  const i = intArg(argv[2] as Buffer);
  if (list === undefined) return null;
  return list.at(i < 0 ? list.length + i : i) ?? null;
}

function llen(c: Client, argv: Buffer[]): unknown {
  return c.db.getList(k(argv[1] as Buffer))?.length ?? 0;
}

export const listCommands: Command[] = [
  command('lpush', -3, 'write denyoom fast', (c, argv) => push(c, argv, true)),
  command('rpush', -3, 'write denyoom fast', (c, argv) => push(c, argv, false)),
  command('lpop', -2, 'write fast', (c, argv) => pop(c, argv, true)),
  command('rpop', -2, 'write fast', (c, argv) => pop(c, argv, false)),
  command('lrange', 4, 'readonly', lrange),
  command('llen', 2, 'readonly fast', llen),
  command('lindex', 3, 'readonly', lindex),
];
