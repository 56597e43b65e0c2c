/**
 * The `bit` library Redis loads (LuaBitOp 1.0.2): tobit, tohex, bnot, band,
 * bor, bxor, lshift, rshift, arshift, rol, ror, bswap, on 32-bit integers,
 * results as signed 32-bit numbers.
 *
 * A number becomes 32 bits as LuaBitOp does it: add 2^52 + 2^51 and take
 * the low word of the double, which rounds halves to even and wraps modulo
 * 2^32 (tobit(1.5) is 2, tobit(2.5) is 2, tobit(2^32 + 5) is 5). A value
 * that is not a number, nor a string that converts to one, is refused with
 * lauxlib's words.
 */
import { lua, luaString, type LuaFunction, type LuaState } from './fengari.js';
import { typeError } from './libargs.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the low 32-bit word of a double in u32 (the platform's byte order). */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** LuaBitOp's barg: argument `i` as 32 bits (unsigned in a JS number's int32 form). */
function barg(L: LuaState, i: number, fname: string): number {
  const n = lua.lua_tonumber(L, i);
  f64[0] = n + 6755399441055744.0;
  const b = u32[LO] as number;
  if (b === 0 && !lua.lua_isnumber(L, i)) typeError(L, i, fname, 'number');
  return b | 0;
}

function result(L: LuaState, b: number): number {
  lua.lua_pushnumber(L, b | 0);
  return 1;
}

/** band / bor / bxor: the first argument, then the others from the last one down, as the C folds them. */
function fold(fname: string, op: (a: number, b: number) => number): LuaFunction {
  return (L) => {
    let b = barg(L, 1, fname);
    for (let i = lua.lua_gettop(L); i > 1; i--) b = op(b, barg(L, i, fname));
    return result(L, b);
  };
}

function shift(fname: string, op: (b: number, n: number) => number): LuaFunction {
  return (L) => {
    const b = barg(L, 1, fname);
    return result(L, op(b, barg(L, 2, fname) & 31));
  };
}

function tohex(L: LuaState): number {
  let b = barg(L, 1, 'tohex') >>> 0;
  let n = lua.lua_type(L, 2) === lua.LUA_TNONE ? 8 : barg(L, 2, 'tohex');
  let digits = '0123456789abcdef';
  if (n < 0) {
    // -INT_MIN overflows in the C; redis-server's build then prints 8 digits, as this does.
    n = -n;
    digits = digits.toUpperCase();
  }
  if (n > 8) n = 8;
  const out: string[] = [];
  for (let i = n; --i >= 0; ) {
    out[i] = digits[b & 15] as string;
    b >>>= 4;
  }
  lua.lua_pushstring(L, luaString(out.join('')));
  return 1;
}

/** Pushes the `bit` table. */
export function pushBit(L: LuaState): void {
  const fns: Array<[string, LuaFunction]> = [
    ['tobit', (L) => result(L, barg(L, 1, 'tobit'))],
    ['bnot', (L) => result(L, ~barg(L, 1, 'bnot'))],
    ['band', fold('band', (a, b) => a & b)],
    ['bor', fold('bor', (a, b) => a | b)],
    ['bxor', fold('bxor', (a, b) => a ^ b)],
    ['lshift', shift('lshift', (b, n) => b << n)],
    ['rshift', shift('rshift', (b, n) => b >>> n)],
    ['arshift', shift('arshift', (b, n) => b >> n)],
    // n = 0: the C's b >> 32 is b on x86 (the count is masked), as JS's b >>> 32 is.
    ['rol', shift('rol', (b, n) => (b << n) | (b >>> (32 - n)))],
    ['ror', shift('ror', (b, n) => (b >>> n) | (b << (32 - n)))],
    ['bswap', (L) => {
      const b = barg(L, 1, 'bswap');
      return result(L, (b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24));
    }],
    ['tohex', tohex],
  ];
  lua.lua_createtable(L, 0, fns.length);
  for (const [name, f] of fns) {
    lua.lua_pushjsfunction(L, f);
    lua.lua_setfield(L, -2, luaString(name));
  }
}
