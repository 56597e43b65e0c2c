/**
 * The `struct` library Redis loads (Roberto Ierusalimschy's struct 0.2,
 * with Redis's overflow checks): struct.pack(fmt, ...), struct.unpack(fmt,
 * s [, pos]) and struct.size(fmt), on a 64-bit little-endian build as
 * redis-server runs (long and size_t are 8 bytes, int 4, native order
 * little, maximum alignment 8).
 *
 * Format options: `>` `<` byte order, `!n` alignment, `x` a pad byte,
 * `b/B h/H l/L T i/In/I/In` integers (lower case signed), `f` float, `d`
 * double, `s` zero-terminated string, `cn` n bytes (`c0`: the whole string
 * on pack, the previous number's count on unpack), spaces ignored.
 *
 * Integers go through a 64-bit integer as in the C (a double cast to
 * int64: NaN and out-of-range values become INT64_MIN, as x86's cvttsd2si
 * makes them; then its low `size` bytes). Every number reaches Lua as a
 * float, as Lua 5.1's numbers are.
 */
import { lua, luaString, type LuaFunction, type LuaState } from './fengari.js';
import { argError, checkBytes, checkNumber, optInteger, raise } from './libargs.js';

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const INT_MAX = 2147483647;
const U64 = (1n << 64n) - 1n;
const INT64_MIN = 1n << 63n;

interface Header {
  little: boolean;
  align: number;
}

/** A format being read: the bytes and the position in them. */
class Format {
  pos = 0;
  constructor(
    readonly L: LuaState,
    readonly bytes: Uint8Array,
  ) {}
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
  next(): number {
    return this.bytes[this.pos++] as number;
  }
  /** A decimal count after an option, or `df` when none follows. */
  num(df: number): number {
    const isDigit = (): boolean => {
      const c = this.bytes[this.pos];
      return c !== undefined && c >= 0x30 && c <= 0x39;
    };
    if (!isDigit()) return df;
    let a = 0;
    do {
      const d = (this.bytes[this.pos] as number) - 0x30;
      if (a > INT_MAX / 10 || a * 10 > INT_MAX - d) raise(this.L, 'integral size overflow');
      a = a * 10 + d;
      this.pos++;
    } while (isDigit());
    return a;
  }
}

const ch = (c: string): number => c.charCodeAt(0);
const INTEGER_OPTS = new Set([...'bBhHlLTiI'].map(ch));

function optSize(f: Format, opt: number): number {
  switch (String.fromCharCode(opt)) {
    case 'B':
    case 'b':
    case 'x':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
    case 'd':
      return 8;
    case 'f':
      return 4;
    case 'c':
      return f.num(1);
    case 'i':
    case 'I': {
      const sz = f.num(4);
      if (sz > MAXINTSIZE) raise(f.L, `integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      return sz;
    }
    default:
      return 0;
  }
}

/** Padding before an item of `size` at offset `len` (the C's arithmetic, non-power-of-2 sizes included). */
function toAlign(len: number, h: Header, opt: number, size: number): number {
  if (size === 0 || opt === ch('c')) return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

function controlOptions(f: Format, opt: number, h: Header, fname: string): void {
  switch (String.fromCharCode(opt)) {
    case ' ':
      return;
    case '>':
      h.little = false;
      return;
    case '<':
      h.little = true;
      return;
    case '!': {
      const a = f.num(MAXALIGN);
      if (a === 0 || (a & (a - 1)) !== 0) raise(f.L, `alignment ${a} is not a power of 2`);
      h.align = a;
      return;
    }
    default:
      argError(f.L, 1, fname, `invalid format option '${String.fromCharCode(opt)}'`);
  }
}

/** (int64_t)n or (uint64_t)n as x86-64 computes them, as 64 unsigned bits. */
function toUint64(n: number): bigint {
  const t = Math.trunc(n);
  if (Number.isNaN(t)) return INT64_MIN;
  if (t < 0) return t >= -(2 ** 63) ? BigInt(t) & U64 : INT64_MIN;
  // The unsigned conversion: below 2^63 directly, else (int64)(n - 2^63) ^ 2^63.
  if (t < 2 ** 63) return BigInt(t);
  return t - 2 ** 63 < 2 ** 63 ? BigInt(t) : 0n;
}

function pack(L: LuaState): number {
  const f = new Format(L, checkBytes(L, 1, 'pack'));
  // As the C, which marks the end of its arguments with a nil: a missing one is "got nil", the next "got no value".
  lua.lua_pushnil(L);
  const h: Header = { little: true, align: 1 };
  const out: number[] = [];
  let arg = 2;
  while (!f.done) {
    const opt = f.next();
    let size = optSize(f, opt);
    for (let pad = toAlign(out.length, h, opt, size); pad > 0; pad--) out.push(0);
    if (INTEGER_OPTS.has(opt)) {
      const n = checkNumber(L, arg++, 'pack');
      const bytes: number[] = [];
      const t = Math.trunc(n);
      if (size <= 6 && Math.abs(t) < 2 ** 48) {
        // The low bytes of the two's complement, without a BigInt (floor division keeps them for negatives).
        for (let i = 0, x = t; i < size; i++, x = Math.floor(x / 256)) bytes.push(((x % 256) + 256) % 256);
      } else {
        let v = toUint64(n);
        for (let i = 0; i < size; i++) {
          bytes.push(Number(v & 0xffn));
          v >>= 8n;
        }
      }
      if (!h.little) bytes.reverse();
      for (const x of bytes) out.push(x);
    } else if (opt === ch('x')) {
      out.push(0);
    } else if (opt === ch('f') || opt === ch('d')) {
      const n = checkNumber(L, arg++, 'pack');
      const b = Buffer.alloc(size);
      if (opt === ch('f')) b.writeFloatLE(n);
      else b.writeDoubleLE(n);
      if (!h.little) b.reverse();
      out.push(...b);
    } else if (opt === ch('c') || opt === ch('s')) {
      const s = checkBytes(L, arg++, 'pack');
      if (size === 0) size = s.length;
      // The C checks after arg++: the error names the next argument.
      if (s.length < size) argError(L, arg, 'pack', 'string too short');
      for (let i = 0; i < size; i++) out.push(s[i] as number);
      if (opt === ch('s')) {
        out.push(0);
        size++;
      }
    } else {
      controlOptions(f, opt, h, 'pack');
    }
  }
  lua.lua_pushstring(L, Uint8Array.from(out));
  return 1;
}

/** The integer of `size` bytes at `p`, as the C reads it into 64 bits (only the last 8 bytes read count). */
function getInteger(data: Uint8Array, p: number, little: boolean, signed: boolean, size: number): number {
  if (size <= 6) {
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + (data[little ? p + size - 1 - i : p + i] as number);
    return signed && size > 0 && v >= 2 ** (8 * size - 1) ? v - 2 ** (8 * size) : v;
  }
  let l = 0n;
  for (let i = 0; i < size; i++) {
    const b = data[little ? p + size - 1 - i : p + i] as number;
    l = ((l << 8n) | BigInt(b)) & U64;
  }
  if (!signed) return Number(l);
  // x86 masks the shift count to 6 bits: sizes past 8 shift by (8*size-1) mod 64.
  const mask = (U64 << BigInt((size * 8 - 1) & 63)) & U64;
  if (size > 0 && (l & mask) !== 0n) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

function unpack(L: LuaState): number {
  const f = new Format(L, checkBytes(L, 1, 'unpack'));
  const data = checkBytes(L, 2, 'unpack');
  const ld = data.length;
  const offset = optInteger(L, 3, 'unpack', 1);
  if (offset === 0) argError(L, 3, 'unpack', 'offset must be 1 or greater');
  // A negative offset is a huge size_t in the C: every item read is then "too short".
  let pos = offset - 1;
  const h: Header = { little: true, align: 1 };
  const fits = (size: number): boolean => pos >= 0 && size <= ld && pos <= ld - size;
  const base = lua.lua_gettop(L);
  while (!f.done) {
    const opt = f.next();
    let size = optSize(f, opt);
    pos += toAlign(pos, h, opt, size);
    if (!fits(size)) argError(L, 2, 'unpack', 'data string too short');
    if (!lua.lua_checkstack(L, 2)) raise(L, 'stack overflow (too many results)');
    if (INTEGER_OPTS.has(opt)) {
      const signed = opt >= ch('a');
      lua.lua_pushnumber(L, getInteger(data, pos, h.little, signed, size));
    } else if (opt === ch('x')) {
      // padding only
    } else if (opt === ch('f') || opt === ch('d')) {
      const b = Buffer.from(data.subarray(pos, pos + size));
      if (!h.little) b.reverse();
      lua.lua_pushnumber(L, opt === ch('f') ? b.readFloatLE(0) : b.readDoubleLE(0));
    } else if (opt === ch('c')) {
      if (size === 0) {
        if (lua.lua_gettop(L) === base || !lua.lua_isnumber(L, -1)) raise(L, "format 'c0' needs a previous size");
        size = Math.trunc(lua.lua_tonumber(L, -1));
        lua.lua_pop(L, 1);
        if (!fits(size)) argError(L, 2, 'unpack', 'data string too short');
      }
      lua.lua_pushstring(L, data.slice(pos, pos + size));
    } else if (opt === ch('s')) {
      const end = data.indexOf(0, pos);
      if (end === -1) raise(L, 'unfinished string in data');
      size = end - pos + 1;
      lua.lua_pushstring(L, data.slice(pos, end));
    } else {
      controlOptions(f, opt, h, 'unpack');
    }
    pos += size;
  }
  lua.lua_pushnumber(L, pos + 1);
  return lua.lua_gettop(L) - base;
}

function size(L: LuaState): number {
  const f = new Format(L, checkBytes(L, 1, 'size'));
  const h: Header = { little: true, align: 1 };
  let pos = 0;
  while (!f.done) {
    const opt = f.next();
    const sz = optSize(f, opt);
    pos += toAlign(pos, h, opt, sz);
    if (opt === ch('s')) argError(L, 1, 'size', "option 's' has no fixed size");
    else if (opt === ch('c') && sz === 0) argError(L, 1, 'size', "option 'c0' has no fixed size");
    const isAlnum = (opt >= 0x30 && opt <= 0x39) || (opt >= 0x41 && opt <= 0x5a) || (opt >= 0x61 && opt <= 0x7a);
    if (!isAlnum) controlOptions(f, opt, h, 'size');
    pos += sz;
  }
  lua.lua_pushnumber(L, pos);
  return 1;
}

/** Pushes the `struct` table. */
export function pushStruct(L: LuaState): void {
  const fns: Array<[string, LuaFunction]> = [
    ['pack', pack],
    ['unpack', unpack],
    ['size', size],
  ];
  lua.lua_createtable(L, 0, fns.length);
  for (const [name, fn] of fns) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, luaString(name));
  }
}
