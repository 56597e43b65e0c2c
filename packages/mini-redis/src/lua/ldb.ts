/**
 * The state and the words of a Lua debugging session (Redis's LDB, after
 * SCRIPT DEBUG YES|SYNC): the script's source lines, breakpoints, the step
 * flag, the log lines waiting to be sent, and how values, source lines and
 * Redis replies are printed. The engine (../scripting.ts) stops the script
 * at a line by yielding its coroutine from the line hook, and feeds the
 * debugger commands the client sends while it is stopped to `command`.
 *
 * Wire format, as Redis's ldbSendLogs: the pending log lines go as one
 * array of status replies (`*2\r\n+* Stopped at 1, stop reason = step
 * over\r\n+-> 1   return 1\r\n`), CR and LF inside a line turned to spaces.
 */
import { ReplyError, SimpleString } from '@reactor-ts/resp';
import { lua, luaString, type LuaDebug, type LuaState } from './fengari.js';

const MAX_BREAKPOINTS = 64;
const MAX_VALUE_DEPTH = 16;
const DEFAULT_MAXLEN = 256;

const HELP = [
  'Redis Lua debugger help:',
  '[h]elp               Show this help.',
  '[s]tep               Run current line and stop again.',
  '[n]ext               Alias for step.',
  '[c]ontinue           Run till next breakpoint.',
  '[l]ist               List source code around current line.',
  '[l]ist [line]        List source code around [line].',
  '                     line = 0 means: current position.',
  '[l]ist [line] [ctx]  In this form [ctx] specifies how many lines',
  '                     to show before/after [line].',
  "[w]hole              List all source code. Alias for 'list 1 1000000'.",
  '[p]rint              Show all the local variables.',
  '[p]rint <var>        Show the value of the specified variable.',
  '                     Can also show global vars KEYS and ARGV.',
  '[b]reak              Show all breakpoints.',
  '[b]reak <line>       Add a breakpoint to the specified line.',
  '[b]reak -<line>      Remove breakpoint from the specified line.',
  '[b]reak 0            Remove all breakpoints.',
  '[t]race              Show a backtrace.',
  '[e]val <code>        Execute some Lua code (in a different callframe).',
  '[r]edis <cmd>        Execute a Redis command.',
  '[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.',
  '                     Specifying zero as <len> means unlimited.',
  '[a]bort              Stop the execution of the script. In sync',
  '                     mode dataset changes will be retained.',
  '',
  'Debugger functions you can call from Lua scripts:',
  'redis.debug()        Produce logs in the debugger console.',
  'redis.breakpoint()   Stop execution like if there was a breakpoint in the',
  '                     next line of code.',
];

/** What the engine must do after a debugger command. */
export type LdbAction = 'stay' | 'resume' | 'abort' | { eval: string } | { redis: Buffer[] };

/** C's atoi: leading blanks, an optional sign, digits; 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Math.max(-2147483648, Math.min(2147483647, Number(m[1])));
}

/** sdscatrepr: a quoted string with C escapes, other unprintable bytes as \xHH. */
export function repr(b: Uint8Array): string {
  let s = '"';
  for (const c of b) {
    if (c === 0x5c) s += '\\\\';
    else if (c === 0x22) s += '\\"';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x07) s += '\\a';
    else if (c === 0x08) s += '\\b';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s + '"';
}

/** C's %g (6 significant digits). */
export function formatG6(n: number): string {
  if (Number.isNaN(n)) return n < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(n)) return n < 0 ? '-inf' : 'inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mant = '', expText = '0'] = n.toExponential(5).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = n.toFixed(Math.max(0, 5 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** ldbCatStackValue: a Lua value as the debugger prints it ({1; "x"} for an array, {["k"]=v} otherwise). */
export function luaValueText(L: LuaState, idx: number, level = 0): string {
  if (idx < 0) idx = lua.lua_gettop(L) + idx + 1;
  if (level > MAX_VALUE_DEPTH) return '<max recursion level reached! Nested table?>';
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      return repr(lua.lua_tolstring(L, idx) as Uint8Array);
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, idx) ? 'true' : 'false';
    case lua.LUA_TNUMBER:
      return formatG6(lua.lua_tonumber(L, idx));
    case lua.LUA_TNIL:
      return 'nil';
    case lua.LUA_TTABLE: {
      if (!lua.lua_checkstack(L, 3)) return '<max recursion level reached! Nested table?>';
      // Lua 5.1 visits the array part (1, 2, ... n) first, in order; fengari's
      // lua_next has its own order, so those keys are walked here first.
      const items: string[] = [];
      const pairs: string[] = [];
      let n = 0;
      while (lua.lua_rawgeti(L, idx, n + 1) !== lua.LUA_TNIL) {
        n++;
        const v = luaValueText(L, -1, level + 1);
        items.push(v);
        pairs.push(`[${n}]=${v}`);
        lua.lua_pop(L, 1);
      }
      lua.lua_pop(L, 1);
      let isArray = true;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, idx)) {
        if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
          const k = lua.lua_tonumber(L, -2);
          if (Number.isInteger(k) && k >= 1 && k <= n) {
            lua.lua_pop(L, 1);
            continue;
          }
        }
        isArray = false;
        pairs.push(`[${luaValueText(L, -2, level + 1)}]=${luaValueText(L, -1, level + 1)}`);
        lua.lua_pop(L, 1);
      }
      return `{${(isArray ? items : pairs).join('; ')}}`;
    }
    case lua.LUA_TFUNCTION:
      return '"function@0x0"';
    case lua.LUA_TLIGHTUSERDATA:
      return '"light-userdata@0x0"';
    default:
      return '"<unknown-lua-type>"';
  }
}

/** ldbRedisProtocolToHuman, on the reply value rather than its bytes. */
export function replyText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof ReplyError) return repr(Buffer.from(`-${v.message}`, 'latin1'));
  if (v instanceof SimpleString) return repr(Buffer.from(`+${String(v.value)}`, 'latin1'));
  if (Buffer.isBuffer(v)) return repr(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return repr(Buffer.from(v, 'latin1'));
  if (Array.isArray(v)) return `[${v.map(replyText).join(',')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${replyText(k)} => ${replyText(x)}`).join(',')}}`;
  if (v instanceof Set) return `~(${[...v].map(replyText).join(',')})`;
  if (typeof v === 'boolean') return v ? '#true' : '#false';
  return 'NULL';
}

export class LdbSession {
  /** The script's lines (trailing newlines dropped), 1-based by index + 1. */
  readonly lines: string[];
  /** Stop at the next line (set at start and by `step`). */
  step = true;
  /** redis.breakpoint() was called: stop at the next line. */
  luabp = false;
  /** Breakpoint lines in the order they were set. */
  readonly breakpoints: number[] = [];
  /** Log and reply dumps are cut at this many bytes (0: never). */
  maxlen = DEFAULT_MAXLEN;
  private maxlenHintSent = false;
  currentline = -1;
  /** Stopped at a line, waiting for a command. */
  stopped = false;
  /** The client went away: the script runs on without stopping. */
  detached = false;
  /** When the script last went on running (the "timeout reached, infinite loop?" stop). */
  resumedAt = Date.now();
  private logs: string[] = [];
  /**
   * The stopped script's stack, read in the hook before it yields (a
   * yielded fengari thread's frames cannot be inspected): per level, its
   * locals with their printed values, its name and line. Nothing runs the
   * script while it is stopped, so they stay true.
   */
  private frames: Array<{ locals: Array<[string, string]>; name: string | null; line: number; user: boolean }> = [];
  /** KEYS and ARGV as printed, read at the same time. */
  private globals = new Map<string, string>();

  constructor(
    source: Buffer,
    readonly mode: 'yes' | 'sync',
  ) {
    let end = source.length;
    while (end > 0 && (source[end - 1] === 0x0a || source[end - 1] === 0x0d)) end--;
    this.lines = source.subarray(0, end).toString('latin1').split('\n');
  }

  log(line: string): void {
    this.logs.push(line);
  }

  /** ldbLogWithMaxLen. */
  logTrimmed(line: string): void {
    if (this.maxlen !== 0 && line.length > this.maxlen) {
      this.log(`${line.slice(0, this.maxlen)} ...`);
      if (!this.maxlenHintSent) {
        this.maxlenHintSent = true;
        this.log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
      }
    } else this.log(line);
  }

  /** The pending log lines as one array of status replies; the log is emptied. */
  takeLogs(): Buffer {
    const out = [`*${this.logs.length}\r\n`];
    for (const l of this.logs) out.push(`+${l.replace(/[\r\n]/g, ' ')}\r\n`);
    this.logs = [];
    return Buffer.from(out.join(''), 'latin1');
  }

  isBreakpoint(line: number): boolean {
    return this.breakpoints.includes(line);
  }

  sourceLine(n: number): void {
    const text = n >= 1 && n <= this.lines.length ? (this.lines[n - 1] as string) : '<out of range source code line>';
    const current = n === this.currentline;
    const bp = this.isBreakpoint(n);
    const prefix = current && bp ? '->#' : current ? '-> ' : bp ? '  #' : '   ';
    this.log(`${prefix}${String(n).padEnd(3)} ${text}`);
  }

  list(around: number, context: number): void {
    for (let j = 1; j <= this.lines.length; j++) {
      if (around !== 0 && Math.abs(around - j) > context) continue;
      this.sourceLine(j);
    }
  }

  /** Reads the stack of the running (hooked) thread `L` for print and trace. */
  capture(L: LuaState): void {
    this.frames = [];
    const ar: LuaDebug = new lua.lua_Debug();
    const what = luaString('Snl');
    for (let level = 0; lua.lua_getstack(L, level, ar); level++) {
      lua.lua_getinfo(L, what, ar);
      const src = ar.source === null ? '' : Buffer.from(ar.source).toString('latin1');
      const name = ar.name === null || ar.name === undefined ? null : Buffer.from(ar.name).toString('latin1');
      const locals: Array<[string, string]> = [];
      for (let i = 1; lua.lua_checkstack(L, 4); i++) {
        const n = lua.lua_getlocal(L, ar, i);
        if (n === null) break;
        locals.push([Buffer.from(n).toString('latin1'), luaValueText(L, -1)]);
        lua.lua_pop(L, 1);
      }
      this.frames.push({ locals, name, line: ar.currentline, user: src.includes('user_script') });
    }
    for (const g of ['KEYS', 'ARGV']) {
      lua.lua_getglobal(L, luaString(g));
      this.globals.set(g, luaValueText(L, -1));
      lua.lua_pop(L, 1);
    }
  }

  /** The stop at the current line: its reason and the line, ready to send. */
  stop(reason: string): void {
    this.log(`* Stopped at ${this.currentline}, stop reason = ${reason}`);
    this.sourceLine(this.currentline);
  }

  private breakCommand(args: string[]): void {
    if (args.length === 0) {
      if (this.breakpoints.length === 0) this.log("No breakpoints set. Use 'b <line>' to add one.");
      else {
        this.log(`${this.breakpoints.length} breakpoints set:`);
        for (const l of this.breakpoints) this.sourceLine(l);
      }
      return;
    }
    for (const arg of args) {
      if (!/^-?\d+$/.test(arg) || (arg.length > 1 && /^-?0/.test(arg))) {
        this.log(`Invalid argument:'${arg}'`);
        continue;
      }
      const line = Number(arg);
      if (line === 0) {
        this.breakpoints.length = 0;
        this.log('All breakpoints removed.');
      } else if (line > 0) {
        if (this.breakpoints.length === MAX_BREAKPOINTS) this.log('Too many breakpoints set.');
        else if (line <= this.lines.length && !this.isBreakpoint(line)) {
          this.breakpoints.push(line);
          this.list(line, 1);
        } else this.log('Wrong line number.');
      } else {
        const at = this.breakpoints.indexOf(-line);
        if (at === -1) this.log('No breakpoint in the specified line.');
        else {
          this.breakpoints.splice(at, 1);
          this.log('Breakpoint removed.');
        }
      }
    }
  }

  /**
   * One debugger command. Commands that only print fill the log (the
   * engine sends it); the others tell the engine what to do. `print` and
   * `trace` read the stopped thread's stack.
   */
  command(argv: string[]): LdbAction {
    const verb = (argv[0] ?? '').toLowerCase();
    const args = argv.slice(1);
    const is = (short: string, long: string): boolean => verb === short || verb === long;
    if (is('h', 'help')) for (const l of HELP) this.log(l);
    else if (is('s', 'step') || is('n', 'next')) {
      this.step = true;
      return 'resume';
    } else if (is('c', 'continue')) return 'resume';
    else if (is('t', 'trace')) this.trace();
    else if (is('m', 'maxlen')) {
      if (args.length === 1) {
        let n = atoi(args[0] as string);
        this.maxlenHintSent = true;
        if (n !== 0 && n <= 60) n = 60;
        this.maxlen = n;
      }
      this.log(this.maxlen !== 0 ? `<value> replies are truncated at ${this.maxlen} bytes.` : '<value> replies are unlimited.');
    } else if (is('b', 'break')) this.breakCommand(args);
    else if (is('e', 'eval')) return { eval: args.join(' ') };
    else if (is('a', 'abort')) return 'abort';
    else if (args.length > 0 && is('r', 'redis')) return { redis: args.map((a) => Buffer.from(a, 'latin1')) };
    else if (is('p', 'print')) {
      if (args.length === 1) this.print(args[0] as string);
      else this.printAll();
    } else if (is('l', 'list')) {
      let around = this.currentline;
      let ctx = 5;
      if (args.length > 0) {
        const n = atoi(args[0] as string);
        if (n > 0) around = n;
      }
      if (args.length > 1) ctx = atoi(args[1] as string);
      this.list(around, ctx);
    } else if (is('w', 'whole')) this.list(1, 1000000);
    else this.log('<error> Unknown Redis Lua debugger command or wrong number of arguments.');
    return 'stay';
  }

  private print(name: string): void {
    for (const f of this.frames) {
      const found = f.locals.find(([n]) => n === name);
      if (found !== undefined) return this.logTrimmed(`<value> ${found[1]}`);
    }
    const g = this.globals.get(name);
    if (g !== undefined) this.logTrimmed(`<value> ${g}`);
    else this.log('No such variable.');
  }

  private printAll(): void {
    let vars = 0;
    for (const [name, value] of this.frames[0]?.locals ?? []) {
      if (name.includes('(*temporary)')) continue;
      this.logTrimmed(`<value> ${name} = ${value}`);
      vars++;
    }
    if (vars === 0) this.log('No local variables in the current context.');
  }

  private trace(): void {
    this.frames.forEach((f, level) => {
      if (!f.user) return;
      this.log(`${level === 0 ? 'In' : 'From'} ${f.name ?? 'top level'}:`);
      this.sourceLine(f.line);
    });
    if (this.frames.length === 0) this.log("<error> Can't retrieve Lua stack.");
  }
}
