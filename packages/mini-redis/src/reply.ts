/**
 * Reply values shared by the commands, and Redis's error texts word for
 * word. A command returns a value that `encodeReply` understands (Buffer =
 * bulk, number = integer, null, arrays, Map, SimpleString, ReplyError...);
 * errors that abort a command midway are thrown as `ReplyError` and turned
 * into the reply by the dispatcher.
 */
import { ReplyError, SimpleString } from '@reactor-ts/resp';

/** `*-1` in RESP2, `_` in RESP3: a missing array (EXEC after a WATCH fired, LPOP key n on no key). */
export { NULL_ARRAY } from '@reactor-ts/resp';

/** The Redis version whose protocol and replies mini-redis follows (HELLO, INFO). */
export const REDIS_VERSION = '7.0.0';

export const OK = new SimpleString('OK');
export const PONG = new SimpleString('PONG');
export const QUEUED = new SimpleString('QUEUED');

/** The handler already wrote its replies itself (SUBSCRIBE writes one per channel). */
export const NO_REPLY: unique symbol = Symbol('no-reply');

export const WRONGTYPE = new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
export const NOT_INTEGER = new ReplyError('ERR value is not an integer or out of range');
export const NOT_FLOAT = new ReplyError('ERR value is not a valid float');
export const SYNTAX = new ReplyError('ERR syntax error');
export const NOAUTH = new ReplyError('NOAUTH Authentication required.');
export const WRONGPASS = new ReplyError('WRONGPASS invalid username-password pair or user is disabled.');
export const OVERFLOW = new ReplyError('ERR increment or decrement would overflow');
export const MUST_BE_POSITIVE = new ReplyError('ERR value is out of range, must be positive');

/** A script is busy (scripting.ts): what the other clients get. */
/** Refused over maxmemory: a denyoom command, or a script's first denyoom write (scripting.ts). */
export const OOM_MESSAGE = "OOM command not allowed when used memory > 'maxmemory'.";
export const BUSY_EVAL = new ReplyError('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
export const BUSY_FUNCTION = new ReplyError('BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.');
export const NOTBUSY = new ReplyError('NOTBUSY No scripts in execution right now.');
export const UNKILLABLE = new ReplyError(
  'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
);

export function err(text: string): ReplyError {
  return new ReplyError(text);
}

/** Redis replaces CR and LF in error texts with spaces so the line stays one line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

export function unknownCommand(argv: Buffer[]): ReplyError {
  // Redis: each argument as '%.*s ' while the list is shorter than 128 bytes.
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${(argv[i] as Buffer).toString('latin1').slice(0, 128 - args.length)}' `;
  }
  const name = (argv[0] as Buffer).toString('latin1').slice(0, 128);
  return new ReplyError(oneLine(`ERR unknown command '${name}', with args beginning with: ${args}`));
}

export function unknownSubcommand(sub: Buffer, container: string): ReplyError {
  return new ReplyError(
    oneLine(`ERR unknown subcommand '${sub.toString('latin1').slice(0, 128)}'. Try ${container.toUpperCase()} HELP.`),
  );
}

export function wrongArity(fullname: string): ReplyError {
  return new ReplyError(`ERR wrong number of arguments for '${fullname}' command`);
}

/**
 * An int64 result (INCR, HINCRBY): a number when exact (the batch writer's
 * fast path), else the bigint, which `encodeReply` sends as `:` like Redis.
 */
export function integerReply(n: bigint): number | bigint {
  const v = Number(n);
  return Number.isSafeInteger(v) ? v : n;
}
