/**
 * String commands: GET, SET (and SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX), MGET, MSET, MSETNX,
 * APPEND, STRLEN, GETRANGE/SUBSTR, SETRANGE, LCS, the INCR family and INCRBYFLOAT. Bit commands: bits.ts.
 */
import { Buffer } from 'node:buffer';
import { bigIntArg, inInt64, intArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { addLongDouble, formatLongDouble, longDoubleFromBigInt, parseLongDouble, type ParsedLongDouble } from '../long-double.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../notify.js';
import { err, integerReply, NOT_FLOAT, NOT_INTEGER, OK, OVERFLOW, SYNTAX, wrongArity } from '../reply.js';
import { is, k } from './util.js';

const EMPTY = Buffer.alloc(0);

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
const PERSIST = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

/**
 * SET's and GETEX's options, as Redis's parseExtendedStringArgumentsOrReply:
 * NX/XX/GET/KEEPTTL only for SET, PERSIST only for GETEX; one kind of expiry
 * (the same kind may repeat, the last one wins). Returns the flags and the
 * expiry argument.
 */
function parseStringOptions(argv: Buffer[], from: number, forSet: boolean): { flags: number; expire: Buffer | null } {
  let flags = 0;
  let expire: Buffer | null = null;
  for (let i = from; i < argv.length; i++) {
    const next = argv[i + 1];
    const word = (argv[i] as Buffer).toString('latin1').toLowerCase();
    if (forSet && word === 'nx' && !(flags & XX)) flags |= NX;
    else if (forSet && word === 'xx' && !(flags & NX)) flags |= XX;
    else if (forSet && word === 'get') flags |= GET;
    else if (forSet && word === 'keepttl' && !(flags & (PERSIST | ANY_EXPIRE))) flags |= KEEPTTL;
    else if (!forSet && word === 'persist' && !(flags & (KEEPTTL | ANY_EXPIRE))) flags |= PERSIST;
    else if (next !== undefined && (word === 'ex' || word === 'px' || word === 'exat' || word === 'pxat')) {
      const bit = word === 'ex' ? EX : word === 'px' ? PX : word === 'exat' ? EXAT : PXAT;
      if (flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~bit))) throw SYNTAX;
      flags |= bit;
      expire = next;
      i++;
    } else throw SYNTAX;
  }
  return { flags, expire };
}

const INT64_MAX = 2n ** 63n - 1n;

/** Redis's getExpireMillisecondsOrReply: the absolute deadline in ms, or "invalid expire time". */
function expireDeadline(arg: Buffer, flags: number, name: string): number {
  let ms = bigIntArg(arg);
  const seconds = (flags & (EX | EXAT)) !== 0;
  const invalid = err(`ERR invalid expire time in '${name}' command`);
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) throw invalid;
  if (seconds) ms *= 1000n;
  if (flags & (EX | PX)) ms += BigInt(Date.now());
  // Redis's int64 addition wraps to a negative number, which it refuses.
  if (ms > INT64_MAX) throw invalid;
  return Number(ms);
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL] */
function set(c: Client, argv: Buffer[]): unknown {
  const { flags, expire } = parseStringOptions(argv, 3, true);
  const deadline = expire === null ? 0 : expireDeadline(expire, flags, 'set');
  const key = k(argv[1] as Buffer);
  const db = c.db;
  let old: Buffer | null = null;
  if (flags & GET) old = db.getString(key) ?? null;
  if (flags & (NX | XX)) {
    // With GET the old value is already known (a wrong type threw); lookupKeyWrite otherwise.
    const found = flags & GET ? old !== null : db.lookupWrite(key) !== undefined;
    if ((flags & NX && found) || (flags & XX && !found)) return flags & GET ? old : null;
  }
  db.set(key, { type: 'string', lru: 0, value: argv[2] as Buffer }, (flags & KEEPTTL) !== 0);
  db.notify(NOTIFY_STRING, 'set', key);
  if (deadline !== 0) {
    db.setExpire(key, deadline);
    db.notify(NOTIFY_GENERIC, 'expire', key);
  }
  return flags & GET ? old : OK;
}

/** GETEX key [EX s|PX ms|EXAT t|PXAT t|PERSIST]: the value, with its TTL changed. */
function getex(c: Client, argv: Buffer[]): unknown {
  const { flags, expire } = parseStringOptions(argv, 2, false);
  const key = k(argv[1] as Buffer);
  const value = c.db.getString(key);
  if (value === undefined) return null;
  if (expire !== null) {
    const deadline = expireDeadline(expire, flags, 'getex');
    // An absolute time already past deletes the key (the value is still returned).
    if (flags & (EXAT | PXAT) && deadline <= Date.now()) {
      c.db.delete(key);
      c.db.notify(NOTIFY_GENERIC, 'del', key);
    } else {
      c.db.setExpire(key, deadline);
      c.db.notify(NOTIFY_GENERIC, 'expire', key);
    }
  } else if (flags & PERSIST && c.db.persist(key)) c.db.notify(NOTIFY_GENERIC, 'persist', key);
  return value;
}

function setnx(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  if (c.db.lookup(key) !== undefined) return 0;
  c.db.set(key, { type: 'string', lru: 0, value: argv[2] as Buffer });
  c.db.notify(NOTIFY_STRING, 'set', key);
  return 1;
}

/** SETEX / PSETEX key time value. */
function setex(c: Client, argv: Buffer[], name: string, unit: number): unknown {
  const deadline = expireDeadline(argv[2] as Buffer, unit, name);
  const key = k(argv[1] as Buffer);
  c.db.set(key, { type: 'string', lru: 0, value: argv[3] as Buffer });
  c.db.notify(NOTIFY_STRING, 'set', key);
  c.db.setExpire(key, deadline);
  c.db.notify(NOTIFY_GENERIC, 'expire', key);
  return OK;
}

function getset(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const old = c.db.getString(key) ?? null;
  c.db.set(key, { type: 'string', lru: 0, value: argv[2] as Buffer });
  c.db.notify(NOTIFY_STRING, 'set', key);
  return old;
}

function getdel(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const v = c.db.getString(key);
  if (v === undefined) return null;
  c.db.delete(key);
  c.db.notify(NOTIFY_GENERIC, 'del', key);
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
    const key = k(argv[i] as Buffer);
    c.db.set(key, { type: 'string', lru: 0, value: argv[i + 1] as Buffer });
    c.db.notify(NOTIFY_STRING, 'set', key);
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
  c.db.set(key, { type: 'string', lru: 0, value: Buffer.from(next.toString()) }, true);
  c.db.notify(NOTIFY_STRING, 'incrby', key);
  return integerReply(next);
}

function append(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const cur = c.db.getString(key);
  if (cur === undefined) {
    c.db.set(key, { type: 'string', lru: 0, value: Buffer.from(argv[2] as Buffer) }, true);
    c.db.notify(NOTIFY_STRING, 'append', key);
    return (argv[2] as Buffer).length;
  }
  const value = Buffer.concat([cur, argv[2] as Buffer]);
  c.db.set(key, { type: 'string', lru: 0, value, enc: 'raw' }, true);
  c.db.notify(NOTIFY_STRING, 'append', key);
  return value.length;
}

function strlen(c: Client, argv: Buffer[]): unknown {
  return c.db.getString(k(argv[1] as Buffer))?.length ?? 0;
}

/** MSETNX key value [key value ...]: all or nothing, 1 when set. */
function msetnx(c: Client, argv: Buffer[]): unknown {
  if (argv.length % 2 === 0) throw wrongArity('msetnx');
  for (let i = 1; i < argv.length; i += 2) if (c.db.lookup(k(argv[i] as Buffer)) !== undefined) return 0;
  return mset(c, argv) === OK ? 1 : 0;
}

/** GETRANGE / SUBSTR key start end: Redis's index rules, "" when the range is empty. */
function getrange(c: Client, argv: Buffer[]): unknown {
  let start = intArg(argv[2] as Buffer);
  let end = intArg(argv[3] as Buffer);
  const value = c.db.getString(k(argv[1] as Buffer));
  if (value === undefined) return EMPTY;
  const len = value.length;
  if (start < 0 && end < 0 && start > end) return EMPTY;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return EMPTY;
  return value.subarray(start, end + 1);
}

/** Redis's proto-max-bulk-len default: no string may grow past it. */
export const MAX_STRING = 512 * 1024 * 1024;
export const TOO_LONG = err('ERR string exceeds maximum allowed size (proto-max-bulk-len)');

/** SETRANGE key offset value: zero-padded, the new length. */
function setrange(c: Client, argv: Buffer[]): unknown {
  const offset = intArg(argv[2] as Buffer);
  const patch = argv[3] as Buffer;
  if (offset < 0) throw err('ERR offset is out of range');
  const key = k(argv[1] as Buffer);
  const cur = c.db.getString(key);
  if (patch.length === 0) return cur?.length ?? 0;
  if (offset + patch.length > MAX_STRING) throw TOO_LONG;
  const len = Math.max(cur?.length ?? 0, offset + patch.length);
  const value = Buffer.alloc(len);
  cur?.copy(value);
  patch.copy(value, offset);
  c.db.set(key, { type: 'string', lru: 0, value, enc: 'raw' }, true);
  c.db.notify(NOTIFY_STRING, 'setrange', key);
  return len;
}

/** INCRBYFLOAT key increment: in long double, as Redis (see long-double.ts); the result as a bulk. */
function incrbyfloat(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const cur = c.db.getString(key);
  const value = cur === undefined ? ZERO_LD : parseLongDouble(cur);
  const incr = parseLongDouble(argv[2] as Buffer);
  if (value === null || incr === null) throw NOT_FLOAT;
  const text = addFloatText(value, incr);
  const out = Buffer.from(text, 'latin1');
  c.db.set(key, { type: 'string', lru: 0, value: out, enc: 'embstr' }, true);
  c.db.notify(NOTIFY_STRING, 'incrbyfloat', key);
  return out;
}

const ZERO_LD = longDoubleFromBigInt(0n);
export const NAN_OR_INF = err('ERR increment would produce NaN or Infinity');

/** value + incr printed as Redis prints a long double; NAN_OR_INF when the sum is not finite. */
export function addFloatText(value: ParsedLongDouble, incr: ParsedLongDouble): string {
  if ('inf' in value || 'inf' in incr) throw NAN_OR_INF;
  const sum = addLongDouble(value, incr);
  if (sum === null) throw NAN_OR_INF;
  return formatLongDouble(sum);
}

/** Cells of the LCS table (4 bytes each: 64 MiB at most) past which the answer is Redis's out-of-memory error rather than a huge allocation. */
const LCS_MAX_CELLS = 16 * 1024 * 1024;

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: Redis's dynamic programme and its range walk. */
function lcs(c: Client, argv: Buffer[]): unknown {
  const ea = c.db.lookup(k(argv[1] as Buffer));
  const eb = c.db.lookup(k(argv[2] as Buffer));
  if ((ea !== undefined && ea.type !== 'string') || (eb !== undefined && eb.type !== 'string')) {
    throw err('ERR The specified keys must contain string values');
  }
  const a = ea?.type === 'string' ? ea.value : EMPTY;
  const b = eb?.type === 'string' ? eb.value : EMPTY;
  let getidx = false;
  let getlen = false;
  let withmatchlen = false;
  let minmatchlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j] as Buffer;
    if (is(opt, 'idx')) getidx = true;
    else if (is(opt, 'len')) getlen = true;
    else if (is(opt, 'withmatchlen')) withmatchlen = true;
    else if (is(opt, 'minmatchlen') && j + 1 < argv.length) {
      minmatchlen = Math.max(0, intArg(argv[j + 1] as Buffer));
      j++;
    } else throw SYNTAX;
  }
  if (getidx && getlen) throw err('ERR If you want both the length and indexes, please just use IDX.');
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  if ((alen + 1) * w > LCS_MAX_CELLS) throw err('ERR Insufficient memory, failed allocating transient memory for LCS');
  const t = new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    for (let j = 1; j <= blen; j++) {
      if (a[i - 1] === b[j - 1]) t[i * w + j] = (t[(i - 1) * w + j - 1] as number) + 1;
      else t[i * w + j] = Math.max(t[(i - 1) * w + j] as number, t[i * w + j - 1] as number);
    }
  }
  const total = t[alen * w + blen] as number;
  if (getlen && !getidx) return total;
  const result = Buffer.alloc(total);
  const matches: unknown[] = [];
  let idx = total;
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1] as number;
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if ((t[(i - 1) * w + j] as number) > (t[i * w + j - 1] as number)) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minmatchlen === 0 || matchLen >= minmatchlen) {
        const m: unknown[] = [[aStart, aEnd], [bStart, bEnd]];
        if (withmatchlen) m.push(matchLen);
        matches.push(m);
      }
      aStart = alen;
    }
  }
  if (!getidx) return result;
  return new Map<Buffer, unknown>([
    [Buffer.from('matches'), matches],
    [Buffer.from('len'), total],
  ]);
}

export const stringCommands: Command[] = [
  command('get', 2, 'readonly fast', get),
  command('set', -3, 'write denyoom', set),
  command('setnx', 3, 'write denyoom fast', setnx),
  command('setex', 4, 'write denyoom', (c, argv) => setex(c, argv, 'setex', EX)),
  command('psetex', 4, 'write denyoom', (c, argv) => setex(c, argv, 'psetex', PX)),
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
  command('getex', -2, 'write fast', getex),
  command('msetnx', -3, 'write denyoom', msetnx, [1, -1, 2]),
  command('getrange', 4, 'readonly', getrange),
  command('substr', 4, 'readonly', getrange),
  command('setrange', 4, 'write denyoom', setrange),
  command('incrbyfloat', 3, 'write denyoom fast', incrbyfloat),
  command('lcs', -3, 'readonly', lcs, [1, 2, 1]),
];

