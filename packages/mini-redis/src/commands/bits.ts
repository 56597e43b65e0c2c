/**
 * Bit commands on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP. Bit 0
 * is the most significant bit of byte 0, as in Redis; a string grows
 * zero-padded when a bit past its end is set.
 */
import { intArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../notify.js';
import { command, type Command } from '../command.js';
import { err, SYNTAX } from '../reply.js';
import { MAX_STRING } from './strings.js';
import { is, k } from './util.js';

const BAD_OFFSET = err('ERR bit offset is not an integer or out of range');

/** A bit offset: a canonical int64, >= 0, its byte inside proto-max-bulk-len. */
function bitOffset(b: Buffer): number {
  const v = parseInt64(b);
  if (v === null || v < 0n || v >> 3n >= BigInt(MAX_STRING)) throw BAD_OFFSET;
  return Number(v);
}

function setbit(c: Client, argv: Buffer[]): unknown {
  const offset = bitOffset(argv[2] as Buffer);
  const bitErr = err('ERR bit is not an integer or out of range');
  const v = parseInt64(argv[3] as Buffer);
  if (v === null || (v !== 0n && v !== 1n)) throw bitErr;
  const key = k(argv[1] as Buffer);
  const cur = c.db.getString(key);
  const byte = offset >> 3;
  const mask = 1 << (7 - (offset & 7));
  const old = cur !== undefined && byte < cur.length && ((cur[byte] as number) & mask) !== 0 ? 1 : 0;
  if (cur === undefined || cur.length <= byte || old !== Number(v)) {
    // A new buffer, not a change in place: the stored one may still be
    // queued, unsent, as the reply to an earlier GET (and may be a slice of
    // a request). O(length) per changing SETBIT; Redis changes in place.
    const value = Buffer.alloc(Math.max(cur?.length ?? 0, byte + 1));
    cur?.copy(value);
    value[byte] = v === 1n ? (value[byte] as number) | mask : (value[byte] as number) & ~mask;
    c.db.set(key, { type: 'string', lru: 0, value, enc: 'raw' }, true);
    c.db.notify(NOTIFY_STRING, 'setbit', key);
  }
  return old;
}

function getbit(c: Client, argv: Buffer[]): unknown {
  const offset = bitOffset(argv[2] as Buffer);
  const value = c.db.getString(k(argv[1] as Buffer));
  if (value === undefined) return 0;
  const byte = offset >> 3;
  if (byte >= value.length) return 0;
  return ((value[byte] as number) & (1 << (7 - (offset & 7)))) !== 0 ? 1 : 0;
}

/** The bit at bit index `i` (0 = MSB of byte 0). */
function bitAt(s: Buffer, i: number): number {
  return ((s[i >> 3] as number) >> (7 - (i & 7))) & 1;
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, n) => {
  let c = 0;
  for (let x = n; x !== 0; x >>= 1) c += x & 1;
  return c;
});

/**
 * Start and end as Redis normalises them (negative from the end, clamped),
 * in bits when `bits`: the inclusive bit range, or null when it is empty.
 */
function bitRange(start: number, end: number, len: number, bits: boolean): [number, number] | null {
  const total = bits ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return null;
  return bits ? [start, end] : [start * 8, end * 8 + 7];
}

function unitArg(b: Buffer): boolean {
  if (is(b, 'bit')) return true;
  if (is(b, 'byte')) return false;
  throw SYNTAX;
}

/** BITCOUNT key [start end [BYTE|BIT]] */
function bitcount(c: Client, argv: Buffer[]): unknown {
  const value = c.db.getString(k(argv[1] as Buffer));
  if (value === undefined) return 0;
  let range: [number, number] | null;
  if (argv.length === 4 || argv.length === 5) {
    const start = intArg(argv[2] as Buffer);
    const end = intArg(argv[3] as Buffer);
    if (start < 0 && end < 0 && start > end) return 0;
    const bits = argv.length === 5 ? unitArg(argv[4] as Buffer) : false;
    range = bitRange(start, end, value.length, bits);
  } else if (argv.length === 2) range = value.length === 0 ? null : [0, value.length * 8 - 1];
  else throw SYNTAX;
  if (range === null) return 0;
  let [from, to] = range;
  let n = 0;
  while (from <= to && (from & 7) !== 0) n += bitAt(value, from++);
  while (to >= from && (to & 7) !== 7) n += bitAt(value, to--);
  for (let i = from >> 3; i <= to >> 3 && from <= to; i++) n += POPCOUNT[value[i] as number] as number;
  return n;
}

/** BITPOS key bit [start [end [BYTE|BIT]]] */
function bitpos(c: Client, argv: Buffer[]): unknown {
  const bit = intArg(argv[2] as Buffer);
  if (bit !== 0 && bit !== 1) throw err('ERR The bit argument must be 1 or 0.');
  const value = c.db.getString(k(argv[1] as Buffer));
  // A missing key is an endless run of zero bits.
  if (value === undefined) return bit === 1 ? -1 : 0;
  let endGiven = false;
  let range: [number, number] | null;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = intArg(argv[3] as Buffer);
    const bits = argv.length === 6 ? unitArg(argv[5] as Buffer) : false;
    let end: number;
    if (argv.length >= 5) {
      end = intArg(argv[4] as Buffer);
      endGiven = true;
    } else end = bits ? value.length * 8 + 7 : value.length - 1;
    range = bitRange(start, end, value.length, bits);
  } else if (argv.length === 3) range = value.length === 0 ? null : [0, value.length * 8 - 1];
  else throw SYNTAX;
  if (range === null) return -1;
  const [from, to] = range;
  for (let i = from; i <= to; i++) {
    // Whole bytes that cannot hold the bit are skipped.
    if ((i & 7) === 0 && i + 7 <= to && value[i >> 3] === (bit === 1 ? 0 : 0xff)) {
      i += 7;
      continue;
    }
    if (bitAt(value, i) === bit) return i;
  }
  // Looking for a 0 with no end given: the string continues with zeros past its end.
  return bit === 0 && !endGiven ? to + 1 : -1;
}

/** BITOP AND|OR|XOR|NOT destkey key [key ...]: missing keys are empty strings; the result length. */
function bitop(c: Client, argv: Buffer[]): unknown {
  const op = (argv[1] as Buffer).toString('latin1').toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') throw SYNTAX;
  if (op === 'not' && argv.length !== 4) throw err('ERR BITOP NOT must be called with a single source key.');
  const sources: Buffer[] = [];
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const s = c.db.getString(k(argv[i] as Buffer)) ?? Buffer.alloc(0);
    sources.push(s);
    maxlen = Math.max(maxlen, s.length);
  }
  const dest = k(argv[2] as Buffer);
  if (maxlen === 0) {
    if (c.db.delete(dest)) c.db.notify(NOTIFY_GENERIC, 'del', dest);
    return 0;
  }
  const out = Buffer.alloc(maxlen);
  for (let i = 0; i < maxlen; i++) {
    let acc = (sources[0] as Buffer)[i] ?? 0;
    if (op === 'not') acc = ~acc & 0xff;
    for (let j = 1; j < sources.length; j++) {
      const byte = (sources[j] as Buffer)[i] ?? 0;
      if (op === 'and') acc &= byte;
      else if (op === 'or') acc |= byte;
      else acc ^= byte;
    }
    out[i] = acc;
  }
  c.db.set(dest, { type: 'string', lru: 0, value: out, enc: 'raw' });
  c.db.notify(NOTIFY_STRING, 'set', dest);
  return maxlen;
}

export const bitCommands: Command[] = [
  command('setbit', 4, 'write denyoom', setbit),
  command('getbit', 3, 'readonly fast', getbit),
  command('bitcount', -2, 'readonly', bitcount),
  command('bitpos', -3, 'readonly', bitpos),
  command('bitop', -4, 'write denyoom', bitop, [2, -1, 1]),
];
