/**
 * Which typed error (errors.ts) a failure of the client's link becomes, with
 * a message naming the server: a context that died (timeout, refused AUTH,
 * EOF, a socket error), a command the context refused to send, and a command
 * the client still held when it closed for good. Pure functions of the
 * context's state, kept out of client.ts so that file is about the link's life.
 */
import { REDIS_CONNECTED, REDIS_ERR_EOF, REDIS_ERR_IO, REDIS_ERR_TIMEOUT, type RedisAsyncContext } from '@reactor-ts/hiredis-adapter';
import { CommandRefusedError, ConnectionError, TimeoutError } from './errors.js';

type Context = RedisAsyncContext<unknown>;

/** What `linkFailure` needs to know about the client. */
export interface LinkFailureInfo {
  /** The client was ready on this link (a timeout is then a command's, not the connect's). */
  ready: boolean;
  /** The deadlines, ms, to name in a TimeoutError. */
  commandTimeout: number;
  connectTimeout: number;
}

/**
 * The typed error for a context's failure, given to the commands in flight
 * on it: they were written, so each may have run (`mayHaveRun`).
 */
export function linkFailure(ac: Context, where: string, info: LinkFailureInfo): Error {
  const text = ac.errstr || 'connection lost';
  if (ac.err === REDIS_ERR_TIMEOUT) {
    const up = (ac.c.flags & REDIS_CONNECTED) !== 0 || info.ready;
    const ms = up ? info.commandTimeout : info.connectTimeout;
    return new TimeoutError(
      up
        ? `command to ${where} timed out after ${ms} ms; the connection was closed because reply order is lost`
        : `connecting to ${where} timed out after ${ms} ms`,
      ms,
    );
  }
  if (/^(WRONGPASS|NOAUTH|NOPERM)|invalid password|invalid username/i.test(text)) {
    return new ConnectionError(`authentication to ${where} failed: ${text}`, 'ERR_AUTH');
  }
  if (ac.err === REDIS_ERR_EOF) return new ConnectionError(`${where} closed the connection`, 'EOF');
  const code = ac.err === REDIS_ERR_IO ? (/\b(E[A-Z]{3,})\b/.exec(text)?.[1] ?? 'ERR_CONNECTION') : 'ERR_CONNECTION';
  return new ConnectionError(`connection to ${where} failed: ${text}`, code);
}

/** Why redisAsyncCommandArgv said REDIS_ERR: a dead context, or the command itself. */
export function commandNotSent(ac: Context, where: string): Error {
  if (ac.err !== 0) {
    return new ConnectionError(`command not sent: the connection to ${where} failed (${ac.errstr})`, 'ERR_CONNECTION', { mayHaveRun: false });
  }
  return new CommandRefusedError(`command not sent to ${where}: ${ac.commandErrstr}`);
}

/** The error given to a command the client held (never sent) when it closed for good. */
export function closedBecause(cause: Error, where: string): Error {
  if (cause instanceof ConnectionError) {
    return new ConnectionError(`command not sent: ${cause.message}`, cause.code, { cause, mayHaveRun: false });
  }
  if (cause instanceof TimeoutError) return new TimeoutError(`command not sent: ${cause.message}`, cause.timeoutMs, false);
  return new ConnectionError(`command not sent: the connection to ${where} is closed (${cause.message})`, 'ERR_CONNECTION', {
    cause,
    mayHaveRun: false,
  });
}

/**
 * Commands the client refuses before sending, and why: each would change
 * what the shared connection means for every other caller. MULTI would put
 * them inside a transaction (answered QUEUED, run at someone else's EXEC);
 * SUBSCRIBE and MONITOR would turn the connection into a stream whose
 * replies no single promise can hold. Checked on every command, so it looks
 * at the name's length before comparing anything.
 */
export function refusedByClient(name: unknown): string | null {
  if (typeof name !== 'string' || name.length < 5 || name.length > 12) return null;
  switch (name.toUpperCase()) {
    case 'MULTI':
      return 'MULTI on the shared connection would capture other callers\u2019 commands: use client.multi() (or watchRetry)';
    case 'MONITOR':
      return 'MONITOR turns the connection into a stream of lines: use client.monitor()';
    case 'SUBSCRIBE':
    case 'PSUBSCRIBE':
    case 'SSUBSCRIBE':
      return `${name.toUpperCase()} delivers messages, not one reply: use client.subscribe() / psubscribe() / ssubscribe()`;
    case 'UNSUBSCRIBE':
    case 'PUNSUBSCRIBE':
    case 'SUNSUBSCRIBE':
      return `${name.toUpperCase()} is answered by pub/sub confirmations: use client.unsubscribe() / punsubscribe() / sunsubscribe()`;
    default:
      return null;
  }
}

/**
 * Why a pipeline must not be sent, or null: checked whole before any of it
 * is written, so that a batch is never split (a transaction whose third
 * command the encoder refuses would otherwise run without it). A MULTI
 * must be closed by EXEC or DISCARD in the same batch; commands that
 * `refusedByClient` names are refused here too; every argument must be one
 * the encoder takes (string, Buffer/Uint8Array, bigint, number but NaN).
 */
export function batchRefusal(commands: ReadonlyArray<ReadonlyArray<unknown>>): string | null {
  let open = false;
  for (let i = 0; i < commands.length; i++) {
    const argv = commands[i]!;
    if (argv.length === 0) return `command ${i} of the pipeline is empty`;
    const first = argv[0];
    // Only a name of 4, 5 or 7 characters can be EXEC, MULTI or DISCARD: the
    // others (INCR, GET, ...) are not upper-cased, a string fewer per command.
    const len = typeof first === 'string' ? first.length : 0;
    const name = len === 4 || len === 5 || len === 7 ? (first as string).toUpperCase() : '';
    if (name === 'MULTI') open = true;
    else if (name === 'EXEC' || name === 'DISCARD') open = false;
    else {
      const why = refusedByClient(first);
      if (why !== null) return why;
    }
    for (let j = 0; j < argv.length; j++) {
      const a = argv[j];
      const ok =
        typeof a === 'string' || typeof a === 'bigint' || a instanceof Uint8Array || (typeof a === 'number' && !Number.isNaN(a));
      if (!ok) return `argument ${j} of command ${i} of the pipeline must be a string, Buffer, number or bigint, got ${a === null ? 'null' : typeof a}`;
    }
  }
  return open ? 'a MULTI without EXEC or DISCARD after it in the same pipeline would leave the connection inside a transaction' : null;
}
