/**
 * One Lua VM (a fengari state) set up the way Redis 7.0 sets up its
 * scripting VMs: the base, table, string, math and coroutine libraries (no
 * io, os, package; debug only during setup), `unpack` (Lua 5.1's name for
 * table.unpack, which Redis scripts use), `bit`, `cjson`, `struct`,
 * `cmsgpack`, a `redis` table
 * the engine fills, and read-only globals: a script that assigns a global
 * or reads a missing one gets Redis's errors.
 *
 * How the globals are protected (Redis patches its Lua for read-only tables;
 * stock Lua 5.3 needs proxies):
 *
 *   chunk's _ENV ──▶ proxy P (empty)  ── __index ──▶ G (the real globals)
 *                    __newindex: "Attempt to modify        │ __index: "Script attempted to access
 *                    a readonly table"                     ▼  nonexistent global variable 'x'"
 *
 * Library tables (string, redis, cjson...) are proxied the same way. A
 * `rawset` on a proxy still writes to it (Redis refuses that too); that is
 * the one gap.
 *
 * Scripts run as coroutines (`start` / `resume`): the engine's count hook may
 * yield the coroutine so the reactor can serve other clients while a busy
 * script is paused (scripting.ts has the design), and a thread's stack stays
 * readable after an error, which gives the error's source and line.
 */
import { pushBit } from './bit.js';
import { pushCjson } from './cjson.js';
import { pushCmsgpack } from './cmsgpack.js';
import { pushStruct } from './struct.js';
import { lauxlib, lua, lualib, luaString, type LuaDebug, type LuaFunction, type LuaHook, type LuaState } from './fengari.js';

/** Registry slot of the global table (Lua 5.3's LUA_RIDX_GLOBALS). */
const RIDX_GLOBALS = 2;

const SETUP = `
local G, P = ...
local error, rawget, setmetatable, tostring, type = error, rawget, setmetatable, tostring, type
unpack = table.unpack
-- Lua 5.1's error() adds the position to a number message too ("user_script:1: 123").
local rawerror = error
G.error = function(m, level)
  if type(m) == 'number' then m = tostring(m) end
  level = level or 1
  if level > 0 then level = level + 1 end
  rawerror(m, level)
end
dofile, loadfile, require, print = nil, nil, nil, nil
-- Lua 5.1's names that 5.3 dropped, which Redis scripts may use.
loadstring = load
gcinfo = function() return collectgarbage('count') end
table.getn = function(t) return #t end
table.maxn = function(t) local n = 0 for k in pairs(t) do if type(k) == 'number' and k > n then n = k end end return n end
string.gfind = string.gmatch
math.pow = function(a, b) return a ^ b end
math.mod = math.fmod
math.log10 = function(x) return math.log(x, 10) end
math.ldexp = function(m, e) return m * 2.0 ^ e end
math.frexp = function(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
  local e = math.floor(math.log(math.abs(x), 2)) + 1
  local m = x / 2.0 ^ e
  if math.abs(m) >= 1 then m, e = m / 2, e + 1 elseif math.abs(m) < 0.5 then m, e = m * 2, e - 1 end
  return m, e
end
math.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2 end
math.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2 end
math.tanh = function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
-- Redis 7.0's pcall hands back an error table's text ({err = 'ERR x'} -> 'ERR x'), so a caught redis.call error is a string.
local rawpcall, pack, unpack_ = pcall, table.pack, table.unpack
G.pcall = function(f, ...)
  local r = pack(rawpcall(f, ...))
  if not r[1] and type(r[2]) == 'table' then
    local m = rawget(r[2], 'err')
    if type(m) == 'string' then r[2] = m end
  end
  return unpack_(r, 1, r.n)
end
local function readonly(t)
  return setmetatable({}, { __index = t, __newindex = function() error('Attempt to modify a readonly table', 2) end, __metatable = false })
end
for _, name in ipairs({ 'string', 'table', 'math', 'coroutine', 'bit', 'cjson', 'struct', 'cmsgpack' }) do G[name] = readonly(G[name]) end
G._G = P
setmetatable(P, { __index = G, __newindex = function() error('Attempt to modify a readonly table', 2) end, __metatable = false })
setmetatable(G, { __index = function(_, n) error("Script attempted to access nonexistent global variable '" .. tostring(n) .. "'", 2) end, __metatable = false })
`;

/** How a run ended (or paused). */
export type RunStatus =
  | { kind: 'done'; thread: LuaState }
  | { kind: 'yield' }
  | { kind: 'error'; thread: LuaState; source: string | null; line: number };

export class LuaVM {
  readonly L: LuaState;
  /** Registry refs of the proxy every chunk gets as _ENV, and of the real globals. */
  private readonly envRef: number;
  private readonly globalsRef: number;
  /** A finished coroutine kept for the next run (newThread). */
  private spare: { thread: LuaState; threadRef: number } | null = null;

  constructor(redisLib: ReadonlyArray<[string, LuaFunction | number | string]>) {
    const L = lauxlib.luaL_newstate();
    this.L = L;
    const libs: Array<[string, LuaFunction]> = [
      ['_G', lualib.luaopen_base],
      ['table', lualib.luaopen_table],
      ['string', lualib.luaopen_string],
      ['math', lualib.luaopen_math],
      ['coroutine', lualib.luaopen_coroutine],
    ];
    for (const [name, open] of libs) {
      lauxlib.luaL_requiref(L, luaString(name), open, 1);
      lua.lua_pop(L, 1);
    }
    pushCjson(L);
    lua.lua_setglobal(L, luaString('cjson'));
    pushBit(L);
    lua.lua_setglobal(L, luaString('bit'));
    pushStruct(L);
    lua.lua_setglobal(L, luaString('struct'));
    pushCmsgpack(L);
    lua.lua_setglobal(L, luaString('cmsgpack'));
    lua.lua_createtable(L, 0, redisLib.length);
    for (const [name, v] of redisLib) {
      if (typeof v === 'function') lua.lua_pushjsfunction(L, v);
      else if (typeof v === 'number') lua.lua_pushinteger(L, v);
      else lua.lua_pushstring(L, luaString(v));
      lua.lua_setfield(L, -2, luaString(name));
    }
    lua.lua_setglobal(L, luaString('redis'));
    // The proxy, then the setup chunk run with (G, P).
    lua.lua_createtable(L, 0, 0);
    this.envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    if (lauxlib.luaL_loadbuffer(L, luaString(SETUP), null, luaString('=setup')) !== lua.LUA_OK) throw new Error(this.popText());
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, RIDX_GLOBALS);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.envRef);
    if (lua.lua_pcall(L, 2, 0, 0) !== lua.LUA_OK) throw new Error(this.popText());
    // `redis` is read-only as well, but the engine swaps it (function load time): keep G's own reference.
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, RIDX_GLOBALS);
    this.globalsRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  }

  private popText(): string {
    const s = lua.lua_tolstring(this.L, -1);
    lua.lua_pop(this.L, 1);
    return s === null ? 'unknown error' : Buffer.from(s).toString();
  }

  /** Sets G[name] to the value on top of the stack (popped), bypassing the read-only guard. */
  setGlobal(name: Uint8Array): void {
    const L = this.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globalsRef); // v G
    lua.lua_pushstring(L, name); // v G k
    lua.lua_pushvalue(L, -3); // v G k v
    lua.lua_rawset(L, -3); // v G
    lua.lua_pop(L, 2);
  }

  /**
   * Compiles `body` with `chunkname` (Redis's `@user_script`), its _ENV the
   * protected proxy. Returns a registry ref to the function, or the
   * compiler's message.
   */
  load(body: Buffer, chunkname: string): { ref: number } | { error: string } {
    const L = this.L;
    const code = Uint8Array.from(body);
    // A `#!lua ...` first line is Redis's, not Lua's: blank it, keeping the line count.
    if (code[0] === 0x23 && code[1] === 0x21) {
      const end = code.indexOf(0x0a);
      code.fill(0x20, 0, end === -1 ? code.length : end);
    }
    if (lauxlib.luaL_loadbuffer(L, code, code.length, luaString(chunkname)) !== lua.LUA_OK) {
      return { error: this.popText() };
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.envRef);
    lua.lua_setupvalue(L, -2, 1);
    return { ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
  }

  unref(ref: number): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
  }

  /**
   * A coroutine (anchored in the registry until `release`) with the function
   * `fnRef` on its stack. A coroutine that returned normally is reusable in
   * Lua 5.3, so one is kept for the next run: making a thread and its registry
   * ref was a tenth of a short EVAL.
   */
  newThread(fnRef: number, hook: LuaHook, hookEvery: number): { thread: LuaState; threadRef: number } {
    let spare = this.spare;
    this.spare = null;
    if (spare === null) {
      const t = lua.lua_newthread(this.L);
      spare = { thread: t, threadRef: lauxlib.luaL_ref(this.L, lua.LUA_REGISTRYINDEX) };
    }
    const { thread, threadRef } = spare;
    lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, fnRef);
    lua.lua_sethook(thread, hook, lua.LUA_MASKCOUNT, hookEvery);
    return { thread, threadRef };
  }

  /** Runs (or goes on running) a coroutine until it returns, yields from the hook, or fails. */
  resume(thread: LuaState, nargs: number): RunStatus {
    const status = lua.lua_resume(thread, null, nargs);
    if (status === lua.LUA_OK) return { kind: 'done', thread };
    if (status === lua.LUA_YIELD) return { kind: 'yield' };
    const { source, line } = errorLocation(thread);
    return { kind: 'error', thread, source, line };
  }

  /** Done with a coroutine: `finished` (it returned) keeps it for the next run, a failed one is dropped. */
  release(thread: LuaState, threadRef: number, finished: boolean): void {
    if (finished && this.spare === null) {
      lua.lua_settop(thread, 0);
      this.spare = { thread, threadRef };
      return;
    }
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, threadRef);
  }
}

/**
 * Where an error was raised, as Redis's `__redis__err__handler` reports it:
 * the function that raised, or its caller when that is a C (here JS)
 * function such as `error` or `redis.call`. Setup code (`=setup`) is skipped.
 */
function errorLocation(thread: LuaState): { source: string | null; line: number } {
  const ar: LuaDebug = new lua.lua_Debug();
  const what = luaString('Sl');
  for (let level = 0; level < 3 && lua.lua_getstack(thread, level, ar); level++) {
    lua.lua_getinfo(thread, what, ar);
    const src = ar.source === null ? '' : Buffer.from(ar.source).toString();
    const isC = ar.what !== null && Buffer.from(ar.what).toString() === 'C';
    if (isC || src.startsWith('=')) continue;
    return { source: src, line: ar.currentline };
  }
  return { source: null, line: 0 };
}
