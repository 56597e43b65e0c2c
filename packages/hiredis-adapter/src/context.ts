/**
 * hiredis's asynchronous API (`async.h`): create a context, attach it to an
 * event loop (`redisAttach`, attach.ts), issue commands with callbacks.
 *
 * A context is created unattached and opens no socket: the connection is
 * started by `redisAttach`, which asks the reactor for an outbound connect.
 * Commands issued before that are queued and sent once the connection (and
 * its handshake: AUTH, HELLO 3, SELECT, CLIENT SETNAME) is complete.
 *
 * Every `redisAsyncCommand*` returns REDIS_OK, in which case its callback
 * will run exactly once (with the reply, or with null if the context fails
 * or is freed first; SUBSCRIBE's runs once per message), or REDIS_ERR, in
 * which case it never runs and `ac.commandErrstr` says why.
 */
import { formatCommand, type CommandArgument, type FormatArgument, type RedisReply } from '@reactor-ts/resp';
import { CMD_NORMAL, CMD_SUBSCRIBE, CMD_UNSUBSCRIBE, commandArgs, kindOfName } from './command-info.js';
import { REDIS_ERR, REDIS_ERR_OTHER, REDIS_OK } from './constants.js';
import { AsyncContext, engineOf } from './engine.js';
import { resolveOptions } from './options.js';
import { applyAsyncTls } from './ssl.js';
import type {
  RedisAsyncContext,
  RedisAsyncOptions,
  RedisCallbackFn,
  RedisConnectCallback,
  RedisDisconnectCallback,
  RedisAsyncPushCallback,
} from './types.js';

export type {
  RedisAsyncContext,
  RedisAsyncOptions,
  RedisCallbackFn,
  RedisConnectCallback,
  RedisConnectionInfo,
  RedisDisconnectCallback,
  RedisEventHooks,
  RedisAsyncPushCallback,
  RedisSSLContext,
  RedisSSLVerifyMode,
} from './types.js';

/** A TCP context for `host:port`, not yet connected (see `redisAttach`). */
export function redisAsyncConnect(host: string, port: number): RedisAsyncContext {
  return redisAsyncConnectWithOptions({ host, port });
}

/** A unix-socket context for `path`, not yet connected. */
export function redisAsyncConnectUnix(path: string): RedisAsyncContext {
  return redisAsyncConnectWithOptions({ path });
}

/**
 * A context with every option (timeouts, AUTH, HELLO 3, SELECT, SETNAME).
 * Bad options do not throw: as in hiredis, the context comes back with
 * `err` set (REDIS_ERR_OTHER) and `errstr` naming the field, and refuses
 * every command.
 */
export function redisAsyncConnectWithOptions<R = RedisReply>(opts: RedisAsyncOptions): RedisAsyncContext<R> {
  try {
    const ac = new AsyncContext<R>(resolveOptions(opts));
    if (opts.ssl !== undefined && applyAsyncTls(ac.c, opts.ssl) !== REDIS_OK) {
      ac.failEarly(REDIS_ERR_OTHER, 'ssl: TLS needs a TCP connection and a live SSL context');
    }
    return ac;
  } catch (err) {
    const ac = new AsyncContext<R>(resolveOptions({}));
    ac.failEarly(REDIS_ERR_OTHER, err instanceof Error ? err.message : String(err));
    return ac;
  }
}

/**
 * Sets the callback run once the connection is usable (REDIS_OK), or when
 * connecting failed (REDIS_ERR; `ac.err`/`ac.errstr` say why: refused,
 * timeout, or the server's answer to AUTH/HELLO/SELECT). Settable once:
 * a second call returns REDIS_ERR.
 */
export function redisAsyncSetConnectCallback<R>(ac: RedisAsyncContext<R>, fn: RedisConnectCallback<R>): number {
  const engine = engineOf(ac);
  if (engine.onConnect !== null) return REDIS_ERR;
  engine.onConnect = fn;
  return REDIS_OK;
}

/**
 * Sets the callback run when a context that had connected goes away:
 * REDIS_OK after `redisAsyncDisconnect`/`redisAsyncFree` or QUIT, REDIS_ERR
 * when the link failed (`ac.err` says how). Settable once.
 */
export function redisAsyncSetDisconnectCallback<R>(ac: RedisAsyncContext<R>, fn: RedisDisconnectCallback<R>): number {
  const engine = engineOf(ac);
  if (engine.onDisconnect !== null) return REDIS_ERR;
  engine.onDisconnect = fn;
  return REDIS_OK;
}

/**
 * Sets the callback for RESP3 push frames that are not pub/sub traffic
 * (client-side caching `invalidate`, ...). Returns the previous one.
 */
export function redisAsyncSetPushCallback<R>(
  ac: RedisAsyncContext<R>,
  fn: RedisAsyncPushCallback<R> | null,
): RedisAsyncPushCallback<R> | null {
  const engine = engineOf(ac);
  const old = engine.onPush;
  engine.onPush = fn;
  return old;
}

/**
 * Sets the deadline (ms) of every command issued from now on; 0 or a
 * negative value removes it. When a command's deadline passes without a
 * reply, the context fails with REDIS_ERR_TIMEOUT: the connection is closed
 * (a late reply would be taken for the next command's) and every pending
 * callback gets a null reply. For one command only, set it, issue the
 * command, and set it back.
 */
export function redisAsyncSetTimeout<R>(ac: RedisAsyncContext<R>, ms: number): number {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return REDIS_ERR;
  engineOf(ac).setCommandTimeout(ms > 0 && ms !== Infinity ? ms : null);
  return REDIS_OK;
}

/**
 * Not in hiredis: the string mode ('string' or 'buffer') of the replies to
 * the commands issued from now on, on a context of the native builder;
 * null goes back to the context's own `stringMode`. For one command, set it,
 * issue the command, and set it back. Only a command answered by one
 * ordinary reply takes it (not (un)subscribe or MONITOR); push frames keep
 * the context's mode.
 */
export function redisAsyncSetStringMode<R>(ac: RedisAsyncContext<R>, mode: 'string' | 'buffer' | null): number {
  if (mode !== null && mode !== 'string' && mode !== 'buffer') return REDIS_ERR;
  engineOf(ac).setStringMode(mode);
  return REDIS_OK;
}

/**
 * hiredis's `redisAsyncCommand`: a command from a format string
 * (`%s %b %d %%` and printf's numeric forms, see `formatCommand`).
 * `fn(ac, reply, privdata)` receives the reply; `fn` may be null.
 *
 * SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE register `fn` for each channel or
 * pattern: it receives the confirmation, then every message, then the
 * unsubscribe confirmation (its last call) — the one callback that runs more
 * than once. (P|S)UNSUBSCRIBE's `fn` runs once, with its last confirmation.
 */
export function redisAsyncCommand<R>(
  ac: RedisAsyncContext<R>,
  fn: RedisCallbackFn<R> | null,
  privdata: unknown,
  fmt: string,
  ...args: FormatArgument[]
): number {
  const engine = engineOf(ac);
  let bytes: Buffer;
  try {
    bytes = formatCommand(fmt, ...args);
  } catch (err) {
    return engine.refuse(err instanceof Error ? err.message : String(err));
  }
  return issueFormatted(engine, fn, privdata, bytes);
}

/** hiredis's `redisAsyncCommandArgv`: one argument per element, binary-safe. */
export function redisAsyncCommandArgv<R>(
  ac: RedisAsyncContext<R>,
  fn: RedisCallbackFn<R> | null,
  privdata: unknown,
  argv: ReadonlyArray<CommandArgument>,
): number {
  const engine = engineOf(ac);
  if (!Array.isArray(argv) || argv.length === 0) return engine.refuse('redisAsyncCommandArgv: argv must be a non-empty array');
  const first = argv[0];
  const name = typeof first === 'string' ? first : first instanceof Uint8Array ? Buffer.from(first).toString() : '';
  const kind = kindOfName(name);
  const args = kind === CMD_SUBSCRIBE || kind === CMD_UNSUBSCRIBE ? argv.map(argToString) : null;
  // Encoded by the engine, in place in the output queue when it can be.
  return engine.command(argv, kind, args, fn, privdata);
}

/**
 * hiredis's `redisAsyncFormattedCommand`: exactly one command already in
 * RESP (e.g. from `encodeCommand`), sent as it is.
 */
export function redisAsyncFormattedCommand<R>(
  ac: RedisAsyncContext<R>,
  fn: RedisCallbackFn<R> | null,
  privdata: unknown,
  cmd: Uint8Array,
): number {
  const engine = engineOf(ac);
  if (!(cmd instanceof Uint8Array) || cmd.length === 0) {
    return engine.refuse('redisAsyncFormattedCommand: cmd must be a non-empty Uint8Array');
  }
  return issueFormatted(engine, fn, privdata, cmd);
}

function issueFormatted<R>(engine: AsyncContext<R>, fn: RedisCallbackFn<R> | null, privdata: unknown, bytes: Uint8Array): number {
  const name = commandArgs(bytes, 1)?.[0] ?? '';
  const kind = kindOfName(name);
  const args = kind === CMD_SUBSCRIBE || kind === CMD_UNSUBSCRIBE ? commandArgs(bytes) : null;
  const pubsub = kind === CMD_SUBSCRIBE || kind === CMD_UNSUBSCRIBE;
  return engine.command(bytes, pubsub && args === null ? CMD_NORMAL : kind, args, fn, privdata);
}

function argToString(a: CommandArgument): string {
  return typeof a === 'string' ? a : a instanceof Uint8Array ? Buffer.from(a).toString() : String(a);
}

/**
 * hiredis's `redisAsyncDisconnect`: refuses new commands, lets every pending
 * reply arrive and reach its callback, then closes and calls the disconnect
 * callback with REDIS_OK. Safe inside a callback.
 */
export function redisAsyncDisconnect<R>(ac: RedisAsyncContext<R>): void {
  engineOf(ac).disconnect();
}

/**
 * hiredis's `redisAsyncFree`: closes now. Every pending callback (and every
 * subscription's) runs once with a null reply and `ac.err` set; then the
 * disconnect callback (REDIS_OK, if it had connected) and `dataCleanup`.
 * Inside a callback, this happens as soon as that callback returns.
 */
export function redisAsyncFree<R>(ac: RedisAsyncContext<R>): void {
  engineOf(ac).free();
}

/** The connection has bytes to read: parse replies and run their callbacks. */
export function redisAsyncHandleRead<R>(ac: RedisAsyncContext<R>): void {
  engineOf(ac).handleRead();
}

/** The connection is writable: finish connecting, or send queued commands. */
export function redisAsyncHandleWrite<R>(ac: RedisAsyncContext<R>): void {
  engineOf(ac).handleWrite();
}

/**
 * The context's timer fired: if the connect deadline or a command's deadline
 * has passed, fail with REDIS_ERR_TIMEOUT; otherwise re-arm for the next one.
 */
export function redisAsyncHandleTimeout<R>(ac: RedisAsyncContext<R>): void {
  engineOf(ac).handleTimeout();
}
