/**
 * Keyspace commands: DEL, EXISTS, TYPE, KEYS, RENAME/RENAMENX, COPY, MOVE, SWAPDB, RANDOMKEY,
 * TOUCH, WAIT and the expiry family. SCAN: scan.ts; OBJECT: object.ts; SORT: sort.ts.
 */
import { SimpleString } from '@reactor-ts/resp';
import { bigIntArg, intArg, parseInt64 } from '../args.js';
import { blockOrServe, NOT_READY } from '../blocking.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { cloneEntry, type Database } from '../db.js';
import { globMatch } from '../glob.js';
import { NOTIFY_GENERIC } from '../notify.js';
import { err, integerReply, NOT_INTEGER, OK, SYNTAX } from '../reply.js';
import { bytes, is, k } from './util.js';

function del(c: Client, argv: Buffer[]): unknown {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = k(argv[i] as Buffer);
    if (c.db.delete(key)) {
      c.db.notify(NOTIFY_GENERIC, 'del', key);
      n++;
    }
  }
  return n;
}

function exists(c: Client, argv: Buffer[]): unknown {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.lookup(k(argv[i] as Buffer)) !== undefined) n++;
  return n;
}

const TYPE_NAMES = {
  string: new SimpleString('string'),
  list: new SimpleString('list'),
  set: new SimpleString('set'),
  hash: new SimpleString('hash'),
  zset: new SimpleString('zset'),
  stream: new SimpleString('stream'),
};
const NONE = new SimpleString('none');

function type(c: Client, argv: Buffer[]): unknown {
  const e = c.db.lookup(k(argv[1] as Buffer));
  return e === undefined ? NONE : TYPE_NAMES[e.type];
}

function keys(c: Client, argv: Buffer[]): unknown {
  const pattern = k(argv[1] as Buffer);
  const all = pattern === '*';
  const out: Buffer[] = [];
  for (const key of c.db.keys()) if (all || globMatch(pattern, key)) out.push(bytes(key));
  return out;
}

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT], Redis 7's
 * rules in int64 (so `PEXPIREAT k 9007199254740993` is kept exactly): a key
 * without a TTL counts as an infinite one for GT and LT, and a deadline
 * already past deletes the key.
 */
function expireGeneric(c: Client, argv: Buffer[], name: string, seconds: boolean, absolute: boolean): unknown {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const word = (argv[i] as Buffer).toString('latin1').toLowerCase();
    if (word === 'nx') flags |= NX;
    else if (word === 'xx') flags |= XX;
    else if (word === 'gt') flags |= GT;
    else if (word === 'lt') flags |= LT;
    else throw err(`ERR Unsupported option ${(argv[i] as Buffer).toString('latin1')}`);
  }
  if (flags & NX && flags & (XX | GT | LT)) throw err('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (flags & GT && flags & LT) throw err('ERR GT and LT options at the same time are not compatible');
  let when = bigIntArg(argv[2] as Buffer);
  const invalid = err(`ERR invalid expire time in '${name}' command`);
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw invalid;
    when *= 1000n;
  }
  const now = Date.now();
  const base = absolute ? 0n : BigInt(now);
  if (when > INT64_MAX - base) throw invalid;
  when += base;
  const key = k(argv[1] as Buffer);
  if (c.db.lookup(key, now) === undefined) return 0;
  if (flags !== 0) {
    const cur = c.db.getExpireExact(key);
    if (flags & NX && cur !== undefined) return 0;
    if (flags & XX && cur === undefined) return 0;
    if (flags & GT && (cur === undefined || when <= cur)) return 0;
    if (flags & LT && cur !== undefined && when >= cur) return 0;
  }
  if (when <= BigInt(now)) {
    c.db.delete(key);
    c.db.notify(NOTIFY_GENERIC, 'del', key);
  } else {
    c.db.setExpire(key, Number(when), when);
    c.db.notify(NOTIFY_GENERIC, 'expire', key);
  }
  return 1;
}

/** TTL / PTTL / EXPIRETIME / PEXPIRETIME: -2 no key, -1 no TTL; seconds rounded as Redis ((ms + 500) / 1000). */
function ttl(c: Client, argv: Buffer[], ms: boolean, absolute: boolean): unknown {
  const key = k(argv[1] as Buffer);
  const now = Date.now();
  if (c.db.lookup(key, now) === undefined) return -2;
  const at = c.db.getExpireExact(key);
  if (at === undefined) return -1;
  let left = absolute ? at : at - BigInt(now);
  if (left < 0n) left = 0n;
  return integerReply(ms ? left : (left + 500n) / 1000n);
}

function persist(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  if (c.db.lookup(key) === undefined) return 0;
  if (!c.db.persist(key)) return 0;
  c.db.notify(NOTIFY_GENERIC, 'persist', key);
  return 1;
}

const NO_SUCH_KEY = err('ERR no such key');
const SAME_OBJECT = err('ERR source and destination objects are the same');
const DB_RANGE = err('ERR DB index is out of range');

/** RENAME / RENAMENX src dst: the value and its TTL move; RENAME overwrites dst, RENAMENX answers 0. */
function rename(c: Client, argv: Buffer[], nx: boolean): unknown {
  const src = k(argv[1] as Buffer);
  const dst = k(argv[2] as Buffer);
  const e = c.db.lookup(src);
  if (e === undefined) throw NO_SUCH_KEY;
  if (src === dst) return nx ? 0 : OK;
  if (nx && c.db.lookup(dst) !== undefined) return 0;
  const at = c.db.getExpire(src);
  const exact = c.db.getExpireExact(src);
  // Redis's order: the old dst goes, the value is added under dst (dbAdd: "new"), src goes.
  c.db.delete(dst);
  c.db.delete(src);
  c.db.set(dst, e);
  if (at !== undefined) c.db.setExpire(dst, at, exact);
  c.db.notify(NOTIFY_GENERIC, 'rename_from', src);
  c.db.notify(NOTIFY_GENERIC, 'rename_to', dst);
  return nx ? 1 : OK;
}

/** A database index as Redis's getIntFromObjectOrReply reads it (a 32-bit int). */
function dbIndexArg(b: Buffer, message?: string): number {
  const v = parseInt64(b);
  if (v === null) throw message === undefined ? NOT_INTEGER : err(`ERR ${message}`);
  if (v < -(2n ** 31n) || v >= 2n ** 31n) {
    throw message === undefined ? err('ERR value is out of range, value must between -2147483648 and 2147483647') : err(`ERR ${message}`);
  }
  return Number(v);
}

function dbAt(c: Client, index: number): Database {
  const db = c.server.store.dbs[index];
  if (index < 0 || db === undefined) throw DB_RANGE;
  return db;
}

/** COPY src dst [DB index] [REPLACE]: a deep copy with the TTL; 0 when dst exists (without REPLACE) or src does not. */
function copy(c: Client, argv: Buffer[]): unknown {
  let dst = c.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j] as Buffer;
    if (is(a, 'replace')) replace = true;
    else if (is(a, 'db') && j + 1 < argv.length) {
      dst = dbAt(c, dbIndexArg(argv[j + 1] as Buffer));
      j++;
    } else throw SYNTAX;
  }
  const src = k(argv[1] as Buffer);
  const target = k(argv[2] as Buffer);
  if (dst === c.db && src === target) throw SAME_OBJECT;
  const e = c.db.lookup(src);
  if (e === undefined) return 0;
  const at = c.db.getExpire(src);
  const exact = c.db.getExpireExact(src);
  if (dst.lookupWrite(target) !== undefined) {
    if (!replace) return 0;
    dst.delete(target);
  }
  dst.set(target, cloneEntry(e));
  if (at !== undefined) dst.setExpire(target, at, exact);
  dst.notify(NOTIFY_GENERIC, 'copy_to', target);
  return 1;
}

/** MOVE key db: to another database, with its TTL; 0 when absent here or present there. */
function move(c: Client, argv: Buffer[]): unknown {
  const dst = dbAt(c, dbIndexArg(argv[2] as Buffer));
  if (dst === c.db) throw SAME_OBJECT;
  const key = k(argv[1] as Buffer);
  const e = c.db.lookup(key);
  if (e === undefined) return 0;
  if (dst.lookup(key) !== undefined) return 0;
  const at = c.db.getExpire(key);
  const exact = c.db.getExpireExact(key);
  dst.set(key, e);
  if (at !== undefined) dst.setExpire(key, at, exact);
  c.db.delete(key);
  c.db.notify(NOTIFY_GENERIC, 'move_from', key);
  dst.notify(NOTIFY_GENERIC, 'move_to', key);
  return 1;
}

function swapdb(c: Client, argv: Buffer[]): unknown {
  const a = dbIndexArg(argv[1] as Buffer, 'invalid first DB index');
  const b = dbIndexArg(argv[2] as Buffer, 'invalid second DB index');
  const dbs = c.server.store.dbs;
  if (a < 0 || b < 0 || a >= dbs.length || b >= dbs.length) throw DB_RANGE;
  if (a !== b) (dbs[a] as Database).swapWith(dbs[b] as Database);
  return OK;
}

/**
 * RANDOMKEY: a uniformly random live key, or null. A JS Map has no random
 * access, so this walks to a random position: O(keys), fine for what a test
 * server holds. Expired keys met on the way are deleted and the pick retried.
 */
function randomkey(c: Client): unknown {
  for (let attempt = 0; attempt < 100 && c.db.size > 0; attempt++) {
    let n = Math.floor(Math.random() * c.db.data.size);
    for (const key of c.db.data.keys()) {
      if (n-- > 0) continue;
      if (c.db.lookup(key) !== undefined) return bytes(key);
      break;
    }
  }
  return null;
}

function touch(c: Client, argv: Buffer[]): unknown {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.lookup(k(argv[i] as Buffer)) !== undefined) n++;
  return n;
}

/**
 * WAIT numreplicas timeout: there are no replicas, so 0 acknowledged. As in
 * Redis, asking for none answers at once, and asking for some waits the
 * whole timeout (a reactor timer; 0 = until the client goes away) first.
 */
function wait(c: Client, argv: Buffer[]): unknown {
  const n = intArg(argv[1] as Buffer);
  const t = parseInt64(argv[2] as Buffer);
  if (t === null) throw err('ERR timeout is not an integer or out of range');
  if (t < 0n) throw err('ERR timeout is negative');
  if (n <= 0) return 0;
  const ms = t > 2n ** 31n - 1n ? 2 ** 31 - 1 : Number(t);
  return blockOrServe(c, 'string', [], ms, () => NOT_READY, 0);
}

export const keyCommands: Command[] = [
  command('del', -2, 'write', del, [1, -1, 1]),
  command('unlink', -2, 'write fast', del, [1, -1, 1]),
  command('exists', -2, 'readonly fast', exists, [1, -1, 1]),
  command('type', 2, 'readonly fast', type),
  command('keys', 2, 'readonly', keys, [0, 0, 0]),
  command('expire', -3, 'write fast', (c, argv) => expireGeneric(c, argv, 'expire', true, false)),
  command('pexpire', -3, 'write fast', (c, argv) => expireGeneric(c, argv, 'pexpire', false, false)),
  command('expireat', -3, 'write fast', (c, argv) => expireGeneric(c, argv, 'expireat', true, true)),
  command('pexpireat', -3, 'write fast', (c, argv) => expireGeneric(c, argv, 'pexpireat', false, true)),
  command('ttl', 2, 'readonly fast', (c, argv) => ttl(c, argv, false, false)),
  command('pttl', 2, 'readonly fast', (c, argv) => ttl(c, argv, true, false)),
  command('expiretime', 2, 'readonly fast', (c, argv) => ttl(c, argv, false, true)),
  command('pexpiretime', 2, 'readonly fast', (c, argv) => ttl(c, argv, true, true)),
  command('persist', 2, 'write fast', persist),
  command('rename', 3, 'write', (c, argv) => rename(c, argv, false), [1, 2, 1]),
  command('renamenx', 3, 'write fast', (c, argv) => rename(c, argv, true), [1, 2, 1]),
  command('copy', -3, 'write denyoom', copy, [1, 2, 1]),
  command('move', 3, 'write fast', move),
  command('swapdb', 3, 'write fast', swapdb, [0, 0, 0]),
  command('randomkey', 1, 'readonly random', randomkey, [0, 0, 0]),
  command('touch', -2, 'readonly fast', touch, [1, -1, 1]),
  command('wait', 3, 'noscript blocking', wait),
];
