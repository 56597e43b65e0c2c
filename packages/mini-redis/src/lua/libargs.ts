/**
 * Argument checks for the JS-implemented Lua libraries (struct, cmsgpack,
 * bit), with the words of Lua 5.1's lauxlib, which Redis's C libraries get:
 * "user_script:1: bad argument #2 to 'pack' (number expected, got string)".
 *
 * The function's name is given by the library rather than read from the
 * call site (Lua 5.1 reads it from the calling instruction, so `local f =
 * struct.pack; f()` would say 'f'); scripts call these as fields, where the
 * two agree.
 */
import { lauxlib, lua, type LuaState } from './fengari.js';

const TYPE_NAMES: Record<number, string> = {
  [-1]: 'no value',
  0: 'nil',
  1: 'boolean',
  2: 'userdata',
  3: 'number',
  4: 'string',
  5: 'table',
  6: 'function',
  7: 'userdata',
  8: 'thread',
};

/** Lua 5.1's luaL_typename. */
export function typeName(L: LuaState, idx: number): string {
  return TYPE_NAMES[lua.lua_type(L, idx)] ?? 'no value';
}

/** luaL_error: raises `msg` prefixed with the calling script's position ("user_script:1: "). */
export function raise(L: LuaState, msg: string): never {
  lauxlib.luaL_where(L, 1);
  const where = Buffer.from(lua.lua_tolstring(L, -1) ?? new Uint8Array(0)).toString('latin1');
  lua.lua_pop(L, 1);
  lua.lua_pushstring(L, Buffer.from(where + msg, 'latin1'));
  return lua.lua_error(L);
}

/** luaL_argerror. */
export function argError(L: LuaState, arg: number, fname: string, extra: string): never {
  return raise(L, `bad argument #${arg} to '${fname}' (${extra})`);
}

/** luaL_typerror. */
export function typeError(L: LuaState, arg: number, fname: string, expected: string): never {
  return argError(L, arg, fname, `${expected} expected, got ${typeName(L, arg)}`);
}

/** luaL_checknumber: a number, or a string that converts to one. */
export function checkNumber(L: LuaState, arg: number, fname: string): number {
  const n = lua.lua_tonumberx(L, arg);
  if (n === false) return typeError(L, arg, fname, 'number');
  return n;
}

/** luaL_checkinteger (Lua 5.1: the number truncated toward zero). */
export function checkInteger(L: LuaState, arg: number, fname: string): number {
  return Math.trunc(checkNumber(L, arg, fname));
}

/** luaL_optinteger. */
export function optInteger(L: LuaState, arg: number, fname: string, def: number): number {
  return lua.lua_type(L, arg) <= lua.LUA_TNIL ? def : checkInteger(L, arg, fname);
}

/** luaL_checklstring: the bytes of a string, or of a number (converted in place, as in C). */
export function checkBytes(L: LuaState, arg: number, fname: string): Uint8Array {
  const s = lua.lua_tolstring(L, arg);
  if (s === null) return typeError(L, arg, fname, 'string');
  return s;
}
