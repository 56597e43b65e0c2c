/** Hash commands: HSET, HMSET, HGET, HMGET, HGETALL, HDEL, HLEN, HEXISTS, HKEYS, HVALS, HINCRBY. */
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newHash } from '../db.js';
import { bigIntArg, inInt64, parseInt64 } from '../args.js';
import { err, integerReply, OK, OVERFLOW, wrongArity } from '../reply.js';
import { bytes, k } from './util.js';

function hset(c: Client, argv: Buffer[], name: string): unknown {
  if (argv.length % 2 !== 0) throw wrongArity(name);
  const key = k(argv[1] as Buffer);
  const hash = c.db.getHash(key) ?? c.db.create(key, newHash());
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) {
    const field = k(argv[i] as Buffer);
    if (!hash.has(field)) added++;
    hash.set(field, argv[i + 1] as Buffer);
  }
  c.db.touch(key);
  return added;
}

function hget(c: Client, argv: Buffer[]): unknown {
  return c.db.getHash(k(argv[1] as Buffer))?.get(k(argv[2] as Buffer)) ?? null;
}

/** A Map: `%` for RESP3 clients, a flat field/value array for RESP2. */
function hgetall(c: Client, argv: Buffer[]): unknown {
  const hash = c.db.getHash(k(argv[1] as Buffer));
  const out = new Map<Buffer, Buffer>();
  if (hash !== undefined) for (const [f, v] of hash) out.set(bytes(f), v);
  return out;
}

function hdel(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const hash = c.db.getHash(key);
  if (hash === undefined) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) if (hash.delete(k(argv[i] as Buffer))) removed++;
  if (removed > 0) {
    c.db.deleteIfEmpty(key, hash.size);
    c.db.touch(key);
  }
  return removed;
}

function hmget(c: Client, argv: Buffer[]): unknown {
  const hash = c.db.getHash(k(argv[1] as Buffer));
  const out: Array<Buffer | null> = [];
  for (let i = 2; i < argv.length; i++) out.push(hash?.get(k(argv[i] as Buffer)) ?? null);
  return out;
}

function hexists(c: Client, argv: Buffer[]): unknown {
  return c.db.getHash(k(argv[1] as Buffer))?.has(k(argv[2] as Buffer)) === true ? 1 : 0;
}

function hkeys(c: Client, argv: Buffer[]): unknown {
  return [...(c.db.getHash(k(argv[1] as Buffer))?.keys() ?? [])].map(bytes);
}

function hvals(c: Client, argv: Buffer[]): unknown {
  return [...(c.db.getHash(k(argv[1] as Buffer))?.values() ?? [])];
}

function hincrby(c: Client, argv: Buffer[]): unknown {
  const delta = bigIntArg(argv[3] as Buffer);
  const key = k(argv[1] as Buffer);
  const field = k(argv[2] as Buffer);
  const hash = c.db.getHash(key) ?? c.db.create(key, newHash());
  const cur = hash.get(field);
  let value = 0n;
  if (cur !== undefined) {
    const parsed = parseInt64(cur);
    if (parsed === null) throw err('ERR hash value is not an integer');
    value = parsed;
  }
  const next = value + delta;
  if (!inInt64(next)) {
    c.db.deleteIfEmpty(key, hash.size);
    throw OVERFLOW;
  }
  hash.set(field, Buffer.from(next.toString()));
  c.db.touch(key);
  return integerReply(next);
}

function hlen(c: Client, argv: Buffer[]): unknown {
  return c.db.getHash(k(argv[1] as Buffer))?.size ?? 0;
}

export const hashCommands: Command[] = [
  command('hset', -4, 'write denyoom fast', (c, argv) => hset(c, argv, 'hset')),
  command('hmset', -4, 'write denyoom fast', (c, argv) => (hset(c, argv, 'hmset'), OK)),
  command('hget', 3, 'readonly fast', hget),
  command('hmget', -3, 'readonly fast', hmget),
  command('hexists', 3, 'readonly fast', hexists),
  command('hkeys', 2, 'readonly', hkeys),
  command('hvals', 2, 'readonly', hvals),
  command('hincrby', 4, 'write denyoom fast', hincrby),
  command('hgetall', 2, 'readonly', hgetall),
  command('hdel', -3, 'write fast', hdel),
  command('hlen', 2, 'readonly fast', hlen),
];
