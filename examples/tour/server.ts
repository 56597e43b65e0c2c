/**
 * Step 8, the point of the article's §5.2: a TCP server on the reactor that
 * uses Redis in the same loop. Clients speak a line protocol: each line is a
 * Redis command (`INCR hits`, `GET hits`, `SET k "a b"`), run through ONE
 * asynchronous context attached to the same reactor; its callback writes the
 * reply back, formatted as redis-cli prints it. No thread, no await: accept,
 * read, command and reply are all callbacks of one loop.
 */
import * as net from 'node:net';
import {
  REDIS_ERR,
  redisAsyncCommandArgv,
  redisAsyncDisconnect,
  redisAsyncFree,
} from '@reactor-ts/hiredis-adapter';
import { EV_READ, eventBufferWrite, type ReactorError, type ReactorEvent, type ServerTlsOptions } from '@reactor-ts/reactor';
import {
  REDIS_REPLY_ARRAY,
  REDIS_REPLY_BIGNUM,
  REDIS_REPLY_BOOL,
  REDIS_REPLY_DOUBLE,
  REDIS_REPLY_ERROR,
  REDIS_REPLY_INTEGER,
  REDIS_REPLY_MAP,
  REDIS_REPLY_NIL,
  REDIS_REPLY_PUSH,
  REDIS_REPLY_SET,
  REDIS_REPLY_STATUS,
  type RedisReply,
} from '@reactor-ts/resp';
import { heading, say } from './output.js';
import { attachAsyncContext, withTimeout, type TourContext } from './step.js';

/** Longest line a client may send; past it the client is told and closed (memory stays bounded). */
const MAX_LINE = 64 * 1024;
/** Most answers a client may have outstanding (it sends faster than it reads); past it, it is closed. */
const MAX_PENDING = 10_000;

/**
 * Commands that would change the shared connection's state for every client
 * (a transaction, subscribed mode, a blocking wait) are refused.
 */
const REFUSED = new Set([
  'multi', 'exec', 'discard', 'watch', 'unwatch', 'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe',
  'punsubscribe', 'sunsubscribe', 'monitor', 'select', 'auth', 'hello', 'reset', 'quit', 'client',
  'blpop', 'brpop', 'blmove', 'brpoplpush', 'bzpopmin', 'bzpopmax', 'blmpop', 'bzmpop', 'xread', 'xreadgroup', 'wait',
]);

export interface TourServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const GREETING = 'tour server: one Redis command per line (e.g. INCR hits), "exit" to leave';

export async function startTourServer(
  ctx: TourContext,
  opts: { host: string; port: number; tls?: ServerTlsOptions },
): Promise<TourServer> {
  heading(8, 'A TCP server and Redis in one loop', '§5.2 redis driver');
  const { reactor } = ctx;
  const { ac, disconnected } = await attachAsyncContext(ctx);

  /**
   * Per client. `replies` keeps answers in request order: a refusal is known
   * at once, a Redis reply only later, so each line takes a slot and slots
   * are written from the front as they fill. `open` guards callbacks that
   * run after the client left (its slot in the reactor may be reused).
   */
  interface Conn {
    open: boolean;
    e: ReactorEvent;
    replies: Array<{ text: string | null; last: boolean }>;
    /** A last answer ("bye", an error that ends the session) is queued: ignore further lines. */
    ending: boolean;
  }
  const conns = new Set<Conn>();

  function close(conn: Conn): void {
    if (!conn.open) return;
    conn.open = false;
    conns.delete(conn);
    reactor.delEvent(conn.e);
  }

  function slot(conn: Conn, last = false): (text: string) => void {
    const entry: { text: string | null; last: boolean } = { text: null, last };
    if (last) conn.ending = true;
    conn.replies.push(entry);
    return (text) => {
      entry.text = text;
      flush(conn);
    };
  }

  function flush(conn: Conn): void {
    while (conn.open && conn.replies.length > 0 && conn.replies[0]!.text !== null) {
      const { text, last } = conn.replies.shift()!;
      eventBufferWrite(conn.e, `${text}\n`);
      // The reactor flushes e.out after this batch; close on the turn after.
      if (last) setImmediate(() => close(conn));
    }
  }

  function onLine(conn: Conn, line: string): void {
    const argv = splitLine(line);
    if (argv === null) return slot(conn)('(error) ERR unbalanced quotes');
    if (argv.length === 0) return;
    const name = argv[0]!.toLowerCase();
    if (name === 'exit') return slot(conn, true)('bye');
    if (REFUSED.has(name)) return slot(conn)(`(error) ${argv[0]} is not available here: every client shares one Redis connection`);
    const answer = slot(conn);
    const status = redisAsyncCommandArgv(
      ac,
      (c, reply) => answer(reply === null ? `(error) Redis connection lost: ${c.errstr}` : formatReply(reply)),
      null,
      argv,
    );
    if (status === REDIS_ERR) answer(`(error) ${ac.commandErrstr}`);
  }

  function onRead(e: ReactorEvent): void {
    const conn = e.privdata as Conn;
    for (;;) {
      if (conn.ending) return e.in.clear();
      if (conn.replies.length >= MAX_PENDING) {
        slot(conn, true)(`(error) more than ${MAX_PENDING} commands waiting for their replies; read them first`);
        // Written after the replies already asked for; then the client is closed.
        return;
      }
      const nl = e.in.search('\n');
      if (nl === -1) {
        if (e.in.length > MAX_LINE) {
          e.in.clear();
          slot(conn, true)(`(error) line longer than ${MAX_LINE} bytes`);
        }
        return;
      }
      const line = e.in.remove(nl + 1).toString('utf8').replace(/\r?\n$/, '');
      onLine(conn, line);
    }
  }

  function onError(e: ReactorEvent, _err: ReactorError): void {
    close(e.privdata as Conn);
  }

  let port: number;
  try {
    port = await reactor.createServer(
      opts.port,
      (socket: net.Socket) => {
        const e = reactor.newEvent(socket, onRead, null, onError);
        const conn: Conn = { open: true, e, replies: [], ending: false };
        e.privdata = conn;
        conns.add(conn);
        reactor.addEvent(e, EV_READ);
        slot(conn)(GREETING);
      },
      // With TLS, acceptFn sees each client once its handshake is done: the rest is unchanged.
      opts.tls === undefined ? { host: opts.host } : { host: opts.host, tls: opts.tls },
    );
  } catch (err) {
    redisAsyncFree(ac);
    throw new Error(`cannot listen on ${opts.host}:${opts.port}: ${(err as Error).message}`);
  }
  const listener = reactor.listenerFor(port);
  say('Each line a client sends is run through one redisAsyncCommandArgv context attached to this reactor;');
  say('the callback writes the reply back to that client (redis-cli style). Accept, read, Redis: one loop.');
  console.log(`listening on ${opts.host}:${port}${opts.tls === undefined ? '' : ' (TLS)'}`);

  let closing: Promise<void> | undefined;
  return {
    host: opts.host,
    port,
    close: () =>
      (closing ??= (async () => {
        if (listener) reactor.delEvent(listener);
        for (const conn of [...conns]) close(conn);
        redisAsyncDisconnect(ac);
        await withTimeout(disconnected, 3000, 'disconnect').catch(() => redisAsyncFree(ac));
      })()),
  };
}

/**
 * Splits a line into arguments: whitespace separates, double or single
 * quotes group (with \" \\ \n inside double quotes). Null for an open quote.
 */
export function splitLine(line: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let arg = '';
    const quote = line[i] === '"' || line[i] === "'" ? line[i++] : null;
    for (;;) {
      if (i >= line.length) {
        if (quote !== null) return null;
        break;
      }
      const ch = line[i++]!;
      if (quote === null && /\s/.test(ch)) break;
      if (ch === quote) break;
      if (quote === '"' && ch === '\\' && i < line.length) {
        const next = line[i++]!;
        arg += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next;
      } else {
        arg += ch;
      }
    }
    args.push(arg);
  }
  return args;
}

/** A reply as redis-cli prints it. */
export function formatReply(r: RedisReply, indent = ''): string {
  switch (r.type) {
    case REDIS_REPLY_STATUS:
      return r.str ?? '';
    case REDIS_REPLY_ERROR:
      return `(error) ${r.str ?? ''}`;
    case REDIS_REPLY_INTEGER:
      return `(integer) ${String(r.integer)}`;
    case REDIS_REPLY_NIL:
      return '(nil)';
    case REDIS_REPLY_DOUBLE:
      return `(double) ${r.str ?? String(r.dval)}`;
    case REDIS_REPLY_BOOL:
      return r.integer ? '(true)' : '(false)';
    case REDIS_REPLY_BIGNUM:
      return `(big number) ${r.str ?? ''}`;
    case REDIS_REPLY_ARRAY:
    case REDIS_REPLY_SET:
    case REDIS_REPLY_PUSH:
    case REDIS_REPLY_MAP: {
      if (r.elements === 0) return r.type === REDIS_REPLY_MAP ? '(empty hash)' : '(empty array)';
      const width = String(r.element.length).length;
      return r.element
        .map((el, i) => {
          const label = `${String(i + 1).padStart(width)}) `;
          const pad = indent + ' '.repeat(label.length);
          return `${i === 0 ? '' : indent}${label}${formatReply(el, pad)}`;
        })
        .join('\n');
    }
    default:
      return JSON.stringify(r.str ?? '');
  }
}
