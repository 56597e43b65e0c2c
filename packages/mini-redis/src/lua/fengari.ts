/**
 * The part of fengari's C-shaped API (Lua 5.3 in pure JS) that the
 * scripting engine uses, typed. fengari ships no types and is CommonJS, so
 * it is loaded with `createRequire` and given this interface here rather
 * than by an ambient `declare module`: no fengari type leaks into the
 * package's public declarations.
 *
 * Lua strings are byte arrays (`Uint8Array`) in this API, which keeps Redis
 * values binary-safe; `lua_tolstring` hands out the VM's own bytes, which
 * must not be mutated. Integers are 32-bit in fengari (LUA_MAXINTEGER is
 * 2^31-1), floats are doubles.
 */
import { createRequire } from 'node:module';
import { formatG14 } from './format.js';

/** A lua_State (a thread). Opaque. */
export interface LuaState {
  readonly __luaState: never;
}
/** A Lua function implemented in JS: arguments on L's stack, returns how many results it pushed. */
export type LuaFunction = (L: LuaState) => number;
export type LuaHook = (L: LuaState, ar: LuaDebug) => void;

export interface LuaDebug {
  /** The hook event (LUA_HOOKLINE, LUA_HOOKCOUNT...), in a hook's record. */
  event: number;
  what: Uint8Array | null;
  source: Uint8Array | null;
  currentline: number;
  /** The function's name as its caller knew it ("n"), or null/undefined. */
  name?: Uint8Array | null;
}

export interface LuaApi {
  readonly LUA_OK: 0;
  readonly LUA_YIELD: 1;
  readonly LUA_ERRRUN: 2;
  readonly LUA_ERRSYNTAX: 3;
  readonly LUA_REGISTRYINDEX: number;
  readonly LUA_TNONE: -1;
  readonly LUA_TNIL: 0;
  readonly LUA_TBOOLEAN: 1;
  readonly LUA_TLIGHTUSERDATA: 2;
  readonly LUA_TNUMBER: 3;
  readonly LUA_TSTRING: 4;
  readonly LUA_TTABLE: 5;
  readonly LUA_TFUNCTION: 6;
  readonly LUA_MASKCOUNT: number;
  readonly LUA_MASKLINE: number;
  readonly LUA_HOOKLINE: 2;
  readonly LUA_HOOKCOUNT: 3;
  readonly lua_Debug: new () => LuaDebug;
  lua_gettop(L: LuaState): number;
  lua_checkstack(L: LuaState, n: number): boolean;
  lua_settop(L: LuaState, idx: number): void;
  lua_pop(L: LuaState, n: number): void;
  lua_pushvalue(L: LuaState, idx: number): void;
  lua_type(L: LuaState, idx: number): number;
  lua_toboolean(L: LuaState, idx: number): boolean;
  lua_tonumber(L: LuaState, idx: number): number;
  /** The value as a number (strings convert), or false when it is not one. */
  lua_tonumberx(L: LuaState, idx: number): number | false;
  lua_isnumber(L: LuaState, idx: number): boolean;
  lua_isstring(L: LuaState, idx: number): boolean;
  lua_isinteger(L: LuaState, idx: number): boolean;
  lua_tointeger(L: LuaState, idx: number): number;
  lua_tolstring(L: LuaState, idx: number): Uint8Array | null;
  lua_touserdata(L: LuaState, idx: number): unknown;
  lua_rawlen(L: LuaState, idx: number): number;
  lua_pushnil(L: LuaState): void;
  lua_pushboolean(L: LuaState, b: boolean): void;
  lua_pushinteger(L: LuaState, n: number): void;
  lua_pushnumber(L: LuaState, n: number): void;
  lua_pushstring(L: LuaState, s: Uint8Array): void;
  lua_pushlightuserdata(L: LuaState, p: unknown): void;
  lua_pushjsfunction(L: LuaState, f: LuaFunction): void;
  lua_createtable(L: LuaState, narr: number, nrec: number): void;
  lua_rawgeti(L: LuaState, idx: number, n: number): number;
  lua_rawseti(L: LuaState, idx: number, n: number): void;
  lua_rawget(L: LuaState, idx: number): number;
  lua_gettable(L: LuaState, idx: number): number;
  lua_settable(L: LuaState, idx: number): void;
  lua_insert(L: LuaState, idx: number): void;
  lua_rawset(L: LuaState, idx: number): void;
  lua_getfield(L: LuaState, idx: number, k: Uint8Array): number;
  lua_setfield(L: LuaState, idx: number, k: Uint8Array): void;
  lua_getglobal(L: LuaState, name: Uint8Array): number;
  lua_setglobal(L: LuaState, name: Uint8Array): void;
  lua_setmetatable(L: LuaState, idx: number): void;
  lua_setupvalue(L: LuaState, funcindex: number, n: number): Uint8Array | null;
  lua_next(L: LuaState, idx: number): boolean;
  lua_error(L: LuaState): never;
  lua_concat(L: LuaState, n: number): void;
  lua_newthread(L: LuaState): LuaState;
  lua_xmove(from: LuaState, to: LuaState, n: number): void;
  lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
  lua_yield(L: LuaState, nresults: number): number;
  lua_isyieldable(L: LuaState): boolean;
  lua_sethook(L: LuaState, f: LuaHook | null, mask: number, count: number): void;
  lua_getstack(L: LuaState, level: number, ar: LuaDebug): boolean;
  lua_getinfo(L: LuaState, what: Uint8Array, ar: LuaDebug): boolean;
  /** Pushes local `n` of the frame `ar` and returns its name, or returns null (nothing pushed). */
  lua_getlocal(L: LuaState, ar: LuaDebug, n: number): Uint8Array | null;
  lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
}

export interface LauxApi {
  luaL_newstate(): LuaState;
  luaL_loadbuffer(L: LuaState, buf: Uint8Array, size: number | null, name: Uint8Array): number;
  luaL_ref(L: LuaState, t: number): number;
  luaL_unref(L: LuaState, t: number, ref: number): void;
  luaL_requiref(L: LuaState, name: Uint8Array, open: LuaFunction, glb: number): void;
  luaL_checkstack(L: LuaState, n: number, msg: Uint8Array | null): void;
  luaL_where(L: LuaState, level: number): void;
}

export interface LuaLibs {
  luaopen_base: LuaFunction;
  luaopen_table: LuaFunction;
  luaopen_string: LuaFunction;
  luaopen_math: LuaFunction;
  luaopen_coroutine: LuaFunction;
  luaopen_debug: LuaFunction;
}

interface Fengari {
  lua: LuaApi;
  lauxlib: LauxApi;
  lualib: LuaLibs;
  to_luastring(s: string): Uint8Array;
}

const require = createRequire(import.meta.url);
/*
 * Numbers print as Lua 5.1 prints them (%.14g, no ".0" on integral floats:
 * tostring(10/2) is "5", 2^53 is "9.007199254741e+15"), as Redis scripts
 * expect. fengari reads these two from its luaconf module when its other
 * modules load, so they are set on that module before fengari itself is
 * required (the package pins fengari 0.1.5; differential-scripting.spec.ts
 * checks the result against redis-server).
 */
// defs.js first: it loads luaconf.js in fengari's own order (they import each other).
require('fengari/src/defs.js');
const conf = require('fengari/src/luaconf.js') as { lua_number2str: (n: number) => string; LUA_COMPAT_FLOATSTRING: boolean };
conf.lua_number2str = formatG14;
conf.LUA_COMPAT_FLOATSTRING = true;
const fengari = require('fengari') as Fengari;
/*
 * Every numeral, in a script's text or in a string Lua converts ("5" * 2,
 * tonumber), reads as a float, as in Lua 5.1 where every number is a
 * double. fengari's integers are 32-bit: with integer numerals,
 * `ARGV[1] * 1000` on "5000000" would wrap to a negative number; as floats
 * it is exact up to 2^53, as in Redis. lvm.js and lapi.js call
 * `lobject.luaO_str2num` through the module object, so this wrapper is the
 * one they use.
 */
interface NumberSlot {
  value: number;
  ttisinteger(): boolean;
  setfltvalue(x: number): void;
}
const lobject = require('fengari/src/lobject.js') as { luaO_str2num: (s: Uint8Array, o: NumberSlot) => number };
const str2num = lobject.luaO_str2num;
lobject.luaO_str2num = (s, o) => {
  const n = str2num(s, o);
  if (n !== 0 && o.ttisinteger()) o.setfltvalue(o.value);
  return n;
};

export const lua: LuaApi = fengari.lua;
export const lauxlib: LauxApi = fengari.lauxlib;
export const lualib: LuaLibs = fengari.lualib;
/** A JS string as Lua bytes (UTF-8). */
export const luaString: (s: string) => Uint8Array = fengari.to_luastring;
