/**
 * The `cmsgpack` library Redis loads (antirez's lua_cmsgpack 0.4):
 * cmsgpack.pack(v1, v2, ...) encodes each value and concatenates them;
 * cmsgpack.unpack(s) decodes every value in s; unpack_one(s [, offset]) and
 * unpack_limit(s, limit [, offset]) decode the first 1 / `limit` values and
 * return the next offset first (-1 once s is used up).
 *
 * Encoding, as the C on Lua 5.1 (every number a double):
 *   nil, a function, userdata → nil (0xc0); booleans → 0xc2 / 0xc3;
 *   a number equal to an int64 → the smallest int format (fixnum, u8..u64,
 *   i8..i64), else a float32 when that is exact, else a float64;
 *   a string → fixstr / str8 / str16 / str32;
 *   a table whose keys are exactly 1..n → an array, any other → a map
 *   (keys in the table's traversal order, which is the VM's: a map of more
 *   than one key need not have the same bytes as redis-server's);
 *   nesting past 16 levels → nil (circular tables end there).
 * Decoding knows the same formats (no bin, no ext: "Bad data format in
 * input."); a value cut short is "Missing bytes in input.". Every byte
 * consumed is one the input has, so a hostile payload cannot make the
 * decoder loop or allocate past its own length; nesting is bounded by Lua's
 * stack, as in the C.
 */
import { lua, luaString, type LuaFunction, type LuaState } from './fengari.js';
import { argError, checkBytes, checkInteger, optInteger, raise } from './libargs.js';

const MAX_NESTING = 16;
/** Lua 5.1's LUAI_MAXCSTACK: how many stack slots luaL_checkstack lets a C function have. */
const MAX_STACK = 8000;

class Encoder {
  private buf = Buffer.alloc(64);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  /** A type byte then an unsigned big-endian number of `n` bytes. */
  header(type: number, v: number, n: 1 | 2 | 4): void {
    this.room(1 + n);
    this.buf[this.len++] = type;
    if (n === 1) this.buf.writeUInt8(v, this.len);
    else if (n === 2) this.buf.writeUInt16BE(v, this.len);
    else this.buf.writeUInt32BE(v, this.len);
    this.len += n;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }

  int(n: bigint): void {
    this.room(9);
    const b = this.buf;
    if (n >= 0n) {
      if (n <= 127n) b[this.len++] = Number(n);
      else if (n <= 0xffn) this.header(0xcc, Number(n), 1);
      else if (n <= 0xffffn) this.header(0xcd, Number(n), 2);
      else if (n <= 0xffffffffn) this.header(0xce, Number(n), 4);
      else {
        b[this.len++] = 0xcf;
        b.writeBigUInt64BE(n, this.len);
        this.len += 8;
      }
    } else if (n >= -32n) b[this.len++] = Number(n) & 0xff;
    else if (n >= -128n) this.header(0xd0, Number(n) & 0xff, 1);
    else if (n >= -32768n) this.header(0xd1, Number(n) & 0xffff, 2);
    else if (n >= -2147483648n) this.header(0xd2, Number(n) >>> 0, 4);
    else {
      b[this.len++] = 0xd3;
      b.writeBigInt64BE(n, this.len);
      this.len += 8;
    }
  }

  /** mp_encode_int for an integer below 2^32 in magnitude, without a BigInt. */
  private smallInt(n: number): void {
    this.room(5);
    if (n >= 0) {
      if (n <= 127) this.buf[this.len++] = n;
      else if (n <= 0xff) this.header(0xcc, n, 1);
      else if (n <= 0xffff) this.header(0xcd, n, 2);
      else this.header(0xce, n, 4);
    } else if (n >= -32) this.buf[this.len++] = n & 0xff;
    else if (n >= -128) this.header(0xd0, n & 0xff, 1);
    else if (n >= -32768) this.header(0xd1, n & 0xffff, 2);
    else if (n >= -2147483648) this.header(0xd2, n >>> 0, 4);
    else this.int(BigInt(n));
  }

  number(d: number): void {
    if (Number.isInteger(d) && d >= -0x80000000 && d <= 0xffffffff) return this.smallInt(d);
    // IS_INT64_EQUIVALENT: finite and (int64_t)d == d; 2^63 itself is not (the cast gives INT64_MIN).
    if (Number.isInteger(d) && d >= -(2 ** 63) && d < 2 ** 63) return this.int(BigInt(d));
    this.room(9);
    // A float32 when it holds d exactly (infinities too); NaN is not equal to itself, so a float64.
    if (Math.fround(d) === d) {
      this.buf[this.len++] = 0xca;
      this.buf.writeFloatBE(d, this.len);
      this.len += 4;
    } else {
      this.buf[this.len++] = 0xcb;
      this.buf.writeDoubleBE(d, this.len);
      this.len += 8;
    }
  }

  string(s: Uint8Array): void {
    const n = s.length;
    if (n < 32) this.byte(0xa0 | n);
    else if (n <= 0xff) this.header(0xd9, n, 1);
    else if (n <= 0xffff) this.header(0xda, n, 2);
    else this.header(0xdb, n, 4);
    this.bytes(s);
  }

  /** Encodes the value on top of L's stack and pops it. */
  value(L: LuaState, level: number): void {
    let t = lua.lua_type(L, -1);
    if (t === lua.LUA_TTABLE && level === MAX_NESTING) t = lua.LUA_TNIL;
    switch (t) {
      case lua.LUA_TSTRING:
        this.string(lua.lua_tolstring(L, -1) as Uint8Array);
        break;
      case lua.LUA_TBOOLEAN:
        this.byte(lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2);
        break;
      case lua.LUA_TNUMBER:
        this.number(lua.lua_tonumber(L, -1));
        break;
      case lua.LUA_TTABLE:
        this.table(L, level);
        break;
      default:
        this.byte(0xc0);
    }
    lua.lua_pop(L, 1);
  }

  private table(L: LuaState, level: number): void {
    if (!lua.lua_checkstack(L, 3)) raise(L, 'stack overflow (in function mp_encode_lua_table)');
    const n = arrayLength(L);
    if (n >= 0) {
      this.container(0x90, 0xdc, 0xdd, n);
      for (let j = 1; j <= n; j++) {
        lua.lua_pushnumber(L, j);
        lua.lua_gettable(L, -2);
        this.value(L, level + 1);
      }
      return;
    }
    let len = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pop(L, 1);
      len++;
    }
    this.container(0x80, 0xde, 0xdf, len);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pushvalue(L, -2);
      this.value(L, level + 1); // the key
      this.value(L, level + 1); // the value
    }
  }

  private container(fix: number, t16: number, t32: number, n: number): void {
    if (n <= 15) this.byte(fix | n);
    else if (n <= 0xffff) this.header(t16, n, 2);
    else this.header(t32, n, 4);
  }
}

/** The table on top: its length when its keys are exactly 1..n (numbers that are C ints), else -1. */
function arrayLength(L: LuaState): number {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1);
    const k = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : 0;
    if (!(k > 0 && Number.isInteger(k) && k <= 2147483647)) {
      lua.lua_pop(L, 1);
      return -1;
    }
    if (k > max) max = k;
    count++;
  }
  return max === count ? count : -1;
}

function pack(L: LuaState): number {
  const nargs = lua.lua_gettop(L);
  if (nargs === 0) return argError(L, 0, 'pack', 'MessagePack pack needs input.');
  if (!lua.lua_checkstack(L, nargs + 4)) return argError(L, 0, 'pack', 'Too many arguments for MessagePack pack.');
  const enc = new Encoder();
  for (let i = 1; i <= nargs; i++) {
    lua.lua_pushvalue(L, i);
    enc.value(L, 0);
  }
  lua.lua_pushstring(L, enc.take());
  return 1;
}

/** Thrown inside the decoder; turned into the C's error texts by unpackFull. */
class Truncated extends Error {}
class BadFormat extends Error {}

/** An array or map being decoded: items still to read; an array's last index; whether a map's next item is a key. */
interface Frame {
  readonly array: boolean;
  left: number;
  index: number;
  key: boolean;
}

class Decoder {
  /** Stack slots the C function would use: its argument, then what it pushed (the C's L->top - L->base). */
  private top = 1;
  /** The input as a Buffer view, for its typed reads. */
  private readonly b: Buffer;
  constructor(
    private readonly L: LuaState,
    private readonly s: Uint8Array,
    public p: number,
  ) {
    this.b = Buffer.from(s.buffer, s.byteOffset, s.length);
  }

  get left(): number {
    return this.s.length - this.p;
  }

  private need(n: number): void {
    if (this.left < n) throw new Truncated();
  }

  private uint(at: number, n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (this.s[at + i] as number);
    return v;
  }

  /**
   * luaL_checkstack(L, 1, msg) as Lua 5.1 answers it for a C function:
   * refused once its frame (the argument string, then what it pushed) would
   * pass LUAI_MAXCSTACK slots. Redis hits this at 8000 top-level values and
   * at 4000 nested arrays; so does this decoder.
   */
  check(msg: string): void {
    if (this.top + 1 > MAX_STACK || !lua.lua_checkstack(this.L, 2)) raise(this.L, `stack overflow (${msg})`);
  }

  private pushString(at: number, n: number): void {
    this.need(at - this.p + n);
    lua.lua_pushstring(this.L, this.s.slice(at, at + n));
  }

  /**
   * Decodes one value and pushes it, without recursion (nesting is bounded
   * only by Lua's stack, deeper than JS's): a container's items are read by
   * this loop, with a frame per open array or map.
   */
  value(): void {
    const frames: Frame[] = [];
    for (;;) {
      const opened = this.item();
      if (opened !== null) {
        if (opened.array) this.check('in function mp_decode_to_lua_array');
        frames.push(opened);
      } else this.settle(frames);
      for (;;) {
        const f = frames[frames.length - 1];
        if (f === undefined) return;
        if (f.left > 0) {
          if (f.array) {
            lua.lua_pushnumber(this.L, ++f.index);
            this.top++;
          }
          break;
        }
        // The container is complete: its table is on top, an item of the frame below.
        frames.pop();
        this.settle(frames);
      }
    }
  }

  /** The value just pushed goes into the innermost open container (a map's key waits for its value). */
  private settle(frames: Frame[]): void {
    const f = frames[frames.length - 1];
    if (f === undefined) return;
    if (!f.array && f.key) {
      f.key = false;
      return;
    }
    // A nil key is refused by Lua's own settable, as in the C.
    lua.lua_settable(this.L, -3);
    this.top -= 2;
    f.left--;
    f.key = true;
  }

  /** Pushes one scalar (null returned), or the empty table of an array or map (its frame returned). */
  private item(): Frame | null {
    const L = this.L;
    const s = this.s;
    this.need(1);
    this.check('too many return values at once; use unpack_one or unpack_limit instead.');
    // The slot of the value about to be pushed (an array's or map's table before its items).
    this.top++;
    const t = s[this.p] as number;
    const b = this.b;
    /** The offset of a fixed-size body after the type byte, once it is known to be there. */
    const body = (n: number): number => {
      this.need(1 + n);
      return this.p + 1;
    };
    switch (t) {
      case 0xcc:
      case 0xcd:
      case 0xce: {
        const n = t === 0xcc ? 1 : t === 0xcd ? 2 : 4;
        this.need(1 + n);
        lua.lua_pushnumber(L, this.uint(this.p + 1, n));
        this.p += 1 + n;
        return null;
      }
      case 0xcf:
        // The C pushes it as a signed lua_Integer: 2^64-1 reads back as -1.
        lua.lua_pushnumber(L, Number(b.readBigInt64BE(body(8))));
        this.p += 9;
        return null;
      case 0xd0:
        lua.lua_pushnumber(L, b.readInt8(body(1)));
        this.p += 2;
        return null;
      case 0xd1:
        lua.lua_pushnumber(L, b.readInt16BE(body(2)));
        this.p += 3;
        return null;
      case 0xd2:
        lua.lua_pushnumber(L, b.readInt32BE(body(4)));
        this.p += 5;
        return null;
      case 0xd3:
        lua.lua_pushnumber(L, Number(b.readBigInt64BE(body(8))));
        this.p += 9;
        return null;
      case 0xc0:
        lua.lua_pushnil(L);
        this.p += 1;
        return null;
      case 0xc2:
      case 0xc3:
        lua.lua_pushboolean(L, t === 0xc3);
        this.p += 1;
        return null;
      case 0xca:
        lua.lua_pushnumber(L, b.readFloatBE(body(4)));
        this.p += 5;
        return null;
      case 0xcb:
        lua.lua_pushnumber(L, b.readDoubleBE(body(8)));
        this.p += 9;
        return null;
      case 0xd9:
      case 0xda:
      case 0xdb: {
        const n = t === 0xd9 ? 1 : t === 0xda ? 2 : 4;
        this.need(1 + n);
        const len = this.uint(this.p + 1, n);
        this.pushString(this.p + 1 + n, len);
        this.p += 1 + n + len;
        return null;
      }
      case 0xdc:
      case 0xdd:
      case 0xde:
      case 0xdf: {
        const n = t === 0xdc || t === 0xde ? 2 : 4;
        this.need(1 + n);
        const len = this.uint(this.p + 1, n);
        this.p += 1 + n;
        return this.open(t <= 0xdd, len);
      }
    }
    if ((t & 0x80) === 0) {
      lua.lua_pushnumber(L, t);
      this.p += 1;
    } else if ((t & 0xe0) === 0xe0) {
      lua.lua_pushnumber(L, t - 256);
      this.p += 1;
    } else if ((t & 0xe0) === 0xa0) {
      const len = t & 0x1f;
      this.pushString(this.p + 1, len);
      this.p += 1 + len;
    } else if ((t & 0xf0) === 0x90) {
      this.p += 1;
      return this.open(true, t & 0xf);
    } else if ((t & 0xf0) === 0x80) {
      this.p += 1;
      return this.open(false, t & 0xf);
    } else throw new BadFormat();
    return null;
  }

  private open(array: boolean, left: number): Frame {
    lua.lua_createtable(this.L, 0, 0);
    return { array, left, index: 0, key: true };
  }
}

/** mp_unpack_full: `limit` 0 with `offset` 0 decodes everything and returns only the values. */
function unpackFull(L: LuaState, fname: string, limit: number, offset: number): number {
  const s = checkBytes(L, 1, fname);
  if (offset < 0 || limit < 0) {
    // The C prints the input's length where the limit belongs.
    return raise(L, `Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`);
  }
  if (offset > s.length) return raise(L, `Start offset ${offset} greater than input length ${s.length}.`);
  const all = limit === 0 && offset === 0;
  const max = all ? Infinity : limit;
  const base = lua.lua_gettop(L);
  const d = new Decoder(L, s, offset);
  let count = 0;
  for (; d.left > 0 && count < max; count++) {
    try {
      d.value();
    } catch (e) {
      if (e instanceof Truncated) return raise(L, 'Missing bytes in input.');
      if (e instanceof BadFormat) return raise(L, 'Bad data format in input.');
      throw e;
    }
  }
  if (!all) {
    d.check('in function mp_unpack_full');
    lua.lua_pushnumber(L, d.left === 0 ? -1 : d.p);
    lua.lua_insert(L, base + 1);
  }
  return lua.lua_gettop(L) - base;
}

/** Pushes the `cmsgpack` table. */
export function pushCmsgpack(L: LuaState): void {
  const fns: Array<[string, LuaFunction]> = [
    ['pack', pack],
    ['unpack', (S) => unpackFull(S, 'unpack', 0, 0)],
    [
      'unpack_one',
      (S) => {
        const offset = optInteger(S, 2, 'unpack_one', 0);
        lua.lua_settop(S, 1);
        return unpackFull(S, 'unpack_one', 1, offset);
      },
    ],
    [
      'unpack_limit',
      (S) => {
        const limit = checkInteger(S, 2, 'unpack_limit');
        const offset = optInteger(S, 3, 'unpack_limit', 0);
        lua.lua_settop(S, 1);
        return unpackFull(S, 'unpack_limit', limit, offset);
      },
    ],
  ];
  lua.lua_createtable(L, 0, fns.length + 3);
  for (const [name, fn] of fns) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, luaString(name));
  }
  for (const [k, v] of [
    ['_NAME', 'cmsgpack'],
    ['_VERSION', 'lua-cmsgpack 0.4.0'],
    ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'],
    ['_DESCRIPTION', 'MessagePack C implementation for Lua'],
  ] as const) {
    lua.lua_pushstring(L, luaString(v));
    lua.lua_setfield(L, -2, luaString(k));
  }
}
