/** Hash commands: HSET, HGET, HGETALL, HDEL. */
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newHash } from '../db.js';
import { wrongArity } from '../reply.js';
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

function hlen(c: Client, argv: Buffer[]): unknown {
  return c.db.getHash(k(argv[1] as Buffer))?.size ?? 0;
}

export const hashCommands: Command[] = [
  command('hset', -4, 'write denyoom fast', (c, argv) => hset(c, argv, 'hset')),
  command('hget', 3, 'readonly fast', hget),
  command('hgetall', 2, 'readonly', hgetall),
  command('hdel', -3, 'write fast', hdel),
  command('hlen', 2, 'readonly fast', hlen),
];
