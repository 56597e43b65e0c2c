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

/** The typed error for a context's failure. */
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
  if (ac.err !== 0) return new ConnectionError(`command not sent: the connection to ${where} failed (${ac.errstr})`);
  return new CommandRefusedError(`command not sent to ${where}: ${ac.commandErrstr}`);
}

/** The error given to a command the client held when it closed for good. */
export function closedBecause(cause: Error, where: string): Error {
  if (cause instanceof ConnectionError) {
    return new ConnectionError(`command not sent: ${cause.message}`, cause.code, { cause });
  }
  if (cause instanceof TimeoutError) return new TimeoutError(`command not sent: ${cause.message}`, cause.timeoutMs);
  return new ConnectionError(`command not sent: the connection to ${where} is closed (${cause.message})`, 'ERR_CONNECTION', { cause });
}
