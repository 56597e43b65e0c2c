/**
 * Running one request, with Redis's checks in Redis's order
 * (`processCommand`): lookup and arity, authentication, the RESP2
 * subscribed-mode restriction, then MULTI queueing, then the call itself.
 * A rejection inside MULTI flags the transaction so EXEC aborts.
 */
import { ReplyError } from '@reactor-ts/resp';
import type { Client } from './client.js';
import type { Command } from './command.js';
import type { KeyspaceShared } from './db.js';
import { NOTIFY_KEY_MISS, readsKeys } from './notify.js';
import type { CommandStat } from './state.js';
import { BUSY_EVAL, BUSY_FUNCTION, err, NO_REPLY, NOAUTH, OOM_MESSAGE, QUEUED, unknownCommand, wrongArity } from './reply.js';

/** What a RESP2 client may send while subscribed. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);
/** Commands a connection may send while another's script is busy (Redis's allow_busy flag). */
const ALLOW_BUSY = new Set(['auth', 'hello', 'quit', 'reset', 'multi', 'discard', 'watch', 'unwatch', 'shutdown', 'script|kill', 'function|kill', 'function|stats']);
/** Run at once even inside MULTI. */
const MULTI_CONTROL = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** Commands whose first argument is a subcommand: CLIENT LIST shows them as `client|list`. */
const CONTAINERS = new Set(['client', 'config', 'pubsub', 'object', 'command', 'script', 'function', 'xinfo', 'xgroup', 'memory', 'acl', 'debug']);

/** `set`, or `client|list` for a container command, as Redis names commands in CLIENT LIST and INFO. */
function fullName(cmd: Command, argv: Buffer[]): string {
  return CONTAINERS.has(cmd.name) && argv.length > 1 ? `${cmd.name}|${(argv[1] as Buffer).toString('latin1').toLowerCase()}` : cmd.name;
}

export function processCommand(c: Client, argv: Buffer[]): void {
  if (argv.length === 0 || c.closing) return;
  // A Lua debugging session stopped at a line reads its client's commands itself (SCRIPT DEBUG).
  if (c.server.scripting.debugging === c) return c.server.scripting.ldbCommand(argv);
  // CLIENT REPLY SKIP drops the reply of the command after it, and only that one.
  c.skipCurrent = c.skipNext;
  c.skipNext = false;
  const cmd = c.server.lookup.find(argv[0] as Buffer);
  if (cmd === undefined) return reject(c, unknownCommand(argv), null);
  const full = fullName(cmd, argv);
  c.lastCommand = full;
  const name = cmd.name;
  if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
    return reject(c, wrongArity(cmd.name), c.lastCommand);
  }
  if (!c.authenticated && !cmd.noAuth) return reject(c, NOAUTH, c.lastCommand);
  if (c.server.config.maxmemory > 0) {
    // Kept for the command's scripts (Redis's pre_command_oom_state): their first denyoom write is refused.
    const oom = (c.server.scripting.oomAtStart = !performEvictions(c));
    if (oom && rejectOnOom(c, cmd, argv)) return reject(c, OOM, c.lastCommand);
  }
  if (c.protocol === 2 && c.subscriptions > 0 && !PUBSUB_ALLOWED.has(name)) {
    const text = `ERR Can't execute '${cmd.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
    return reject(c, err(text), c.lastCommand);
  }
  // Another client's script is busy (paused for the reactor): only the allowed few run.
  const busy = c.server.scripting.busy;
  if (busy !== null && !ALLOW_BUSY.has(c.lastCommand)) {
    return reject(c, busy.isEval ? BUSY_EVAL : BUSY_FUNCTION, c.lastCommand);
  }
  if (c.multi !== null && !MULTI_CONTROL.has(name)) {
    c.multi.push({ cmd, argv });
    c.send(QUEUED);
    return;
  }
  const reply = call(c, cmd, argv, full);
  if (reply !== NO_REPLY) c.send(reply);
}

const OOM = err(OOM_MESSAGE);

/** Redis's performEvictions before a command: false when the dataset cannot be brought under maxmemory. */
function performEvictions(c: Client): boolean {
  const s = c.server;
  const cfg = s.config;
  return s.evictor.evict(s.store.dbs, cfg.maxmemoryPolicy, cfg.maxmemorySamples, cfg.maxmemory, () => s.store.usedMemory(), s.store.shared.clock.now);
}

/**
 * Over maxmemory, Redis refuses denyoom commands (a script that declares
 * flags is one unless allow-oom or no-writes: ScriptingEngine.deniesOom),
 * EXEC of a transaction holding one, and anything queued in MULTI.
 */
function rejectOnOom(c: Client, cmd: Command, argv: Buffer[]): boolean {
  const denyoom = (q: Command, a: readonly Buffer[]): boolean => q.flags.includes('denyoom') || c.server.scripting.deniesOom(q.name, a);
  if (denyoom(cmd, argv)) return true;
  if (cmd.name === 'exec') return c.multi?.some((q) => denyoom(q.cmd, q.argv)) === true;
  return c.multi !== null && cmd.name !== 'discard' && cmd.name !== 'quit' && cmd.name !== 'reset';
}

/** The stats line of command `name` (created on first use). */
function statOf(stats: Map<string, CommandStat>, name: string): CommandStat {
  let st = stats.get(name);
  if (st === undefined) stats.set(name, (st = { calls: 0, usec: 0, rejected: 0, failed: 0 }));
  return st;
}

/** Counts an error reply by its first word, as INFO errorstats does. */
export function countError(c: Client, error: ReplyError): void {
  const stats = c.server.stats;
  stats.errorReplies++;
  const msg = error.message;
  const space = msg.indexOf(' ');
  const prefix = space === -1 ? msg : msg.slice(0, space);
  stats.errors.set(prefix, (stats.errors.get(prefix) ?? 0) + 1);
}

/**
 * Runs the handler; a thrown ReplyError becomes the reply. Counted in INFO
 * commandstats: calls and failures, not time: a clock read per command was
 * measured here to cost as much as a GET itself (~0.5 µs), so usec stays 0.
 */
export function call(c: Client, cmd: Command, argv: Buffer[], full?: string): unknown {
  let reply: unknown;
  try {
    // Class `m` on: misses of a reading command publish keymiss (db.ts); one AND otherwise.
    if ((c.db.events.flags & NOTIFY_KEY_MISS) === 0) reply = cmd.handler(c, argv);
    else reply = callReadingMisses(c, cmd, argv, c.db.shared);
  } catch (e) {
    if (!(e instanceof ReplyError)) throw e;
    reply = e;
  }
  // Recorded after the call, as Redis does: CONFIG RESETSTAT then counts itself once.
  c.server.stats.commands++;
  // `full`: the caller's fullName of this very request (one per command on the hot path).
  const st = statOf(c.server.stats.commandStats, full ?? fullName(cmd, argv));
  st.calls++;
  if (reply instanceof ReplyError) {
    st.failed++;
    countError(c, reply);
  }
  return reply;
}

/** Runs `cmd` with `readMiss` set as Redis's lookupKeyRead would publish for it, restored after (EXEC and scripts nest calls). */
function callReadingMisses(c: Client, cmd: Command, argv: Buffer[], shared: KeyspaceShared): unknown {
  const outer = shared.readMiss;
  shared.readMiss = readsKeys(cmd, argv);
  try {
    return cmd.handler(c, argv);
  } finally {
    shared.readMiss = outer;
  }
}

function reject(c: Client, error: ReplyError, name: string | null): void {
  if (c.multi !== null) c.multiError = true;
  // A refusal of a known command counts as its rejected call; an unknown command has no line.
  if (name !== null) statOf(c.server.stats.commandStats, name).rejected++;
  countError(c, error);
  c.send(error);
}
