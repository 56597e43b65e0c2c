/**
 * DUMP / RESTORE payloads in Redis's RDB value format: the value's type
 * byte and body, then the RDB version (2 bytes, little-endian) and a CRC64
 * (Jones polynomial, as Redis's crc64.c; 8 bytes, little-endian) of all that
 * precedes it.
 *
 * Reading accepts what redis-server 7.0 writes: plain strings, integer and
 * LZF-compressed strings, lists (plain and quicklist-of-listpacks), sets
 * (plain and intset), hashes and sorted sets (plain and listpack). Writing
 * uses the plain encodings, which every Redis since 2.x loads (so a DUMP
 * from mini-redis RESTOREs into redis-server); it is therefore not the same
 * bytes as Redis's own DUMP of a small value, which uses listpacks, intsets
 * and LZF. Streams are neither written nor read.
 */
import type { Entry } from './db.js';
import { newHash, newList, newSet, newZset } from './db.js';

/** Redis 7.0's RDB_VERSION: payloads from a newer version are refused. */
export const RDB_VERSION = 10;

const T_STRING = 0;
const T_LIST = 1;
const T_SET = 2;
const T_ZSET = 3;
const T_HASH = 4;
const T_ZSET_2 = 5;
const T_SET_INTSET = 11;
const T_HASH_LISTPACK = 16;
const T_ZSET_LISTPACK = 17;
const T_LIST_QUICKLIST_2 = 18;

const CRC_POLY = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 reflected
const MASK64 = (1n << 64n) - 1n;
const CRC_TABLE: bigint[] = Array.from({ length: 256 }, (_, n) => {
  let crc = BigInt(n);
  for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ CRC_POLY : crc >> 1n;
  return crc;
});

/** Redis's crc64 (crc64(0, "123456789", 9) === 0xe9c6d914c4b8d9ca). */
export function crc64(data: Uint8Array, crc = 0n): bigint {
  for (const byte of data) crc = (CRC_TABLE[Number((crc ^ BigInt(byte)) & 0xffn)] as bigint) ^ (crc >> 8n);
  return crc & MASK64;
}

/** Thrown for any payload that does not parse: RESTORE answers "Bad data format". */
export class BadPayload extends Error {}

function lengthBytes(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}

function stringBytes(s: Buffer): Buffer[] {
  return [lengthBytes(s.length), s];
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The DUMP payload of a value; null for a stream (not supported). */
export function dumpEntry(e: Entry): Buffer | null {
  const parts: Buffer[] = [];
  switch (e.type) {
    case 'string':
      parts.push(Buffer.from([T_STRING]), ...stringBytes(e.value));
      break;
    case 'list':
      parts.push(Buffer.from([T_LIST]), lengthBytes(e.value.length));
      for (let i = 0; i < e.value.length; i++) parts.push(...stringBytes(e.value.at(i) as Buffer));
      break;
    case 'set':
      parts.push(Buffer.from([T_SET]), lengthBytes(e.value.size));
      for (const m of e.value.values()) parts.push(...stringBytes(latin1(m)));
      break;
    case 'hash':
      parts.push(Buffer.from([T_HASH]), lengthBytes(e.value.size));
      for (const [f, v] of e.value) parts.push(...stringBytes(latin1(f)), ...stringBytes(v));
      break;
    case 'zset':
      parts.push(Buffer.from([T_ZSET_2]), lengthBytes(e.value.size));
      // Highest first, as Redis writes a skiplist (so loading appends).
      for (const m of e.value.range(0, e.value.size - 1).reverse()) {
        const d = Buffer.alloc(8);
        d.writeDoubleLE(m.score);
        parts.push(...stringBytes(latin1(m.member)), d);
      }
      break;
    default:
      return null;
  }
  return withFooter(Buffer.concat(parts));
}

/** A DUMP payload's body followed by the RDB version and the CRC64 of both. */
export function withFooter(body: Buffer): Buffer {
  const footer = Buffer.alloc(10);
  footer.writeUInt16LE(RDB_VERSION, 0);
  const withVersion = Buffer.concat([body, footer.subarray(0, 2)]);
  footer.writeBigUInt64LE(crc64(withVersion), 2);
  return Buffer.concat([body, footer]);
}

/** An RDB length (lengthBytes's encoding), for other payload writers. */
export function rdbLength(n: number): Buffer {
  return lengthBytes(n);
}

/** Redis's verifyDumpPayload: version not newer than ours and the CRC64 right. */
export function verifyPayload(p: Buffer): boolean {
  if (p.length < 10) return false;
  const version = p.readUInt16LE(p.length - 10);
  if (version > RDB_VERSION) return false;
  return crc64(p.subarray(0, p.length - 8)) === p.readBigUInt64LE(p.length - 8);
}

/** A cursor over the payload body; every read past the end is a BadPayload. */
export class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}

  byte(): number {
    if (this.pos >= this.b.length) throw new BadPayload('truncated');
    return this.b[this.pos++] as number;
  }

  take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.b.length) throw new BadPayload('truncated');
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A length, or an encoded-string marker ({ enc }). */
  length(): number | { enc: number } {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === 0) return first & 0x3f;
    if (kind === 1) return ((first & 0x3f) << 8) | this.byte();
    if (kind === 3) return { enc: first & 0x3f };
    if (first === 0x80) return this.take(4).readUInt32BE(0);
    if (first === 0x81) {
      const v = this.take(8).readBigUInt64BE(0);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadPayload('length');
      return Number(v);
    }
    throw new BadPayload('length');
  }

  count(): number {
    const n = this.length();
    if (typeof n !== 'number') throw new BadPayload('length');
    return n;
  }

  string(): Buffer {
    const n = this.length();
    if (typeof n === 'number') return Buffer.from(this.take(n));
    if (n.enc === 0) return Buffer.from(String(this.take(1).readInt8(0)));
    if (n.enc === 1) return Buffer.from(String(this.take(2).readInt16LE(0)));
    if (n.enc === 2) return Buffer.from(String(this.take(4).readInt32LE(0)));
    if (n.enc === 3) {
      const clen = this.count();
      const len = this.count();
      return lzfDecompress(this.take(clen), len);
    }
    throw new BadPayload('string encoding');
  }
}

/** liblzf's decompressor. */
export function lzfDecompress(input: Buffer, outLen: number): Buffer {
  if (outLen > 512 * 1024 * 1024) throw new BadPayload('lzf length');
  const out = Buffer.alloc(outLen);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrl = input[ip++] as number;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > input.length) throw new BadPayload('lzf');
      input.copy(out, op, ip, ip + n);
      op += n;
      ip += n;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= input.length) throw new BadPayload('lzf');
        len += input[ip++] as number;
      }
      if (ip >= input.length) throw new BadPayload('lzf');
      let ref = op - ((ctrl & 0x1f) << 8) - (input[ip++] as number) - 1;
      len += 2;
      if (ref < 0 || op + len > outLen) throw new BadPayload('lzf');
      while (len-- > 0) out[op++] = out[ref++] as number;
    }
  }
  if (op !== outLen) throw new BadPayload('lzf');
  return out;
}

/** The elements of a listpack blob, as byte strings (integers as their decimal text). */
function listpack(blob: Buffer): Buffer[] {
  if (blob.length < 7) throw new BadPayload('listpack');
  const out: Buffer[] = [];
  let p = 6;
  for (;;) {
    if (p >= blob.length) throw new BadPayload('listpack');
    const b = blob[p] as number;
    if (b === 0xff) break;
    let len: number; // encoding + data, for the backlen that follows
    if (b < 0x80) {
      out.push(Buffer.from(String(b)));
      len = 1;
    } else if (b >> 6 === 2) {
      const n = b & 0x3f;
      out.push(slice(blob, p + 1, n));
      len = 1 + n;
    } else if (b >> 5 === 6) {
      let v = ((b & 0x1f) << 8) | (at(blob, p + 1));
      if (v >= 1 << 12) v -= 1 << 13;
      out.push(Buffer.from(String(v)));
      len = 2;
    } else if (b >> 4 === 14) {
      const n = ((b & 0x0f) << 8) | at(blob, p + 1);
      out.push(slice(blob, p + 2, n));
      len = 2 + n;
    } else if (b === 0xf0) {
      const n = slice(blob, p + 1, 4).readUInt32LE(0);
      out.push(slice(blob, p + 5, n));
      len = 5 + n;
    } else if (b >= 0xf1 && b <= 0xf4) {
      const size = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : 8;
      const d = slice(blob, p + 1, size);
      const v = size === 8 ? d.readBigInt64LE(0) : BigInt(d.readIntLE(0, size));
      out.push(Buffer.from(v.toString()));
      len = 1 + size;
    } else throw new BadPayload('listpack entry');
    const back = len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
    p += len + back;
  }
  return out;
}

function at(b: Buffer, i: number): number {
  if (i >= b.length) throw new BadPayload('listpack');
  return b[i] as number;
}

function slice(b: Buffer, from: number, n: number): Buffer {
  if (from + n > b.length) throw new BadPayload('listpack');
  return Buffer.from(b.subarray(from, from + n));
}

function intset(blob: Buffer): string[] {
  if (blob.length < 8) throw new BadPayload('intset');
  const width = blob.readUInt32LE(0);
  const n = blob.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || 8 + width * n !== blob.length) throw new BadPayload('intset');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const o = 8 + i * width;
    out.push(width === 8 ? blob.readBigInt64LE(o).toString() : String(blob.readIntLE(o, width)));
  }
  return out;
}

const text = (b: Buffer): string => b.toString('latin1');

/** A score stored as text (a listpack's, or the old RDB_TYPE_ZSET's): strtod's forms, never NaN. */
function score(b: Buffer): number {
  const t = b.toString('latin1');
  if (/^[+-]?inf(inity)?$/i.test(t)) return t[0] === '-' ? -Infinity : Infinity;
  const v = Number(t);
  if (t.trim() === '' || Number.isNaN(v)) throw new BadPayload('score');
  return v;
}

/** The value in a verified payload; BadPayload when it does not parse (or is empty, or a stream). */
export function restoreEntry(p: Buffer): Entry {
  const r = new Reader(p.subarray(0, p.length - 10));
  const type = r.byte();
  let e: Entry;
  switch (type) {
    case T_STRING:
      e = { type: 'string', lru: 0, value: r.string() };
      break;
    case T_LIST: {
      const l = newList();
      for (let n = r.count(); n > 0; n--) l.value.pushBack(r.string());
      e = l;
      break;
    }
    case T_LIST_QUICKLIST_2: {
      const l = newList();
      for (let n = r.count(); n > 0; n--) {
        const container = r.count();
        const blob = r.string();
        if (container === 1) l.value.pushBack(blob);
        else if (container === 2) for (const item of listpack(blob)) l.value.pushBack(item);
        else throw new BadPayload('quicklist container');
      }
      e = l;
      break;
    }
    case T_SET: {
      const s = newSet();
      for (let n = r.count(); n > 0; n--) s.value.add(text(r.string()));
      e = s;
      break;
    }
    case T_SET_INTSET: {
      const s = newSet();
      for (const m of intset(r.string())) s.value.add(m);
      e = s;
      break;
    }
    case T_HASH: {
      const h = newHash();
      for (let n = r.count(); n > 0; n--) {
        const f = text(r.string());
        h.value.set(f, r.string());
      }
      e = h;
      break;
    }
    case T_HASH_LISTPACK: {
      const h = newHash();
      const items = listpack(r.string());
      if (items.length % 2 !== 0) throw new BadPayload('hash listpack');
      for (let i = 0; i < items.length; i += 2) h.value.set(text(items[i] as Buffer), items[i + 1] as Buffer);
      e = h;
      break;
    }
    case T_ZSET:
    case T_ZSET_2: {
      const z = newZset();
      for (let n = r.count(); n > 0; n--) {
        const m = text(r.string());
        let s: number;
        if (type === T_ZSET_2) s = r.take(8).readDoubleLE(0);
        else {
          const len = r.byte();
          s = len === 253 ? Number.NaN : len === 254 ? Infinity : len === 255 ? -Infinity : score(r.take(len));
        }
        if (Number.isNaN(s)) throw new BadPayload('score');
        z.value.set(m, s);
      }
      e = z;
      break;
    }
    case T_ZSET_LISTPACK: {
      const z = newZset();
      const items = listpack(r.string());
      if (items.length % 2 !== 0) throw new BadPayload('zset listpack');
      for (let i = 0; i < items.length; i += 2) z.value.set(text(items[i] as Buffer), score(items[i + 1] as Buffer));
      e = z;
      break;
    }
    default:
      throw new BadPayload(`type ${type}`);
  }
  if (r.pos !== p.length - 10) throw new BadPayload('trailing bytes');
  // Redis refuses empty containers in a payload.
  if (e.type !== 'string' && (e.type === 'list' ? e.value.length : e.type === 'zset' || e.type === 'set' || e.type === 'hash' ? e.value.size : 1) === 0) {
    throw new BadPayload('empty');
  }
  return e;
}
