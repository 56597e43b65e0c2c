/** Keyspace commands: DEL, EXISTS, TYPE, KEYS, RENAME and the expiry family. */
import { SimpleString } from '@reactor-ts/resp';
import { intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { globMatch } from '../glob.js';
import { err, OK } from '../reply.js';
import { bytes, k } from './util.js';

function del(c: Client, argv: Buffer[]): unknown {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.delete(k(argv[i] as Buffer))) n++;
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

/**
 * EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT], Redis 7's
 * rules: a key without a TTL counts as an infinite one for GT and LT, and a
 * deadline already past deletes the key.
 */
function expireGeneric(c: Client, argv: Buffer[], name: string, unitMs: number, absolute: boolean): unknown {
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
  const n = intArg(argv[2] as Buffer);
  const invalid = err(`ERR invalid expire time in '${name}' command`);
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER / unitMs) throw invalid;
  const now = Date.now();
  const when = n * unitMs + (absolute ? 0 : now);
  if (!Number.isSafeInteger(when)) throw invalid;
  const key = k(argv[1] as Buffer);
  if (c.db.lookup(key, now) === undefined) return 0;
  if (flags !== 0) {
    const cur = c.db.getExpire(key);
    if (flags & NX && cur !== undefined) return 0;
    if (flags & XX && cur === undefined) return 0;
    if (flags & GT && (cur === undefined || when <= cur)) return 0;
    if (flags & LT && cur !== undefined && when >= cur) return 0;
  }
  if (when <= now) c.db.delete(key);
  else c.db.setExpire(key, when);
  return 1;
}

function ttl(c: Client, argv: Buffer[], ms: boolean): unknown {
  const key = k(argv[1] as Buffer);
  const now = Date.now();
  if (c.db.lookup(key, now) === undefined) return -2;
  const at = c.db.getExpire(key);
  if (at === undefined) return -1;
  const left = Math.max(0, at - now);
  return ms ? left : Math.floor((left + 500) / 1000);
}

function persist(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  if (c.db.lookup(key) === undefined) return 0;
  return c.db.persist(key) ? 1 : 0;
}

/** RENAME src dst: the value and its TTL move; dst is overwritten. */
function rename(c: Client, argv: Buffer[]): unknown {
  const src = k(argv[1] as Buffer);
  const dst = k(argv[2] as Buffer);
  const e = c.db.lookup(src);
  if (e === undefined) throw err('ERR no such key');
  if (src === dst) return OK;
  const at = c.db.getExpire(src);
  c.db.delete(src);
  c.db.set(dst, e);
  if (at !== undefined) c.db.setExpire(dst, at);
  return OK;
}

export const keyCommands: Command[] = [
  command('del', -2, 'write', del, [1, -1, 1]),
  command('unlink', -2, 'write fast', del, [1, -1, 1]),
  command('exists', -2, 'readonly fast', exists, [1, -1, 1]),
  command('type', 2, 'readonly fast', type),
  command('keys', 2, 'readonly', keys, [0, 0, 0]),
  command('expire', -3, 'write fast', (c, argv) => expireGeneric(c, argv, 'expire', 1000, false)),
  command('pexpire', -3, 'write fast', (c, argv) => expireGeneric(c, argv, 'pexpire', 1, false)),
  command('expireat', -3, 'write fast', (c, argv) => expireGeneric(c, argv, 'expireat', 1000, true)),
  command('pexpireat', -3, 'write fast', (c, argv) => expireGeneric(c, argv, 'pexpireat', 1, true)),
  command('ttl', 2, 'readonly fast', (c, argv) => ttl(c, argv, false)),
  command('pttl', 2, 'readonly fast', (c, argv) => ttl(c, argv, true)),
  command('persist', 2, 'write fast', persist),
  command('rename', 3, 'write', rename, [1, 2, 1]),
];
