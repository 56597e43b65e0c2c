/**
 * `cjson.encode` / `cjson.decode` / `cjson.null`, with lua-cjson 2.1's rules
 * as Redis ships it: numbers printed `%.14g`, `/` escaped as `\/`, a table
 * is an array when every key is a positive integer (holes become null,
 * "excessively sparse" ones are refused), `{}` encodes as an object, JSON
 * null decodes to the `cjson.null` sentinel. Strings stay bytes both ways
 * (JSON's \uXXXX escapes decode to UTF-8), so binary values survive.
 */
import { lauxlib, lua, luaString, type LuaState } from './fengari.js';
import { pushNumber } from './convert.js';
import { formatG14 } from './format.js';

/** The lightuserdata that stands for JSON null. */
export const JSON_NULL = { cjson: 'null' };
const MAX_DEPTH = 1000;
const SPARSE_RATIO = 2;
const SPARSE_SAFE = 10;

class JsonError extends Error {}

function escapeString(b: Uint8Array, out: string[]): void {
  let s = '"';
  for (const c of b) {
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x2f) s += '\\/';
    else if (c === 0x08) s += '\\b';
    else if (c === 0x0c) s += '\\f';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c < 0x20 || c === 0x7f) s += `\\u${c.toString(16).padStart(4, '0')}`;
    else s += String.fromCharCode(c);
  }
  out.push(s + '"');
}

function typeName(L: LuaState, idx: number): string {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TFUNCTION:
      return 'function';
    case lua.LUA_TLIGHTUSERDATA:
      return 'userdata';
    default:
      return 'thread';
  }
}

/** -1 when the table at idx is not an array, else its length (max key). */
function arrayLength(L: LuaState, idx: number): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx)) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2);
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (max > items * SPARSE_RATIO && max > SPARSE_SAFE) throw new JsonError('Cannot serialise table: excessively sparse array');
  return max;
}

function encodeValue(L: LuaState, idx: number, depth: number, out: string[]): void {
  if (idx < 0) idx = lua.lua_gettop(L) + idx + 1;
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      return escapeString(lua.lua_tolstring(L, idx) as Uint8Array, out);
    case lua.LUA_TNUMBER: {
      const n = lua.lua_tonumber(L, idx);
      if (!Number.isFinite(n)) throw new JsonError('Cannot serialise number: must not be NaN or Inf');
      out.push(formatG14(n));
      return;
    }
    case lua.LUA_TBOOLEAN:
      out.push(lua.lua_toboolean(L, idx) ? 'true' : 'false');
      return;
    case lua.LUA_TNIL:
      out.push('null');
      return;
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, idx) === JSON_NULL) {
        out.push('null');
        return;
      }
      break;
    case lua.LUA_TTABLE: {
      if (depth >= MAX_DEPTH) throw new JsonError(`Cannot serialise, excessive nesting (${depth + 1})`);
      lua.lua_checkstack(L, 4);
      const len = arrayLength(L, idx);
      if (len > 0) {
        out.push('[');
        for (let i = 1; i <= len; i++) {
          if (i > 1) out.push(',');
          lua.lua_rawgeti(L, idx, i);
          encodeValue(L, -1, depth + 1, out);
          lua.lua_pop(L, 1);
        }
        out.push(']');
        return;
      }
      out.push('{');
      let first = true;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, idx)) {
        if (!first) out.push(',');
        first = false;
        const kt = lua.lua_type(L, -2);
        if (kt === lua.LUA_TSTRING) escapeString(lua.lua_tolstring(L, -2) as Uint8Array, out);
        else if (kt === lua.LUA_TNUMBER) out.push(`"${formatG14(lua.lua_tonumber(L, -2))}"`);
        else throw new JsonError('Cannot serialise table: table key must be a number or string');
        out.push(':');
        encodeValue(L, -1, depth + 1, out);
        lua.lua_pop(L, 1);
      }
      out.push('}');
      return;
    }
  }
  throw new JsonError(`Cannot serialise ${typeName(L, idx)}: type not supported`);
}

/** Raises a Lua error with `msg` and the caller's position, as luaL_error does ("user_script:1: ..."). */
function raise(L: LuaState, msg: string): never {
  lauxlib.luaL_where(L, 1);
  const where = Buffer.from(lua.lua_tolstring(L, -1) ?? new Uint8Array(0)).toString('latin1');
  lua.lua_pop(L, 1);
  lua.lua_pushstring(L, Buffer.from(where + msg, 'latin1'));
  return lua.lua_error(L);
}

function encode(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) return raise(L, 'bad argument #1 to \'encode\' (expected 1 argument)');
  const out: string[] = [];
  try {
    encodeValue(L, 1, 0, out);
  } catch (e) {
    if (e instanceof JsonError) return raise(L, e.message);
    throw e;
  }
  lua.lua_pushstring(L, Buffer.from(out.join(''), 'latin1'));
  return 1;
}

/** A JSON text parsed straight onto the Lua stack. */
class Decoder {
  private pos = 0;
  constructor(
    private readonly L: LuaState,
    private readonly b: Uint8Array,
  ) {}

  private fail(what: string): never {
    const at = this.pos < this.b.length ? `'${String.fromCharCode(this.b[this.pos] as number)}'` : 'end of string';
    throw new JsonError(`Expected ${what} but found ${at === 'end of string' ? 'T_END' : `invalid token ${at}`} at character ${this.pos + 1}`);
  }

  private ws(): void {
    while (this.pos < this.b.length) {
      const c = this.b[this.pos] as number;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  private word(w: string): boolean {
    for (let i = 0; i < w.length; i++) if (this.b[this.pos + i] !== w.charCodeAt(i)) return false;
    this.pos += w.length;
    return true;
  }

  document(): void {
    this.value(0);
    this.ws();
    if (this.pos !== this.b.length) this.fail('the end');
  }

  private value(depth: number): void {
    const L = this.L;
    if (depth >= MAX_DEPTH) throw new JsonError(`Found too many nested data structures (${depth + 1}) at character ${this.pos + 1}`);
    this.ws();
    const c = this.b[this.pos];
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return lua.lua_pushstring(L, this.string());
    if (c === 0x74 && this.word('true')) return lua.lua_pushboolean(L, true);
    if (c === 0x66 && this.word('false')) return lua.lua_pushboolean(L, false);
    if (c === 0x6e && this.word('null')) return lua.lua_pushlightuserdata(L, JSON_NULL);
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(Buffer.from(this.b.subarray(this.pos, this.pos + 64)).toString('latin1'));
    if (m === null) this.fail('value');
    this.pos += m[0].length;
    pushNumber(L, Number(m[0]));
  }

  private object(depth: number): void {
    const L = this.L;
    lua.lua_checkstack(L, 4);
    lua.lua_createtable(L, 0, 0);
    this.pos++;
    this.ws();
    if (this.b[this.pos] === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.b[this.pos] !== 0x22) this.fail('object key string');
      lua.lua_pushstring(L, this.string());
      this.ws();
      if (this.b[this.pos] !== 0x3a) this.fail('colon');
      this.pos++;
      this.value(depth + 1);
      lua.lua_rawset(L, -3);
      this.ws();
      const c = this.b[this.pos];
      this.pos++;
      if (c === 0x7d) return;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('comma or object end');
      }
    }
  }

  private array(depth: number): void {
    const L = this.L;
    lua.lua_checkstack(L, 4);
    lua.lua_createtable(L, 0, 0);
    this.pos++;
    this.ws();
    if (this.b[this.pos] === 0x5d) {
      this.pos++;
      return;
    }
    for (let i = 1; ; i++) {
      this.value(depth + 1);
      lua.lua_rawseti(L, -2, i);
      this.ws();
      const c = this.b[this.pos];
      this.pos++;
      if (c === 0x5d) return;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('comma or array end');
      }
    }
  }

  private string(): Uint8Array {
    const b = this.b;
    const out: number[] = [];
    this.pos++;
    for (;;) {
      if (this.pos >= b.length) this.fail('string end');
      const c = b[this.pos++] as number;
      if (c === 0x22) return Uint8Array.from(out);
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      const e = b[this.pos++];
      const simple: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };
      if (e !== undefined && simple[e] !== undefined) {
        out.push(simple[e] as number);
        continue;
      }
      if (e !== 0x75) {
        this.pos--;
        this.fail('escape sequence');
      }
      let cp = this.hex4();
      if (cp >= 0xd800 && cp < 0xdc00 && b[this.pos] === 0x5c && b[this.pos + 1] === 0x75) {
        this.pos += 2;
        const lo = this.hex4();
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      }
      for (const byte of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(byte);
    }
  }

  private hex4(): number {
    const s = Buffer.from(this.b.subarray(this.pos, this.pos + 4)).toString('latin1');
    if (!/^[0-9a-fA-F]{4}$/.test(s)) this.fail('unicode escape');
    this.pos += 4;
    return parseInt(s, 16);
  }
}

function decode(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
    return raise(L, "bad argument #1 to 'decode' (string expected)");
  }
  const text = lua.lua_tolstring(L, 1) as Uint8Array;
  try {
    new Decoder(L, text).document();
  } catch (e) {
    if (e instanceof JsonError) return raise(L, e.message);
    throw e;
  }
  return 1;
}

/** Pushes the `cjson` table. */
export function pushCjson(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  lua.lua_pushjsfunction(L, encode);
  lua.lua_setfield(L, -2, luaString('encode'));
  lua.lua_pushjsfunction(L, decode);
  lua.lua_setfield(L, -2, luaString('decode'));
  lua.lua_pushlightuserdata(L, JSON_NULL);
  lua.lua_setfield(L, -2, luaString('null'));
}
