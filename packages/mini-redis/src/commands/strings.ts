/** String commands: GET, SET (and SETNX, SETEX, PSETEX, GETSET, GETDEL), MGET, MSET, APPEND, STRLEN and the INCR family. */
import { bigIntArg, inInt64, intArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { err, integerReply, NOT_INTEGER, OK, OVERFLOW, SYNTAX, wrongArity } from '../reply.js';
import { k } from './util.js';

function get(c: Client, argv: Buffer[]): unknown {
  return c.db.getString(k(argv[1] as Buffer)) ?? null;
}

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const EX = 16;
const PX = 32;
const EXAT = 64;
const PXAT = 128;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL] */
function set(c: Client, argv: Buffer[]): unknown {
  let flags = 0;
  let expireArg: Buffer | null = null;
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i] as Buffer;
    const next = argv[i + 1];
    const word = a.toString('latin1').toLowerCase();
    if (word === 'nx' && !(flags & XX)) flags |= NX;
    else if (word === 'xx' && !(flags & NX)) flags |= XX;
    else if (word === 'get') flags |= GET;
    else if (word === 'keepttl' && !(flags & ANY_EXPIRE)) flags |= KEEPTTL;
    else if (next !== undefined && !(flags & (KEEPTTL | ANY_EXPIRE)) && (word === 'ex' || word === 'px' || word === 'exat' || word === 'pxat')) {
      flags |= word === 'ex' ? EX : word === 'px' ? PX : word === 'exat' ? EXAT : PXAT;
      expireArg = next;
      i++;
    } else throw SYNTAX;
  }
  let deadline = 0;
  if (expireArg !== null) {
    const n = intArg(expireArg);
    const seconds = (flags & (EX | EXAT)) !== 0;
    if (n <= 0 || (seconds && n > Number.MAX_SAFE_INTEGER / 1000)) throw err("ERR invalid expire time in 'set' command");
    const ms = seconds ? n * 1000 : n;
    deadline = flags & (EX | PX) ? Date.now() + ms : ms;
  }
  const key = k(argv[1] as Buffer);
  const db = c.db;
  let old: Buffer | null = null;
  if (flags & GET) old = db.getString(key) ?? null;
  if (flags & (NX | XX)) {
    const found = db.lookup(key) !== undefined;
    if ((flags & NX && found) || (flags & XX && !found)) return flags & GET ? old : null;
  }
  db.set(key, { type: 'string', value: argv[2] as Buffer }, (flags & KEEPTTL) !== 0);
  if (deadline !== 0) db.setExpire(key, deadline);
  return flags & GET ? old : OK;
}

function setnx(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  if (c.db.lookup(key) !== undefined) return 0;
  c.db.set(key, { type: 'string', value: argv[2] as Buffer });
  return 1;
}

/** SETEX / PSETEX key time value. */
function setex(c: Client, argv: Buffer[], name: string, unitMs: number): unknown {
  const n = intArg(argv[2] as Buffer);
  if (n <= 0 || n > Number.MAX_SAFE_INTEGER / unitMs) throw err(`ERR invalid expire time in '${name}' command`);
  const key = k(argv[1] as Buffer);
  c.db.set(key, { type: 'string', value: argv[3] as Buffer });
  c.db.setExpire(key, Date.now() + n * unitMs);
  return OK;
}

function getset(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const old = c.db.getString(key) ?? null;
  c.db.set(key, { type: 'string', value: argv[2] as Buffer });
  return old;
}

function getdel(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const v = c.db.getString(key);
  if (v === undefined) return null;
  c.db.delete(key);
  return v;
}

function mget(c: Client, argv: Buffer[]): unknown {
  const out: Array<Buffer | null> = [];
  for (let i = 1; i < argv.length; i++) {
    const e = c.db.lookup(k(argv[i] as Buffer));
    out.push(e !== undefined && e.type === 'string' ? e.value : null);
  }
  return out;
}

function mset(c: Client, argv: Buffer[]): unknown {
  if (argv.length % 2 === 0) throw wrongArity('mset');
  for (let i = 1; i < argv.length; i += 2) {
    c.db.set(k(argv[i] as Buffer), { type: 'string', value: argv[i + 1] as Buffer });
  }
  return OK;
}

/** INCR/DECR/INCRBY/DECRBY: exact int64 arithmetic, the key's TTL kept. */
function incrBy(c: Client, keyArg: Buffer, delta: bigint): unknown {
  const key = k(keyArg);
  const cur = c.db.getString(key);
  let value = 0n;
  if (cur !== undefined) {
    const parsed = parseInt64(cur);
    if (parsed === null) throw NOT_INTEGER;
    value = parsed;
  }
  const next = value + delta;
  if (!inInt64(next)) throw OVERFLOW;
  c.db.set(key, { type: 'string', value: Buffer.from(next.toString()) }, true);
  return integerReply(next);
}

function append(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const cur = c.db.getString(key);
  const value = cur === undefined ? Buffer.from(argv[2] as Buffer) : Buffer.concat([cur, argv[2] as Buffer]);
  c.db.set(key, { type: 'string', value }, true);
  return value.length;
}

function strlen(c: Client, argv: Buffer[]): unknown {
  return c.db.getString(k(argv[1] as Buffer))?.length ?? 0;
}

export const stringCommands: Command[] = [
  command('get', 2, 'readonly fast', get),
  command('set', -3, 'write denyoom', set),
  command('setnx', 3, 'write denyoom fast', setnx),
  command('setex', 4, 'write denyoom', (c, argv) => setex(c, argv, 'setex', 1000)),
  command('psetex', 4, 'write denyoom', (c, argv) => setex(c, argv, 'psetex', 1)),
  command('getset', 3, 'write denyoom fast', getset),
  command('getdel', 2, 'write fast', getdel),
  command('mget', -2, 'readonly fast', mget, [1, -1, 1]),
  command('mset', -3, 'write denyoom', mset, [1, -1, 2]),
  command('incr', 2, 'write denyoom fast', (c, argv) => incrBy(c, argv[1] as Buffer, 1n)),
  command('decr', 2, 'write denyoom fast', (c, argv) => incrBy(c, argv[1] as Buffer, -1n)),
  command('incrby', 3, 'write denyoom fast', (c, argv) => incrBy(c, argv[1] as Buffer, bigIntArg(argv[2] as Buffer))),
  command('decrby', 3, 'write denyoom fast', (c, argv) => {
    const d = bigIntArg(argv[2] as Buffer);
    if (d === -(2n ** 63n)) throw err('ERR decrement would overflow');
    return incrBy(c, argv[1] as Buffer, -d);
  }),
  command('append', 3, 'write denyoom fast', append),
  command('strlen', 2, 'readonly fast', strlen),
];

