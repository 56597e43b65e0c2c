/**
 * The scripting engine: EVAL's script cache, FUNCTION's libraries, the
 * `redis` library scripts call, the busy-script machinery and the Lua
 * debugger's stops. Two Lua VMs, as in Redis 7.0 (one for EVAL, one for
 * functions), made on first use.
 *
 * It stays one file past 800 lines: a busy pause, a debugger stop and the
 * end of a run all go through the same private run state (`current`,
 * `busy`, step / finish); split, that state would have to be exported. The
 * debugger's words and printing are in lua/ldb.ts, the libraries in lua/.
 *
 * Atomicity, and a busy script on a single-threaded reactor
 * ---------------------------------------------------------
 * A script runs synchronously inside its EVAL: no other client's command can
 * run in between, because nothing else runs. A count hook fires every
 * HOOK_EVERY VM instructions. Redis, once a script has run longer than
 * `lua-time-limit`, calls processEventsWhileBlocked from that hook: it reads
 * the other clients and answers them BUSY, except SCRIPT KILL / FUNCTION
 * KILL and a few others. Node cannot run its event loop from inside a
 * function, so here the script runs as a Lua coroutine and the hook
 * *yields* it instead:
 *
 *   EVAL ─▶ resume(coroutine) ─▶ hook: elapsed < limit → go on
 *                                hook: elapsed ≥ limit → lua_yield
 *        ◀─ NO_REPLY, the caller is suspended (its pipeline waits), busy = run
 *   reactor turn: other clients' commands → BUSY ... (processCommand)
 *                 SCRIPT KILL → run.killed = true, OK
 *   setImmediate ─▶ resume(coroutine) ─▶ hook: killed → error "Script killed..."
 *                                       hook: still busy → yield again
 *   done ─▶ reply to the caller, busy = null, the caller's pipeline resumes,
 *           clients blocked on keys the script wrote are served
 *
 * While a script is paused nothing touches the keyspace: every command but
 * the allowed few is refused, the active expiry cycle skips its turn and
 * blocked clients are not served. A script inside EXEC pauses the same way:
 * EXEC takes the paused run (takePaused) and runs the rest of its queue when
 * the script ends (its onDone). A caller that is not a connection (a unit
 * test's Client) cannot pause: its script runs to its end.
 *
 * The debugger (SCRIPT DEBUG) stops a script the same way, from a line
 * hook: the coroutine yields, `busy` is set (others get BUSY) and
 * `debugging` names the client, whose commands processCommand hands to
 * ldbCommand instead of running them; step / continue resume the coroutine
 * on the next turn, abort drops it. Redis reads the debugger's socket
 * synchronously inside its hook; a reactor cannot.
 */
import { createHash } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { formatG17, ReplyError } from '@reactor-ts/resp';
import { Client } from './client.js';
import { call, countError } from './dispatch.js';
import { bytesAt, errorText, pushError, pushReply, replyOf } from './lua/convert.js';
import { lauxlib, lua, luaString, type LuaDebug, type LuaFunction, type LuaState } from './lua/fengari.js';
import { LdbSession, luaValueText, replyText } from './lua/ldb.js';
import { LuaVM, type RunStatus } from './lua/vm.js';
import { BUSY_EVAL, BUSY_FUNCTION, err, NO_REPLY, NOTBUSY, OOM_MESSAGE, REDIS_VERSION, UNKILLABLE } from './reply.js';
import type { Database } from './db.js';
import type { ServerState } from './state.js';

/**
 * VM instructions between hook calls. Redis uses 100000; fengari runs an
 * instruction 10-100 times slower than C Lua (slower still before V8 has
 * compiled its interpreter loop), so 10000 keeps the hook a few
 * milliseconds apart at most. A hook call costs one clock read.
 */
const HOOK_EVERY = 10_000;
/** Once busy, how much work (ms) a slice does before the script yields to the reactor again. */
const SLICE_MS = 5;
/**
 * A script is stopped when the process nears its memory limits: the JS heap
 * past 60% of V8's limit (headroom for a big table's rehash between two
 * checks), or the byte arrays fengari keeps strings in past 2 GiB. Redis has no such limit, but a Node process dies at its heap limit,
 * taking every client with it. Checked at most every MEMORY_CHECK_MS (a
 * memoryUsage() read costs tens of microseconds), by time rather than by
 * instructions: near the limit the collector slows the VM down.
 */
const HEAP_LIMIT = getHeapStatistics().heap_size_limit * 0.6;
const BUFFERS_LIMIT = 2 * 1024 * 1024 * 1024;
const MEMORY_CHECK_MS = 10;
const KILLED = 'Script killed by user with SCRIPT KILL...';
const NAME_KEYS = luaString('KEYS');
const NAME_ARGV = luaString('ARGV');
const IGNORE_STATS = luaString('ignore_error_stats_update');
const OUT_OF_MEMORY = 'Script stopped: the server is running out of memory';
/** How long FUNCTION LOAD lets a library's code run (Redis's LOAD_TIMEOUT_MS). */
const LOAD_TIMEOUT_MS = 500;

/** Containers whose subcommands (but HELP) Redis flags noscript. */
const NOSCRIPT_CONTAINERS = new Set(['client', 'config', 'script', 'function', 'acl', 'latency', 'module']);

/** One registered function of a library. */
export interface LuaFunctionDef {
  readonly name: string;
  readonly library: string;
  /** Registry ref of the callback in the functions VM. */
  readonly ref: number;
  readonly flags: readonly string[];
  readonly description: Buffer | null;
}

export interface Library {
  readonly name: string;
  readonly code: Buffer;
  readonly functions: Map<string, LuaFunctionDef>;
}

/** A script or function being run. */
export class ScriptRun {
  /** Milliseconds since the epoch at start (the busy threshold and FUNCTION STATS). */
  readonly startedAt = Date.now();
  /** When memory was last checked. */
  memoryCheckedAt = 0;
  /** When its current slice began (after a pause for the reactor). */
  sliceStart = 0;
  /** SCRIPT KILL / FUNCTION KILL asked for it (or memory ran short): the error it is stopped with. */
  killed: string | null = null;
  /** It ran a write command: it can no longer be killed (UNKILLABLE), nor refused for OOM (Redis's SCRIPT_WRITE_DIRTY). */
  wrote = false;
  /** `allow-oom` among its flags: denyoom writes run even over maxmemory. */
  allowOom = false;
  /** redis.setresp. */
  resp: 2 | 3 = 2;
  /** The database the script's own client has selected (SELECT inside a script is the script's). */
  db: Database;
  thread: LuaState | null = null;
  threadRef = 0;
  /** Who takes the reply of a run that paused: EXEC's continuation; by default it is sent to the client. */
  onDone: ((reply: unknown) => void) | null = null;
  /** The debugging session this run is under (SCRIPT DEBUG), or null. */
  ldb: LdbSession | null = null;

  constructor(
    readonly client: Client,
    readonly vm: LuaVM,
    /** The SHA1 (EVAL) or the function's name, as error texts and FUNCTION STATS name it. */
    readonly name: string,
    readonly isEval: boolean,
    readonly readOnly: boolean,
    /** The command that started it (FUNCTION STATS shows it). */
    readonly argv: readonly Buffer[],
    /** May pause for the reactor once busy (a connection's own EVAL, not inside EXEC). */
    readonly canYield: boolean,
  ) {
    this.db = client.db;
  }
}

export function sha1hex(b: Uint8Array): string {
  return createHash('sha1').update(b).digest('hex');
}

/** `#!lua flags=no-writes,...` at the top of an EVAL script: its flags, or null without a shebang. */
function evalShebang(body: Buffer): string[] | null {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return null;
  const end = body.indexOf(0x0a);
  const line = body.subarray(0, end === -1 ? body.length : end).toString('latin1');
  const parts = line.split(' ').filter((p) => p.length > 0);
  if (parts[0] !== '#!lua') throw err(`ERR Unexpected engine in script shebang: ${(parts[0] ?? '').slice(2)}`);
  const flags: string[] = [];
  for (const p of parts.slice(1)) {
    if (!p.startsWith('flags=')) throw err(`ERR Unknown lua shebang option: ${p}`);
    for (const f of p.slice(6).split(',')) {
      if (f === '') continue;
      if (!KNOWN_FLAGS.has(f)) throw err(`ERR Unexpected flag in script shebang: ${f}`);
      flags.push(f);
    }
  }
  return flags;
}

export const KNOWN_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

export class ScriptingEngine {
  /** SHA1 → compiled script (a registry ref in the EVAL VM), and its body. */
  readonly scripts = new Map<string, { body: Buffer; ref: number; flags: string[] | null }>();
  readonly libraries = new Map<string, Library>();
  readonly functions = new Map<string, LuaFunctionDef>();
  /** `lua-time-limit` (ms): after this long a script is busy. */
  timeLimit = 5000;
  /**
   * Redis's pre_command_oom_state: the server was over maxmemory (after
   * evicting) when the command now running was dispatched. A script's first
   * denyoom write fails while it holds (dispatch.ts sets it under maxmemory).
   */
  oomAtStart = false;
  /** The run whose code is executing now (the hook and `redis.call` use it). */
  private current: ScriptRun | null = null;
  /** A run paused for the reactor because it is busy; other clients get BUSY. */
  busy: ScriptRun | null = null;
  /** The run that paused during the command being run now (takePaused). */
  private justPaused: ScriptRun | null = null;
  private evalVm: LuaVM | null = null;
  private fnVm: LuaVM | null = null;
  /** Collects register_function calls while FUNCTION LOAD runs a library. */
  private loading: Map<string, LuaFunctionDef> | null = null;
  private loadingLib = '';
  /** The client scripts' commands run as (Redis's script client). */
  private scriptClient: Client | null = null;
  private readonly hook = (L: LuaState, ar: LuaDebug): void => this.onHook(L, ar);
  /** Clients that asked SCRIPT DEBUG YES / SYNC: their next EVAL is debugged. */
  readonly debugModes = new Map<Client, 'yes' | 'sync'>();
  /** The client whose debugging session is stopped at a line: its commands go to the debugger (processCommand). */
  debugging: Client | null = null;

  constructor(private readonly server: ServerState) {}

  /** The run in progress, paused or not (FUNCTION STATS, SCRIPT KILL). */
  get running(): ScriptRun | null {
    return this.busy ?? this.current;
  }

  get evalVM(): LuaVM {
    return (this.evalVm ??= new LuaVM(this.redisLib(false)));
  }

  get functionVM(): LuaVM {
    return (this.fnVm ??= new LuaVM(this.redisLib(true)));
  }

  /** Compiles and caches `body`; returns its SHA1 (SCRIPT LOAD, EVAL). */
  loadScript(body: Buffer): string {
    const sha = sha1hex(body);
    if (this.scripts.has(sha)) return sha;
    const flags = evalShebang(body);
    const res = this.evalVM.load(body, '@user_script');
    if ('error' in res) throw err(`ERR Error compiling script (new function): ${res.error}`);
    this.scripts.set(sha, { body, ref: res.ref, flags });
    return sha;
  }

  flushScripts(): void {
    if (this.evalVm !== null) for (const s of this.scripts.values()) this.evalVm.unref(s.ref);
    this.scripts.clear();
  }

  /** EVAL / EVALSHA after the script is cached; under a debugging session when `ldb` is given (SCRIPT DEBUG). */
  evalScript(c: Client, sha: string, keys: Buffer[], args: Buffer[], readOnlyCommand: boolean, argv: Buffer[], ldb: LdbSession | null = null): unknown {
    const script = this.scripts.get(sha) as { ref: number; flags: string[] | null };
    const vm = this.evalVM;
    const readOnly = readOnlyCommand || (script.flags?.includes('no-writes') ?? false);
    // A script that declares flags may write unless no-writes: *_RO refuses it before it runs (scriptPrepareForRun).
    if (readOnlyCommand && script.flags !== null && !script.flags.includes('no-writes')) {
      throw err('ERR Can not execute a script with write flag using *_ro command.');
    }
    // KEYS and ARGV are globals of the EVAL VM, set for each run.
    pushStrings(vm.L, keys);
    vm.setGlobal(NAME_KEYS);
    pushStrings(vm.L, args);
    vm.setGlobal(NAME_ARGV);
    const run = new ScriptRun(c, vm, sha, true, readOnly, argv, this.canYield(c));
    // A session stops the script by pausing it, which only a connection's own EVAL can do (not inside EXEC).
    if (ldb !== null && run.canYield && !c.denyBlocking) run.ldb = ldb;
    run.allowOom = script.flags?.includes('allow-oom') ?? false;
    return this.start(run, script.ref, () => 0);
  }

  /** FCALL / FCALL_RO. */
  callFunction(c: Client, name: string, keys: Buffer[], args: Buffer[], readOnlyCommand: boolean, argv: Buffer[]): unknown {
    const fn = this.functions.get(name);
    if (fn === undefined) throw err('ERR Function not found');
    const noWrites = fn.flags.includes('no-writes');
    if (readOnlyCommand && !noWrites) throw err('ERR Can not execute a script with write flag using *_ro command.');
    const run = new ScriptRun(c, this.functionVM, name, false, readOnlyCommand || noWrites, argv, this.canYield(c));
    run.allowOom = fn.flags.includes('allow-oom');
    return this.start(run, fn.ref, (L) => {
      pushStrings(L, keys);
      pushStrings(L, args);
      return 2;
    });
  }

  /**
   * Whether EVAL / FCALL `argv` counts as a denyoom command (Redis's
   * evalGetCommandFlags / fcallGetCommandFlags): a script that declares its
   * flags (a `#!lua` shebang; every function) is denyoom unless it has
   * allow-oom or no-writes. A script without a shebang keeps EVAL's flags,
   * which have no denyoom: it is checked per redis.call instead. A script
   * or function not found, or a bad shebang, counts as EVAL's flags (the
   * command reports that error itself).
   */
  deniesOom(name: string, argv: readonly Buffer[]): boolean {
    let flags: readonly string[] | null = null;
    if (argv.length < 2) return false;
    if (name === 'eval' || name === 'eval_ro') {
      try {
        flags = evalShebang(argv[1] as Buffer);
      } catch {
        return false;
      }
    } else if (name === 'evalsha' || name === 'evalsha_ro') {
      flags = this.scripts.get((argv[1] as Buffer).toString('latin1').toLowerCase())?.flags ?? null;
    } else if (name === 'fcall' || name === 'fcall_ro') {
      flags = this.functions.get((argv[1] as Buffer).toString('latin1'))?.flags ?? null;
    }
    return flags !== null && !flags.includes('allow-oom') && !flags.includes('no-writes');
  }

  /** A connection's script may pause, EXEC's too (EXEC then goes on when it ends: takePaused). */
  private canYield(c: Client): boolean {
    return c.sink.resume !== undefined;
  }

  /** The run of `c` that has just paused (its command answered NO_REPLY), once; null if none. */
  takePaused(c: Client): ScriptRun | null {
    const run = this.justPaused;
    if (run === null || run.client !== c) return null;
    this.justPaused = null;
    return run;
  }

  private start(run: ScriptRun, fnRef: number, pushArgs: (L: LuaState) => number): unknown {
    const { thread, threadRef } = run.vm.newThread(fnRef, this.hook, HOOK_EVERY);
    run.thread = thread;
    run.threadRef = threadRef;
    if (run.ldb !== null) lua.lua_sethook(thread, this.hook, lua.LUA_MASKLINE | lua.LUA_MASKCOUNT, HOOK_EVERY);
    return this.step(run, pushArgs(thread));
  }

  /** Runs `run` until it ends or pauses; its reply, or NO_REPLY when paused. */
  private step(run: ScriptRun, nargs: number): unknown {
    let status: RunStatus;
    this.current = run;
    try {
      status = run.vm.resume(run.thread as LuaState, nargs);
    } catch (e) {
      // A JS exception from inside the VM (a bug, or fengari's own limits).
      status = { kind: 'error', thread: run.thread as LuaState, source: null, line: 0 };
      lua.lua_pushstring(run.thread as LuaState, luaString(String((e as Error).message)));
    } finally {
      this.current = null;
    }
    if (status.kind === 'yield') {
      if (run.ldb?.stopped === true) {
        // Stopped at a line: other clients get BUSY, this one's commands go to the debugger.
        this.busy = run;
        this.debugging = run.client;
        run.client.suspended = false;
        run.client.sink.resume?.();
        return NO_REPLY;
      }
      if (this.busy === null) {
        this.busy = run;
        this.justPaused = run;
        run.client.suspended = true;
      }
      setImmediate(() => this.continueBusy(run));
      return NO_REPLY;
    }
    const reply = status.kind === 'done' ? this.resultOf(run, status.thread) : this.failureOf(run, status);
    run.vm.release(run.thread as LuaState, run.threadRef, status.kind === 'done');
    run.thread = null;
    if (run.ldb !== null) this.ldbEnd(run);
    return reply;
  }

  private continueBusy(run: ScriptRun): void {
    const reply = this.step(run, 0);
    if (reply !== NO_REPLY) this.finish(run, reply);
  }

  /** A paused run has its reply: the server is free again, the caller gets it and goes on. */
  private finish(run: ScriptRun, reply: unknown): void {
    this.busy = null;
    this.justPaused = null;
    const c = run.client;
    c.suspended = false;
    // Counted here: the command that started it was counted when it paused, with no reply yet (INFO errorstats).
    if (reply instanceof ReplyError) countError(c, reply);
    // EXEC's continuation may run another script that pauses in turn.
    if (run.onDone !== null) run.onDone(reply);
    else if (!c.closing) c.send(reply);
    if (this.busy !== null) return;
    if (!c.closing) c.sink.resume?.();
    // Blocked clients whose keys the script wrote wait no longer than it.
    if (this.server.blocking.hasReady) this.server.blocking.serveReady();
  }

  private resultOf(run: ScriptRun, thread: LuaState): unknown {
    if (lua.lua_gettop(thread) === 0) return null;
    // Read on the main state: a finished thread's frame may have no stack room left.
    const L = run.vm.L;
    lua.lua_settop(thread, 1);
    const base = lua.lua_gettop(L);
    lua.lua_xmove(thread, L, 1);
    try {
      return replyOf(L, -1, run.client.protocol);
    } finally {
      // Back to where it was even when the conversion threw: a main stack left full fails every later script.
      lua.lua_settop(L, base);
    }
  }

  /** Redis's error reply for a failed run: "<msg> script: <name>, on <source>:<line>." */
  private failureOf(run: ScriptRun, status: Extract<RunStatus, { kind: 'error' }>): ReplyError {
    // The error value moves to the main state: the dead thread's frame has no stack room left.
    const L = run.vm.L;
    lua.lua_xmove(status.thread, L, 1);
    let msg: string;
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      lua.lua_getfield(L, -1, luaString('err'));
      msg = lua.lua_type(L, -1) === lua.LUA_TSTRING ? bytesAt(L, -1).toString('latin1') : 'ERR unknown error';
      lua.lua_pop(L, 1);
    } else {
      msg = `ERR ${luaToString(L, -1)}`;
    }
    lua.lua_pop(L, 1);
    if (status.source === null) return new ReplyError(msg);
    return new ReplyError(`${msg} script: ${run.name}, on ${status.source}:${status.line}.`);
  }

  /** SCRIPT KILL (isEval) / FUNCTION KILL. */
  kill(isEval: boolean): unknown {
    const run = this.busy;
    if (run === null) return NOTBUSY;
    if (run.isEval !== isEval) return isEval ? BUSY_FUNCTION : BUSY_EVAL;
    if (run.wrote) return UNKILLABLE;
    run.killed = KILLED;
    // A script stopped in the debugger runs no hook until it goes on: end it now.
    if (run.ldb?.stopped === true) this.ldbAbort(run, KILLED);
    return null;
  }

  private onHook(L: LuaState, ar: LuaDebug): void {
    const run = this.current;
    if (run === null) return;
    if (run.ldb !== null && run.killed === null && this.ldbHook(L, ar, run)) return;
    if (ar.event === lua.LUA_HOOKLINE && run.killed === null) return;
    const now = Date.now();
    if (now - run.memoryCheckedAt >= MEMORY_CHECK_MS) {
      run.memoryCheckedAt = now;
      const m = process.memoryUsage();
      if (m.heapUsed > HEAP_LIMIT || m.arrayBuffers > BUFFERS_LIMIT) run.killed ??= OUT_OF_MEMORY;
    }
    if (run.killed !== null) {
      // Every line from now on raises again, so a pcall cannot swallow the kill.
      lua.lua_sethook(L, this.hook, lua.LUA_MASKLINE, 0);
      pushError(L, run.killed);
      lua.lua_error(L);
    }
    if (!run.canYield) return;
    if (now - run.startedAt < this.timeLimit || now - run.sliceStart < SLICE_MS || !lua.lua_isyieldable(L)) return;
    run.sliceStart = now;
    lua.lua_yield(L, 0);
  }

  // The Lua debugger (SCRIPT DEBUG): a session stops its script by yielding
  // the coroutine from the line hook, as a busy script pauses from the count
  // hook; while it is stopped, its client's commands come to ldbCommand.

  /**
   * The line / count hook of a debugged run: stops at a step, a breakpoint,
   * redis.breakpoint() or, on a count event, once the script ran the busy
   * threshold since it last went on (Redis's "infinite loop?" stop). True
   * when it stopped (the coroutine is yielding).
   */
  private ldbHook(L: LuaState, ar: LuaDebug, run: ScriptRun): boolean {
    const s = run.ldb as LdbSession;
    if (s.detached) return false;
    const isCount = ar.event === lua.LUA_HOOKCOUNT;
    const info: LuaDebug = new lua.lua_Debug();
    if (!lua.lua_getstack(L, 0, info)) return false;
    lua.lua_getinfo(L, luaString('Sl'), info);
    s.currentline = info.currentline;
    const src = info.source === null ? '' : Buffer.from(info.source).toString('latin1');
    if (!src.includes('user_script')) return false;
    const bp = s.isBreakpoint(s.currentline) || s.luabp;
    let timeout = false;
    if (isCount && !s.step && !bp) {
      if (Date.now() - s.resumedAt < this.timeLimit) return false;
      timeout = true;
      s.step = true;
    }
    // Inside a metamethod or a sort comparator the coroutine cannot yield: no stop there.
    if ((!s.step && !bp) || !lua.lua_isyieldable(L)) return false;
    const reason = bp ? (s.luabp ? 'redis.breakpoint() called' : 'break point') : timeout ? 'timeout reached, infinite loop?' : 'step over';
    s.step = false;
    s.luabp = false;
    s.stop(reason);
    s.capture(L);
    run.client.sink.raw(s.takeLogs());
    s.stopped = true;
    lua.lua_yield(L, 0);
    return true;
  }

  /** A command from the client of the stopped session (processCommand sends them here). */
  ldbCommand(argv: Buffer[]): void {
    const run = this.busy;
    const s = run?.ldb;
    if (run === null || s === null || s === undefined || !s.stopped) return;
    const action = s.command(argv.map((a) => a.toString('latin1')));
    if (action === 'resume') {
      s.stopped = false;
      s.resumedAt = Date.now();
      this.debugging = null;
      // Its next commands wait until the script stops again or ends.
      run.client.suspended = true;
      setImmediate(() => this.continueBusy(run));
      return;
    }
    if (action === 'abort') return this.ldbAbort(run, 'script aborted for user request');
    if (action !== 'stay') {
      if ('eval' in action) this.ldbEval(run, action.eval);
      else this.ldbRedis(run, action.redis);
    }
    run.client.sink.raw(s.takeLogs());
  }

  /** Ends a stopped session's run with an error, without running any more of it (abort, SCRIPT KILL). */
  private ldbAbort(run: ScriptRun, message: string): void {
    const line = (run.ldb as LdbSession).currentline;
    // The coroutine is suspended inside the hook: it is dropped, not resumed.
    run.vm.release(run.thread as LuaState, run.threadRef, false);
    run.thread = null;
    this.ldbEnd(run);
    this.finish(run, new ReplyError(`ERR ${message} script: ${run.name}, on @user_script:${line}.`));
  }

  /** The session's last words (its pending logs and <endsession>), then the connection closes after the reply, as in Redis. */
  private ldbEnd(run: ScriptRun): void {
    const s = run.ldb as LdbSession;
    s.stopped = false;
    this.debugging = null;
    this.debugModes.delete(run.client);
    if (s.detached) return;
    s.log('<endsession>');
    run.client.sink.raw(s.takeLogs());
    run.client.sink.closeAfterReply();
  }

  /** A client went away: its debug mode goes, and a session it left stopped runs on to its end without stopping. */
  forgetClient(c: Client): void {
    this.debugModes.delete(c);
    const run = this.busy;
    if (run === null || run.client !== c || run.ldb === null) return;
    run.ldb.detached = true;
    if (run.ldb.stopped) {
      run.ldb.stopped = false;
      this.debugging = null;
      setImmediate(() => this.continueBusy(run));
    }
  }

  /** `eval <code>`: as an expression first ("return " prepended), else as statements, on the main state. */
  private ldbEval(run: ScriptRun, code: string): void {
    const s = run.ldb as LdbSession;
    const vm = run.vm;
    let res = vm.load(Buffer.from(`return ${code}`, 'latin1'), '@ldb_eval');
    if ('error' in res) res = vm.load(Buffer.from(code, 'latin1'), '@ldb_eval');
    if ('error' in res) return s.log(`<error> ${res.error}`);
    const L = vm.L;
    const base = lua.lua_gettop(L);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, res.ref);
    vm.unref(res.ref);
    // The server is stopped for this call: it gets the busy threshold, then an error.
    const started = Date.now();
    const limit = this.timeLimit;
    const evalHook = (H: LuaState): void => {
      if (Date.now() - started < limit) return;
      lua.lua_sethook(H, evalHook, lua.LUA_MASKLINE, 0);
      lua.lua_pushstring(H, luaString('eval timed out'));
      lua.lua_error(H);
    };
    lua.lua_sethook(L, evalHook, lua.LUA_MASKCOUNT, HOOK_EVERY);
    this.current = run;
    try {
      if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) s.log(`<error> ${luaToString(L, -1)}`);
      else s.logTrimmed(`<retval> ${luaValueText(L, -1)}`);
    } finally {
      this.current = null;
      lua.lua_sethook(L, null, 0, 0);
      lua.lua_settop(L, base);
    }
  }

  /** `redis <cmd> ...`: redis.call with logging on. */
  private ldbRedis(run: ScriptRun, argv: Buffer[]): void {
    const s = run.ldb as LdbSession;
    const L = run.vm.L;
    const base = lua.lua_gettop(L);
    if (!lua.lua_checkstack(L, argv.length + 2)) return s.log('<reply> max lua stack reached');
    lua.lua_getglobal(L, luaString('redis'));
    lua.lua_getfield(L, -1, luaString('call'));
    for (const a of argv) lua.lua_pushstring(L, Uint8Array.from(a));
    s.step = true;
    this.current = run;
    try {
      lua.lua_pcall(L, argv.length, 1, 0);
    } finally {
      s.step = false;
      this.current = null;
      lua.lua_settop(L, base);
    }
  }

  private ldbDebug(L: LuaState): number {
    const s = this.current?.ldb;
    if (s === null || s === undefined) return 0;
    const parts: string[] = [];
    for (let i = 1; i <= lua.lua_gettop(L); i++) parts.push(luaValueText(L, i));
    s.log(`<debug> line ${s.currentline}: ${parts.join(', ')}`);
    return 0;
  }

  private ldbBreakpoint(L: LuaState): number {
    const s = this.current?.ldb;
    if (s !== null && s !== undefined) s.luabp = true;
    lua.lua_pushboolean(L, s !== null && s !== undefined);
    return 1;
  }

  // The `redis` library.

  private redisLib(functions: boolean): Array<[string, LuaFunction | number | string]> {
    const lib: Array<[string, LuaFunction | number | string]> = [
      ['call', (L) => this.redisCall(L, true)],
      ['pcall', (L) => this.redisCall(L, false)],
      ['error_reply', errorReply],
      ['status_reply', statusReply],
      ['sha1hex', sha1Lua],
      ['log', () => 0],
      ['setresp', (L) => this.setResp(L)],
      ['set_repl', () => 0],
      ['replicate_commands', (L) => (lua.lua_pushboolean(L, true), 1)],
      ['breakpoint', (L) => this.ldbBreakpoint(L)],
      ['debug', (L) => this.ldbDebug(L)],
      ['LOG_DEBUG', 0],
      ['LOG_VERBOSE', 1],
      ['LOG_NOTICE', 2],
      ['LOG_WARNING', 3],
      ['REPL_NONE', 0],
      ['REPL_AOF', 1],
      ['REPL_SLAVE', 2],
      ['REPL_REPLICA', 2],
      ['REPL_ALL', 3],
      ['REDIS_VERSION', REDIS_VERSION],
      ['REDIS_VERSION_NUM', versionNum(REDIS_VERSION)],
    ];
    if (functions) lib.push(['register_function', (L) => this.registerFunction(L)]);
    return lib;
  }

  private setResp(L: LuaState): number {
    const run = this.current;
    if (lua.lua_gettop(L) !== 1) return raiseError(L, 'redis.setresp() requires one argument.');
    const n = lua.lua_tonumber(L, 1);
    if (n !== 2 && n !== 3) return raiseError(L, 'RESP version must be 2 or 3.');
    if (run !== null) run.resp = n;
    return 0;
  }

  private client(): Client {
    if (this.scriptClient === null) {
      this.scriptClient = new Client(this.server, 0, { reply() {}, raw() {}, closeAfterReply() {} });
      this.scriptClient.authenticated = true;
      // Blocking commands are noscript in 7.0; should one get through, it answers at once.
      this.scriptClient.denyBlocking = true;
    }
    return this.scriptClient;
  }

  /** redis.call (raise: errors are raised) and redis.pcall (errors are returned as {err=...}). */
  private redisCall(L: LuaState, raise: boolean): number {
    const run = this.current;
    // Under the debugger, while stepping: the command, the reply and script errors are logged (Redis's ldbIsEnabled).
    const ldb = run !== null && run.ldb !== null && run.ldb.step && !run.ldb.detached ? run.ldb : null;
    const fail = (text: string): number => {
      ldb?.log(`<error> ${text}`);
      pushError(L, text);
      if (raise) lua.lua_error(L);
      return 1;
    };
    const argc = lua.lua_gettop(L);
    if (argc === 0) return fail('Please specify at least one argument for this redis lib call');
    const argv: Buffer[] = [];
    for (let i = 1; i <= argc; i++) {
      const t = lua.lua_type(L, i);
      if (t === lua.LUA_TSTRING) argv.push(bytesAt(L, i));
      else if (t === lua.LUA_TNUMBER) {
        // Not lua_tolstring: Lua prints 14 digits, Redis sends %.17g.
        argv.push(Buffer.from(lua.lua_isinteger(L, i) ? String(lua.lua_tointeger(L, i)) : formatG17(lua.lua_tonumber(L, i))));
      } else return fail('Lua redis lib command arguments must be strings or integers');
    }
    if (run === null) {
      // Only FUNCTION LOAD runs code outside a run; Redis's loading `redis` table has no `call`.
      lauxlib.luaL_where(L, 1);
      lua.lua_pushstring(L, luaString("Script attempted to access nonexistent global variable 'call'"));
      lua.lua_concat(L, 2);
      return lua.lua_error(L);
    }
    if (ldb !== null) {
      const shown = argv.slice(0, 10).map((a) => a.toString('latin1'));
      ldb.log(`<redis> ${shown.join(' ')}${argv.length > 10 ? ` ... (${argv.length - 11} more)` : ''}`);
    }
    const server = this.server;
    const cmd = server.lookup.find(argv[0] as Buffer);
    if (cmd === undefined) return fail('Unknown Redis command called from script');
    if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
      return fail('Wrong number of args calling Redis command from script');
    }
    if (isNoscript(cmd.name, cmd.flags, argv)) return fail('This Redis command is not allowed from script');
    const isWrite = cmd.flags.includes('write');
    if (isWrite && run.readOnly) return fail('Write commands are not allowed from read-only scripts.');
    // scriptVerifyOOM: over maxmemory when the script started, its first write may not be a denyoom one.
    if (!run.allowOom && !run.wrote && this.oomAtStart && server.config.maxmemory > 0 && cmd.flags.includes('denyoom')) return fail(`-${OOM_MESSAGE}`);
    const sc = this.client();
    sc.db = run.db;
    sc.protocol = run.resp;
    let reply: unknown;
    try {
      reply = call(sc, cmd, argv);
    } catch (e) {
      return fail(`ERR internal error: ${(e as Error).message}`);
    }
    run.db = sc.db;
    if (isWrite) run.wrote = true;
    if (!(reply instanceof ReplyError)) ldb?.logTrimmed(`<reply> ${replyText(reply)}`);
    if (reply instanceof ReplyError) {
      // Redis logs an error reply twice: as the script's error, then as the reply.
      ldb?.log(`<error> -${reply.message}`);
      ldb?.logTrimmed(`<reply> ${replyText(reply)}`);
      pushError(L, `-${reply.message}`);
      // As Redis 7.0 marks a command's error reply (its stats were counted when the command failed).
      lua.lua_pushboolean(L, true);
      lua.lua_setfield(L, -2, IGNORE_STATS);
      if (raise) lua.lua_error(L);
      return 1;
    }
    pushReply(L, reply, run.resp);
    return 1;
  }

  // FUNCTION LOAD.

  /** FUNCTION LOAD: runs the library's code, which registers its functions; all or nothing. */
  loadLibrary(code: Buffer, replace: boolean): string {
    const name = libraryName(code);
    const old = this.libraries.get(name);
    if (old !== undefined && !replace) throw err(`ERR Library '${name}' already exists`);
    const lib = this.buildLibrary(name, code);
    for (const fname of lib.functions.keys()) {
      const other = this.functions.get(fname);
      if (other !== undefined && other.library !== name) {
        this.dropLibrary(lib);
        throw err(`ERR Function ${fname} already exists`);
      }
    }
    if (old !== undefined) this.deleteLibrary(name);
    this.installLibrary(lib);
    return name;
  }

  /**
   * FUNCTION RESTORE: the libraries of a payload (their codes), all or
   * nothing, as Redis's functionRestoreCommand: each is compiled into a
   * fresh set first (a library or function twice in the payload fails
   * there), then FLUSH swaps the sets, APPEND refuses a library that
   * exists, REPLACE replaces it; either refuses a function name another
   * library already has.
   */
  restoreLibraries(codes: readonly Buffer[], policy: 'flush' | 'append' | 'replace'): void {
    const libs = new Map<string, Library>();
    const dropAll = (): void => {
      for (const lib of libs.values()) this.dropLibrary(lib);
    };
    try {
      for (const code of codes) {
        const name = libraryName(code);
        if (libs.has(name)) throw err(`ERR Library '${name}' already exists`);
        const lib = this.buildLibrary(name, code);
        for (const fname of lib.functions.keys()) {
          for (const other of libs.values()) {
            if (other.functions.has(fname)) {
              this.dropLibrary(lib);
              throw err(`ERR Function ${fname} already exists`);
            }
          }
        }
        libs.set(name, lib);
      }
      if (policy !== 'flush') {
        for (const name of libs.keys()) {
          if (policy === 'append' && this.libraries.has(name)) throw err(`ERR Library ${name} already exists`);
        }
        for (const lib of libs.values()) {
          for (const fname of lib.functions.keys()) {
            const owner = this.functions.get(fname)?.library;
            // A function of a library being replaced goes with it.
            if (owner !== undefined && !libs.has(owner)) throw err(`ERR Function ${fname} already exists`);
          }
        }
      }
    } catch (e) {
      dropAll();
      throw e;
    }
    if (policy === 'flush') this.flushLibraries();
    for (const lib of libs.values()) {
      this.deleteLibrary(lib.name);
      this.installLibrary(lib);
    }
  }

  /** Runs a library's code, which registers its functions, without installing it (FUNCTION LOAD's errors). */
  private buildLibrary(name: string, code: Buffer): Library {
    const vm = this.functionVM;
    const res = vm.load(code, '@user_function');
    if ('error' in res) throw err(`ERR Error compiling function: ${res.error}`);
    this.loading = new Map();
    this.loadingLib = name;
    const L = vm.L;
    const base = lua.lua_gettop(L);
    let registered: Map<string, LuaFunctionDef>;
    // A library's code gets LOAD_TIMEOUT_MS, as in Redis: it runs inside FUNCTION LOAD and cannot pause.
    const started = Date.now();
    const loadHook = (H: LuaState): void => {
      if (Date.now() - started < LOAD_TIMEOUT_MS) return;
      lua.lua_sethook(H, loadHook, lua.LUA_MASKLINE, 0);
      pushError(H, 'FUNCTION LOAD timeout');
      lua.lua_error(H);
    };
    lua.lua_sethook(L, loadHook, lua.LUA_MASKCOUNT, HOOK_EVERY);
    try {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, res.ref);
      vm.unref(res.ref);
      if (lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
        const text = lua.lua_type(L, -1) === lua.LUA_TTABLE ? tableErr(L) : `ERR ${luaToString(L, -1)}`;
        lua.lua_settop(L, base);
        for (const f of this.loading.values()) vm.unref(f.ref);
        throw err(`ERR Error registering functions: ${text}`);
      }
      registered = this.loading;
    } finally {
      this.loading = null;
      lua.lua_sethook(L, null, 0, 0);
    }
    const lib = { name, code, functions: registered };
    if (registered.size === 0) {
      this.dropLibrary(lib);
      throw err('ERR No functions registered');
    }
    return lib;
  }

  /** Frees the callbacks of a library that was built but is not installed. */
  private dropLibrary(lib: Library): void {
    for (const f of lib.functions.values()) this.fnVm?.unref(f.ref);
  }

  private installLibrary(lib: Library): void {
    this.libraries.set(lib.name, lib);
    for (const [fname, f] of lib.functions) this.functions.set(fname, f);
  }

  deleteLibrary(name: string): boolean {
    const lib = this.libraries.get(name);
    if (lib === undefined) return false;
    for (const [fname, f] of lib.functions) {
      this.functions.delete(fname);
      this.fnVm?.unref(f.ref);
    }
    this.libraries.delete(name);
    return true;
  }

  flushLibraries(): void {
    for (const name of [...this.libraries.keys()]) this.deleteLibrary(name);
  }

  /** redis.register_function(name, callback) or redis.register_function{function_name=..., callback=..., flags=..., description=...}. */
  private registerFunction(L: LuaState): number {
    const loading = this.loading;
    if (loading === null) return raiseError(L, 'redis.register_function can only be called on FUNCTION LOAD command');
    let nameIdx: number;
    let cbIdx: number;
    let flags: string[] = [];
    let description: Buffer | null = null;
    const argc = lua.lua_gettop(L);
    if (argc === 1 && lua.lua_type(L, 1) === lua.LUA_TTABLE) {
      lua.lua_getfield(L, 1, luaString('function_name'));
      lua.lua_getfield(L, 1, luaString('callback'));
      nameIdx = argc + 1;
      cbIdx = argc + 2;
      if (lua.lua_getfield(L, 1, luaString('description')) === lua.LUA_TSTRING) description = bytesAt(L, -1);
      lua.lua_pop(L, 1);
      const ft = lua.lua_getfield(L, 1, luaString('flags'));
      if (ft === lua.LUA_TTABLE) {
        for (let i = 1; lua.lua_rawgeti(L, -1, i) === lua.LUA_TSTRING; i++) {
          const f = bytesAt(L, -1).toString('latin1');
          lua.lua_pop(L, 1);
          if (!KNOWN_FLAGS.has(f)) return raiseError(L, 'unknown flag given');
          flags.push(f);
        }
        lua.lua_pop(L, 1);
      } else if (ft !== lua.LUA_TNIL) return raiseError(L, 'flags argument to redis.register_function must be a table representing function flags');
      lua.lua_pop(L, 1);
    } else if (argc === 2) {
      nameIdx = 1;
      cbIdx = 2;
    } else return raiseError(L, 'wrong number of arguments to redis.register_function');
    if (lua.lua_type(L, nameIdx) !== lua.LUA_TSTRING) return raiseError(L, 'function_name argument given to redis.register_function must be a string');
    if (lua.lua_type(L, cbIdx) !== lua.LUA_TFUNCTION) return raiseError(L, 'callback argument given to redis.register_function must be a function');
    const name = bytesAt(L, nameIdx).toString('latin1');
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      return raiseError(L, 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
    }
    if (loading.has(name)) return raiseError(L, 'Function already exists in the library');
    lua.lua_pushvalue(L, cbIdx);
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    flags = [...new Set(flags)];
    loading.set(name, { name, library: this.loadingLib, ref, flags, description });
    return 0;
  }
}

/** The library name from a FUNCTION LOAD shebang (`#!lua name=mylib`), with Redis's errors. */
function libraryName(code: Buffer): string {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21) throw err('ERR Missing library metadata');
  const end = code.indexOf(0x0a);
  if (end === -1) throw err('ERR Invalid library metadata');
  const parts = code.subarray(2, end).toString('latin1').split(' ').filter((p) => p.length > 0);
  const engine = parts[0] ?? '';
  let name: string | null = null;
  for (const p of parts.slice(1)) {
    if (p.startsWith('name=')) name = p.slice(5);
    else throw err(`ERR Invalid metadata value given: ${p}`);
  }
  if (engine.toLowerCase() !== 'lua') throw err(`ERR Engine '${engine}' not found`);
  if (name === null) throw err('ERR Library name was not given');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw err('ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
  return name;
}

function isNoscript(name: string, flags: readonly string[], argv: Buffer[]): boolean {
  if (flags.includes('noscript')) return true;
  if (!NOSCRIPT_CONTAINERS.has(name) || argv.length < 2) return false;
  return (argv[1] as Buffer).toString('latin1').toLowerCase() !== 'help';
}

function pushStrings(L: LuaState, items: readonly Buffer[]): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    lua.lua_pushstring(L, Uint8Array.from(items[i] as Buffer));
    lua.lua_rawseti(L, -2, i + 1);
  }
}

/** Raises Redis's error table {err = "ERR text"}. */
function raiseError(L: LuaState, text: string): never {
  pushError(L, text);
  return lua.lua_error(L);
}

/** tostring() of the value at idx, as the error handler prints a non-table error. */
function luaToString(L: LuaState, idx: number): string {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
    case lua.LUA_TNUMBER:
      return bytesAt(L, idx).toString('latin1');
    case lua.LUA_TNIL:
      return 'nil';
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, idx) ? 'true' : 'false';
    default:
      return 'unknown error';
  }
}

function tableErr(L: LuaState): string {
  lua.lua_getfield(L, -1, luaString('err'));
  const text = lua.lua_type(L, -1) === lua.LUA_TSTRING ? bytesAt(L, -1).toString('latin1') : 'ERR unknown error';
  lua.lua_pop(L, 1);
  return text;
}

function errorReply(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raiseError(L, 'wrong number or type of arguments');
  const text = bytesAt(L, 1).toString('latin1');
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, Buffer.from(errorText(text.startsWith('-') ? text : `-${text}`), 'latin1'));
  lua.lua_setfield(L, -2, luaString('err'));
  return 1;
}

function statusReply(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raiseError(L, 'wrong number or type of arguments');
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushvalue(L, 1);
  lua.lua_setfield(L, -2, luaString('ok'));
  return 1;
}

function sha1Lua(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) return raiseError(L, 'wrong number of arguments');
  const s = lua.lua_tolstring(L, 1) ?? new Uint8Array(0);
  lua.lua_pushstring(L, luaString(sha1hex(s)));
  return 1;
}

function versionNum(v: string): number {
  const [a = 0, b = 0, c = 0] = v.split('.').map(Number);
  return (a << 16) | (b << 8) | c;
}
