/**
 * Hash commands: HSET, HMSET, HSETNX, HGET, HMGET, HGETALL, HDEL, HLEN,
 * HSTRLEN, HEXISTS, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HRANDFIELD (HSCAN
 * is in scan.ts). A hash is a Map in insertion order: Redis's order for a
 * small (listpack) hash, which is what the differential tests can compare.
 */
import type { Client } from '../client.js';
import { NOTIFY_HASH } from '../notify.js';
import { command, type Command } from '../command.js';
import { newHash } from '../db.js';
import { bigIntArg, inInt64, parseInt64 } from '../args.js';
import { parseLongDouble } from '../long-double.js';
import { addFloatText } from './strings.js';
import { err, integerReply, NOT_FLOAT, OK, OVERFLOW, SYNTAX, wrongArity } from '../reply.js';
import { bytes, is, k } from './util.js';

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
  c.db.notify(NOTIFY_HASH, 'hset', key);
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
    c.db.removed(NOTIFY_HASH, 'hdel', key, hash.size);
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
  c.db.notify(NOTIFY_HASH, 'hincrby', key);
  return integerReply(next);
}

function hsetnx(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const field = k(argv[2] as Buffer);
  const hash = c.db.getHash(key);
  if (hash?.has(field) === true) return 0;
  (hash ?? c.db.create(key, newHash())).set(field, argv[3] as Buffer);
  c.db.touch(key);
  c.db.notify(NOTIFY_HASH, 'hset', key);
  return 1;
}

function hstrlen(c: Client, argv: Buffer[]): unknown {
  return c.db.getHash(k(argv[1] as Buffer))?.get(k(argv[2] as Buffer))?.length ?? 0;
}

/** HINCRBYFLOAT key field incr: long double arithmetic, printed as Redis prints it (see long-double.ts). */
function hincrbyfloat(c: Client, argv: Buffer[]): unknown {
  const incr = parseLongDouble(argv[3] as Buffer);
  if (incr === null) throw NOT_FLOAT;
  if ('inf' in incr) throw err('ERR value is NaN or Infinity');
  const key = k(argv[1] as Buffer);
  const field = k(argv[2] as Buffer);
  const hash = c.db.getHash(key) ?? c.db.create(key, newHash());
  const cur = hash.get(field);
  const value = cur === undefined ? parseLongDouble(Buffer.from('0')) : parseLongDouble(cur);
  if (value === null) {
    c.db.deleteIfEmpty(key, hash.size);
    throw err('ERR hash value is not a float');
  }
  let text: string;
  try {
    text = addFloatText(value, incr);
  } catch (e) {
    c.db.deleteIfEmpty(key, hash.size);
    throw e;
  }
  const out = Buffer.from(text, 'latin1');
  hash.set(field, out);
  c.db.touch(key);
  c.db.notify(NOTIFY_HASH, 'hincrbyfloat', key);
  return out;
}

const LONG_MAX = 2n ** 63n - 1n;

/** A random index in [0, n). */
function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/**
 * HRANDFIELD key [count [WITHVALUES]], as Redis 7.0: a negative count may
 * repeat fields (and comes in random order), a positive one gives distinct
 * fields, the whole hash (in its order) once count reaches its size. With
 * WITHVALUES, RESP2 gets a flat field/value array, RESP3 an array of pairs.
 */
function hrandfield(c: Client, argv: Buffer[]): unknown {
  if (argv.length === 2) {
    const hash = c.db.getHash(k(argv[1] as Buffer));
    if (hash === undefined) return null;
    const fields = [...hash.keys()];
    return bytes(fields[randomIndex(fields.length)] as string);
  }
  const n = parseInt64(argv[2] as Buffer);
  if (n === null) throw err('ERR value is not an integer or out of range');
  if (n < -LONG_MAX) throw err(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3] as Buffer, 'withvalues'))) throw SYNTAX;
  const withValues = argv.length === 4;
  if (withValues && (n < -LONG_MAX / 2n || n > LONG_MAX / 2n)) throw err('ERR value is out of range');
  const hash = c.db.getHash(k(argv[1] as Buffer));
  if (hash === undefined || n === 0n) return [];
  const entries = [...hash.entries()];
  const pick = (i: number): [string, Buffer] => entries[i] as [string, Buffer];
  let chosen: Array<[string, Buffer]>;
  if (n < 0n || n === 1n) {
    // Sampled with repetition: the reply has exactly |count| fields.
    const count = Number(n < 0n ? -n : n);
    if (count > 0x7fffffff) throw err('ERR value is out of range');
    chosen = [];
    for (let i = 0; i < count; i++) chosen.push(pick(randomIndex(entries.length)));
  } else if (n >= BigInt(entries.length)) {
    chosen = entries;
  } else {
    // Distinct fields: a partial Fisher-Yates shuffle.
    const count = Number(n);
    for (let i = 0; i < count; i++) {
      const j = i + randomIndex(entries.length - i);
      [entries[i], entries[j]] = [entries[j] as [string, Buffer], entries[i] as [string, Buffer]];
    }
    chosen = entries.slice(0, count);
  }
  if (!withValues) return chosen.map(([f]) => bytes(f));
  if (c.protocol === 3) return chosen.map(([f, v]) => [bytes(f), v]);
  return chosen.flatMap(([f, v]) => [bytes(f), v]);
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
  command('hsetnx', 4, 'write denyoom fast', hsetnx),
  command('hstrlen', 3, 'readonly fast', hstrlen),
  command('hincrbyfloat', 4, 'write denyoom fast', hincrbyfloat),
  command('hrandfield', -2, 'readonly', hrandfield),
];
