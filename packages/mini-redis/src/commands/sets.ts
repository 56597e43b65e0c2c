/** Set commands: SADD, SREM, SMEMBERS, SPOP, SCARD. */
import { countArg, intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newSet } from '../db.js';
import { wrongArity } from '../reply.js';
import { bytes, k } from './util.js';

function sadd(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const set = c.db.getSet(key) ?? c.db.create(key, newSet());
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(k(argv[i] as Buffer))) added++;
  if (added > 0) c.db.touch(key);
  return added;
}

function srem(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const set = c.db.getSet(key);
  if (set === undefined) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) if (set.delete(k(argv[i] as Buffer))) removed++;
  if (removed > 0) {
    c.db.deleteIfEmpty(key, set.size);
    c.db.touch(key);
  }
  return removed;
}

/** A Set so RESP3 clients get `~`; RESP2 degrades it to an array. */
function smembers(c: Client, argv: Buffer[]): unknown {
  const set = c.db.getSet(k(argv[1] as Buffer));
  const out = new Set<Buffer>();
  if (set !== undefined) for (const m of set.values()) out.add(bytes(m));
  return out;
}

function spop(c: Client, argv: Buffer[]): unknown {
  if (argv.length > 3) throw wrongArity('spop');
  const key = k(argv[1] as Buffer);
  if (argv.length === 2) {
    const set = c.db.getSet(key);
    if (set === undefined) return null;
    const m = set.pop() as string;
    c.db.deleteIfEmpty(key, set.size);
    c.db.touch(key);
    return bytes(m);
  }
  const count = countArg(argv[2] as Buffer);
  const set = c.db.getSet(key);
  const out = new Set<Buffer>();
  if (set === undefined || count === 0) return out;
  while (out.size < count && set.size > 0) out.add(bytes(set.pop() as string));
  c.db.deleteIfEmpty(key, set.size);
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
];
