/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD / EXISTS / FLUSH / KILL,
 * and FCALL / FCALL_RO with FUNCTION LOAD / LIST / DELETE / FLUSH / KILL /
 * STATS / DUMP / RESTORE. The engine (../scripting.ts) compiles, runs and pauses scripts;
 * these handlers parse arguments with Redis's error texts.
 */
import { SimpleString } from '@reactor-ts/resp';
import { intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { globMatch } from '../glob.js';
import { LdbSession } from '../lua/ldb.js';
import { verifyPayload } from '../rdb.js';
import { dumpFunctions, restoreFunctions } from '../rdb-functions.js';
import { err, OK, unknownSubcommand, wrongArity } from '../reply.js';
import { is } from './util.js';

const NOSCRIPT = err('NOSCRIPT No matching script. Please use EVAL.');

/** numkeys at argv[2], then its keys and the remaining args. */
function keysAndArgs(argv: Buffer[]): { keys: Buffer[]; args: Buffer[] } {
  const n = intArg(argv[2] as Buffer);
  if (n > argv.length - 3) throw err("ERR Number of keys can't be greater than number of args");
  if (n < 0) throw err("ERR Number of keys can't be negative");
  return { keys: argv.slice(3, 3 + n), args: argv.slice(3 + n) };
}

function evalGeneric(c: Client, argv: Buffer[], bySha: boolean, readOnly: boolean): unknown {
  const engine = c.server.scripting;
  const { keys, args } = keysAndArgs(argv);
  const debug = engine.debugModes.get(c);
  if (debug !== undefined && bySha) throw err('ERR Please use EVAL instead of EVALSHA for debugging');
  let sha: string;
  if (bySha) {
    sha = (argv[1] as Buffer).toString('latin1').toLowerCase();
    if (!engine.scripts.has(sha)) throw NOSCRIPT;
  } else {
    sha = engine.loadScript(argv[1] as Buffer);
  }
  const ldb = debug === undefined ? null : new LdbSession(argv[1] as Buffer, debug);
  return engine.evalScript(c, sha, keys, args, readOnly, argv, ldb);
}

function flushMode(argv: Buffer[], container: string): void {
  if (argv.length === 2) return;
  if (argv.length === 3 && (is(argv[2] as Buffer, 'sync') || is(argv[2] as Buffer, 'async'))) return;
  // Redis's two texts differ by one letter.
  throw err(`ERR ${container} FLUSH only ${container === 'SCRIPT' ? 'support' : 'supports'} SYNC|ASYNC option`);
}

function script(c: Client, argv: Buffer[]): unknown {
  const engine = c.server.scripting;
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  switch (sub) {
    case 'load':
      if (argv.length !== 3) throw wrongArity('script|load');
      return Buffer.from(engine.loadScript(argv[2] as Buffer));
    case 'exists':
      if (argv.length < 3) throw wrongArity('script|exists');
      return argv.slice(2).map((s) => (engine.scripts.has(s.toString('latin1').toLowerCase()) ? 1 : 0));
    case 'flush':
      flushMode(argv, 'SCRIPT');
      engine.flushScripts();
      return OK;
    case 'kill': {
      if (argv.length !== 2) throw wrongArity('script|kill');
      return engine.kill(true) ?? OK;
    }
    case 'debug': {
      if (argv.length !== 3) throw wrongArity('script|debug');
      // Inside EXEC (the only place a client denies blocking): Redis sees the transaction's pending replies.
      if (c.denyBlocking) throw err('ERR SCRIPT DEBUG must be called outside a pipeline');
      const mode = argv[2] as Buffer;
      if (is(mode, 'no')) engine.debugModes.delete(c);
      else if (is(mode, 'yes')) engine.debugModes.set(c, 'yes');
      else if (is(mode, 'sync')) engine.debugModes.set(c, 'sync');
      else throw err('ERR Use SCRIPT DEBUG YES/SYNC/NO');
      return OK;
    }
    default:
      throw unknownSubcommand(argv[1] as Buffer, 'script');
  }
}

function fcall(c: Client, argv: Buffer[], readOnly: boolean): unknown {
  const { keys, args } = keysAndArgs(argv);
  return c.server.scripting.callFunction(c, (argv[1] as Buffer).toString('latin1'), keys, args, readOnly, argv);
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]. */
function functionList(c: Client, argv: Buffer[]): unknown {
  let pattern: string | null = null;
  let withCode = false;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i] as Buffer;
    if (is(a, 'withcode')) {
      if (withCode) throw err('ERR Unknown argument withcode');
      withCode = true;
    } else if (is(a, 'libraryname') && i + 1 < argv.length) {
      if (pattern !== null) throw err('ERR library name argument was already given');
      pattern = (argv[++i] as Buffer).toString('latin1');
    } else throw err(`ERR Unknown argument ${a.toString('latin1')}`);
  }
  const out: unknown[] = [];
  for (const lib of c.server.scripting.libraries.values()) {
    if (pattern !== null && !globMatch(pattern, lib.name)) continue;
    const fns = [...lib.functions.values()].map(
      (f) =>
        new Map<string, unknown>([
          ['name', Buffer.from(f.name, 'latin1')],
          ['description', f.description],
          ['flags', new Set(f.flags.map((x) => new SimpleString(x)))],
        ]),
    );
    const entry = new Map<string, unknown>([
      ['library_name', Buffer.from(lib.name, 'latin1')],
      ['engine', Buffer.from('LUA')],
      ['functions', fns],
    ]);
    if (withCode) entry.set('library_code', lib.code);
    out.push(entry);
  }
  return out;
}

function functionStats(c: Client): unknown {
  const engine = c.server.scripting;
  const run = engine.running;
  let functionsCount = 0;
  for (const lib of engine.libraries.values()) functionsCount += lib.functions.size;
  const running =
    run === null || run.isEval
      ? null
      : new Map<string, unknown>([
          ['name', Buffer.from(run.name, 'latin1')],
          ['command', [...run.argv]],
          ['duration_ms', Date.now() - run.startedAt],
        ]);
  return new Map<string, unknown>([
    ['running_script', running],
    [
      'engines',
      new Map([['LUA', new Map([['libraries_count', engine.libraries.size], ['functions_count', functionsCount]])]]),
    ],
  ]);
}

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE], with Redis's checks in its order. */
function functionRestore(c: Client, argv: Buffer[]): unknown {
  if (argv.length < 3) throw wrongArity('function|restore');
  if (argv.length > 4) {
    throw err(`ERR unknown subcommand or wrong number of arguments for '${(argv[1] as Buffer).toString('latin1')}'. Try FUNCTION HELP.`);
  }
  let policy: 'flush' | 'append' | 'replace' = 'append';
  if (argv.length === 4) {
    const p = argv[3] as Buffer;
    if (is(p, 'append')) policy = 'append';
    else if (is(p, 'replace')) policy = 'replace';
    else if (is(p, 'flush')) policy = 'flush';
    else throw err('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
  }
  const payload = argv[2] as Buffer;
  if (!verifyPayload(payload)) throw err('ERR DUMP payload version or checksum are wrong');
  let codes: Buffer[];
  try {
    codes = restoreFunctions(payload);
  } catch (e) {
    throw err(`ERR ${(e as Error).message}`);
  }
  c.server.scripting.restoreLibraries(codes, policy);
  return OK;
}

function fn(c: Client, argv: Buffer[]): unknown {
  const engine = c.server.scripting;
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  switch (sub) {
    case 'load': {
      if (argv.length !== 3 && argv.length !== 4) throw wrongArity('function|load');
      let replace = false;
      if (argv.length === 4) {
        if (!is(argv[2] as Buffer, 'replace')) throw err(`ERR Unknown option given: ${(argv[2] as Buffer).toString('latin1')}`);
        replace = true;
      }
      return Buffer.from(engine.loadLibrary(argv[argv.length - 1] as Buffer, replace), 'latin1');
    }
    case 'list':
      return functionList(c, argv);
    case 'delete':
      if (argv.length !== 3) throw wrongArity('function|delete');
      if (!engine.deleteLibrary((argv[2] as Buffer).toString('latin1'))) throw err('ERR Library not found');
      return OK;
    case 'flush':
      flushMode(argv, 'FUNCTION');
      engine.flushLibraries();
      return OK;
    case 'kill':
      if (argv.length !== 2) throw wrongArity('function|kill');
      return engine.kill(false) ?? OK;
    case 'stats':
      if (argv.length !== 2) throw wrongArity('function|stats');
      return functionStats(c);
    case 'dump':
      if (argv.length !== 2) throw wrongArity('function|dump');
      return dumpFunctions([...engine.libraries.values()].map((lib) => lib.code));
    case 'restore':
      return functionRestore(c, argv);
    default:
      throw unknownSubcommand(argv[1] as Buffer, 'function');
  }
}

export const scriptingCommands: Command[] = [
  command('eval', -3, 'noscript skip_monitor may_replicate no_mandatory_keys stale', (c, argv) => evalGeneric(c, argv, false, false)),
  command('evalsha', -3, 'noscript skip_monitor may_replicate no_mandatory_keys stale', (c, argv) => evalGeneric(c, argv, true, false)),
  command('eval_ro', -3, 'noscript skip_monitor no_mandatory_keys stale readonly', (c, argv) => evalGeneric(c, argv, false, true), [0, 0, 0]),
  command('evalsha_ro', -3, 'noscript skip_monitor no_mandatory_keys stale readonly', (c, argv) => evalGeneric(c, argv, true, true), [0, 0, 0]),
  command('fcall', -3, 'noscript skip_monitor may_replicate no_mandatory_keys stale', (c, argv) => fcall(c, argv, false)),
  command('fcall_ro', -3, 'noscript skip_monitor no_mandatory_keys stale readonly', (c, argv) => fcall(c, argv, true), [0, 0, 0]),
  { ...command('script', -2, 'noscript', script), subcommands: ['debug', 'exists', 'flush', 'kill', 'load'] },
  { ...command('function', -2, 'noscript', fn), subcommands: ['delete', 'dump', 'flush', 'kill', 'list', 'load', 'restore', 'stats'] },
];
