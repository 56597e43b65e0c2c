/**
 * The reply conversions in both directions, as Redis 7.0's script_lua.c
 * documents them.
 *
 * Redis → Lua (what `redis.call` returns), by the script's `redis.setresp`:
 *
 *   reply              RESP2 (default)           RESP3 (setresp(3))
 *   integer            number                    number
 *   bulk string        string                    string
 *   null bulk/array    false                     nil
 *   status             {ok = text}               {ok = text}
 *   error              {err = text}              {err = text}
 *   array              table (1..n)              table (1..n)
 *   map                flat table k1,v1,k2,...   {map = {k = v}}
 *   set                table (1..n)              {set = {m = true}}
 *   double             string (%.17g)            {double = n}
 *   boolean            1 / 0 (RESP2 integer)     true / false
 *   big number         string                    {big_number = text}
 *   verbatim string    string                    {verbatim_string = {format, string}}
 *
 * Lua → Redis (what the script returns), by the calling client's protocol:
 *
 *   number → integer, truncated toward zero (3.99 → 3)
 *   string → bulk; table with `err` → error; with `ok` → status;
 *   `double`/`map`/`set`/`big_number`/`verbatim_string` → those RESP3 types;
 *   other table → array of t[1], t[2]... up to the first nil;
 *   true → 1 and false, nil → null, in RESP3 as in RESP2 (Redis 7.0 does not send #t / #f);
 *   anything else (a function, cjson.null) → null.
 *
 * Numbers: every Redis integer reaches Lua as a float (exact up to 2^53,
 * as Lua 5.1's doubles are); fengari's integers are 32-bit.
 */
import { formatG17, ReplyError, RespDouble, SimpleString, VerbatimString, NULL_ARRAY } from '@reactor-ts/resp';
import { lua, luaString, type LuaState } from './fengari.js';

const K_OK = luaString('ok');
const K_ERR = luaString('err');
const K_DOUBLE = luaString('double');
const K_MAP = luaString('map');
const K_SET = luaString('set');
const K_BIG = luaString('big_number');
const K_VERBATIM = luaString('verbatim_string');
const K_FORMAT = luaString('format');
const K_STRING = luaString('string');
/** Nesting Redis accepts in either direction before it gives up (its LUA_CMD_OBJCACHE depth is not the limit; the C stack is). */
const MAX_DEPTH = 1000;

/**
 * Pushes a number as a float, as Lua 5.1 holds every number: arithmetic on
 * it cannot wrap at fengari's 32-bit integers, and it prints without ".0"
 * (fengari.ts).
 */
export function pushNumber(L: LuaState, n: number): void {
  lua.lua_pushnumber(L, n);
}

function pushBytes(L: LuaState, s: Uint8Array | string): void {
  lua.lua_pushstring(L, typeof s === 'string' ? Buffer.from(s, 'latin1') : Uint8Array.from(s));
}

/** A one-field table {key = text}. */
function pushTagged(L: LuaState, key: Uint8Array, text: Uint8Array | string): void {
  lua.lua_createtable(L, 0, 1);
  pushBytes(L, text);
  lua.lua_setfield(L, -2, key);
}

/**
 * Redis's luaPushErrorBuff: "-CODE msg" keeps CODE, a text without a
 * leading '-' gets the generic ERR code; trailing CR/LF go.
 */
export function errorText(text: string): string {
  let code = 'ERR';
  let msg = text;
  if (text.startsWith('-')) {
    const space = text.indexOf(' ');
    if (space === -1) msg = text.slice(1);
    else {
      code = text.slice(1, space);
      msg = text.slice(space + 1);
    }
  }
  return `${code} ${msg.replace(/[\r\n]+$/, '')}`;
}

/** Pushes Redis's error table {err = "CODE msg"}. */
export function pushError(L: LuaState, text: string): void {
  pushTagged(L, K_ERR, errorText(text));
}

/** Pushes a command's reply value (reply.ts's vocabulary) as the script sees it under `resp`. */
export function pushReply(L: LuaState, v: unknown, resp: 2 | 3, depth = 0): void {
  lua.lua_checkstack(L, 4);
  if (depth > MAX_DEPTH) throw new RangeError('reply nested too deeply for Lua');
  switch (typeof v) {
    case 'number':
      if (Number.isInteger(v)) return pushNumber(L, v);
      return pushDouble(L, v, resp);
    case 'bigint':
      // An int64 past 2^53 or a RESP3 big number: Lua 5.1 sees a double too.
      if (resp === 3 && (v > 2n ** 63n - 1n || v < -(2n ** 63n))) return pushTagged(L, K_BIG, v.toString());
      if (resp === 2 && (v > 2n ** 63n - 1n || v < -(2n ** 63n))) return pushBytes(L, v.toString());
      return lua.lua_pushnumber(L, Number(v));
    case 'string':
      return pushBytes(L, v);
    case 'boolean':
      if (resp === 3) return lua.lua_pushboolean(L, v);
      return lua.lua_pushnumber(L, v ? 1 : 0);
    case 'undefined':
      return resp === 3 ? lua.lua_pushnil(L) : lua.lua_pushboolean(L, false);
    case 'symbol':
      if (v === NULL_ARRAY) return resp === 3 ? lua.lua_pushnil(L) : lua.lua_pushboolean(L, false);
      break;
    case 'object': {
      if (v === null) return resp === 3 ? lua.lua_pushnil(L) : lua.lua_pushboolean(L, false);
      if (v instanceof Uint8Array) return pushBytes(L, v);
      if (v instanceof SimpleString) return pushTagged(L, K_OK, v.value);
      if (v instanceof ReplyError) return pushError(L, `-${v.message}`);
      if (v instanceof RespDouble) return pushDouble(L, v.value, resp);
      if (v instanceof VerbatimString) {
        if (resp === 2) return pushBytes(L, v.value);
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, 2);
        pushBytes(L, v.format);
        lua.lua_setfield(L, -2, K_FORMAT);
        pushBytes(L, v.value);
        lua.lua_setfield(L, -2, K_STRING);
        lua.lua_setfield(L, -2, K_VERBATIM);
        return;
      }
      if (Array.isArray(v)) return pushArray(L, v, resp, depth);
      if (v instanceof Map) {
        if (resp === 2) {
          const flat: unknown[] = [];
          for (const [key, val] of v) flat.push(key, val);
          return pushArray(L, flat, resp, depth);
        }
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, v.size);
        for (const [key, val] of v) {
          pushReply(L, key, resp, depth + 1);
          pushReply(L, val, resp, depth + 1);
          lua.lua_rawset(L, -3);
        }
        lua.lua_setfield(L, -2, K_MAP);
        return;
      }
      if (v instanceof Set) {
        if (resp === 2) return pushArray(L, [...v], resp, depth);
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, v.size);
        for (const m of v) {
          pushReply(L, m, resp, depth + 1);
          lua.lua_pushboolean(L, true);
          lua.lua_rawset(L, -3);
        }
        lua.lua_setfield(L, -2, K_SET);
        return;
      }
      break;
    }
  }
  throw new TypeError(`no Lua form for a reply of type ${typeof v}`);
}

function pushDouble(L: LuaState, d: number, resp: 2 | 3): void {
  if (resp === 2) return pushBytes(L, formatG17(d));
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushnumber(L, d);
  lua.lua_setfield(L, -2, K_DOUBLE);
}

function pushArray(L: LuaState, items: readonly unknown[], resp: 2 | 3, depth: number): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushReply(L, items[i], resp, depth + 1);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

/** The bytes of the string at `idx`, copied out of the VM. */
export function bytesAt(L: LuaState, idx: number): Buffer {
  return Buffer.from(lua.lua_tolstring(L, idx) as Uint8Array);
}

/** Field `key` of the table at `idx` if it is a string, else null (the stack is left as it was). */
function stringField(L: LuaState, idx: number, key: Uint8Array): Buffer | null {
  lua.lua_getfield(L, idx, key);
  const out = lua.lua_type(L, -1) === lua.LUA_TSTRING ? bytesAt(L, -1) : null;
  lua.lua_pop(L, 1);
  return out;
}

/** Lua number → Redis integer: C's (long long) cast, truncating toward zero. */
function integerOf(L: LuaState, idx: number): number | bigint {
  if (lua.lua_isinteger(L, idx)) return lua.lua_tointeger(L, idx);
  const t = Math.trunc(lua.lua_tonumber(L, idx));
  if (Number.isSafeInteger(t)) return t;
  if (!Number.isFinite(t)) return -(2n ** 63n);
  const b = BigInt(t);
  return b > 2n ** 63n - 1n || b < -(2n ** 63n) ? -(2n ** 63n) : b;
}

/** The value at `idx` (a script's result) as a reply for a client speaking `protocol`. */
export function replyOf(L: LuaState, idx: number, protocol: 2 | 3, depth = 0): unknown {
  if (idx < 0) idx = lua.lua_gettop(L) + idx + 1;
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      return bytesAt(L, idx);
    case lua.LUA_TNUMBER:
      return integerOf(L, idx);
    case lua.LUA_TBOOLEAN:
      // Redis 7.0 answers 1 / null in RESP3 too (script_lua.c's luaReplyToRedisReply).
      return lua.lua_toboolean(L, idx) ? 1 : null;
    case lua.LUA_TTABLE:
      // Each level holds a few stack slots; without lua_checkstack fengari's stack overflows past ~20 levels.
      if (depth > MAX_DEPTH || !lua.lua_checkstack(L, 4)) return new ReplyError('ERR reached lua stack limit');
      return tableReply(L, idx, protocol, depth);
    default:
      return null;
  }
}

function tableReply(L: LuaState, idx: number, protocol: 2 | 3, depth: number): unknown {
  const e = stringField(L, idx, K_ERR);
  if (e !== null) return new ReplyError(e.toString('latin1'));
  const ok = stringField(L, idx, K_OK);
  if (ok !== null) return new SimpleString(ok.toString('latin1'));
  if (lua.lua_getfield(L, idx, K_DOUBLE) !== lua.LUA_TNIL) {
    const d = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    return new RespDouble(d);
  }
  lua.lua_pop(L, 1);
  const big = stringField(L, idx, K_BIG);
  if (big !== null) {
    const text = big.toString('latin1');
    return protocol === 3 && /^-?\d+$/.test(text) ? BigInt(text) : big;
  }
  if (lua.lua_getfield(L, idx, K_MAP) === lua.LUA_TTABLE) {
    const m = new Map<unknown, unknown>();
    const t = lua.lua_gettop(L);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t)) {
      m.set(replyOf(L, -2, protocol, depth + 1), replyOf(L, -1, protocol, depth + 1));
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return m;
  }
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, idx, K_SET) === lua.LUA_TTABLE) {
    const s = new Set<unknown>();
    const t = lua.lua_gettop(L);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t)) {
      s.add(replyOf(L, -2, protocol, depth + 1));
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return s;
  }
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, idx, K_VERBATIM) === lua.LUA_TTABLE) {
    const fmt = stringField(L, -1, K_FORMAT);
    const str = stringField(L, -1, K_STRING);
    lua.lua_pop(L, 1);
    if (fmt !== null && str !== null) return new VerbatimString(fmt.toString('latin1'), str);
    return null;
  }
  lua.lua_pop(L, 1);
  const out: unknown[] = [];
  for (let i = 1; ; i++) {
    if (lua.lua_rawgeti(L, idx, i) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    out.push(replyOf(L, -1, protocol, depth + 1));
    lua.lua_pop(L, 1);
  }
  return out;
}
