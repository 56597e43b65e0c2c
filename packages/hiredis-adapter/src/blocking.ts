/**
 * hiredis's blocking context: `redisConnect`, `redisCommand`,
 * `redisAppendCommand` + `redisGetReply`, `redisFree` — calls that return the
 * reply itself, with no promise and no callback, as the article's
 * redis-test-sync.c uses them.
 *
 * Node offers no blocking socket to JavaScript, so each context owns a worker
 * thread that does the socket I/O, and the calling thread sleeps in
 * `Atomics.wait` until reply bytes land in shared memory (blocking-channel.ts,
 * blocking-worker.ts). The caller really blocks: nothing else runs on its
 * event loop meanwhile — no timers, no I/O callbacks. Fine for scripts, CLIs,
 * tests; wrong inside a server (use the async context there).
 *
 * Replies are parsed on the calling thread with `RespReader` and the hiredis
 * builder, so the worker stays a protocol-agnostic byte pipe and a reply
 * object never has to cross threads.
 *
 * Error model, as hiredis: the first I/O, protocol or timeout error is stored
 * in `c.err` / `c.errstr`, the call returns null, and the context is unusable
 * from then on (every later call returns null at once). A Redis error *reply*
 * (`-ERR ...`) is not a context error: it is a REDIS_REPLY_ERROR reply.
 *
 * One departure, by choice: a read or connect timeout sets REDIS_ERR_TIMEOUT
 * with errstr "Timeout". hiredis on Linux reports an expired SO_RCVTIMEO as
 * REDIS_ERR_IO "Resource temporarily unavailable" (EAGAIN) and a connect
 * timeout as REDIS_ERR_IO "Connection timed out"; a distinct code lets callers
 * tell a slow server from a broken link, and matches the async context.
 */
import {
  encodeCommand,
  formatCommand,
  RespReader,
  NEED_MORE,
  type CommandArgument,
  type FormatArgument,
  type RedisReply,
  REDIS_REPLY_PUSH,
} from '@reactor-ts/resp';
import { DEFAULT_RING_SIZE, WorkerChannel, type ChannelFailure } from './blocking-channel.js';
import {
  REDIS_ERR,
  REDIS_ERR_EOF,
  REDIS_ERR_IO,
  REDIS_ERR_OTHER,
  REDIS_ERR_PROTOCOL,
  REDIS_ERR_TIMEOUT,
  REDIS_OK,
  type RedisErrCode,
} from './constants.js';
import type { WorkerTarget, WorkerTlsInit } from './blocking-worker.js';

/** hiredis's `struct timeval`: seconds plus microseconds. */
export interface TimeVal {
  sec: number;
  usec: number;
}

/** A timeout as a `TimeVal` or as milliseconds. */
export type RedisTimeout = TimeVal | number;

/** Called with each RESP3 push reply met while waiting for a command's reply. */
export type RedisPushCallback = (c: RedisContext, reply: RedisReply) => void;

/** Options of `redisConnectWithOptions` (hiredis's `redisOptions`). */
export interface RedisOptions {
  /** TCP endpoint; ignored when `path` is given. Default 127.0.0.1:6379. */
  host?: string;
  port?: number;
  /** Unix socket path. */
  path?: string;
  /** Deadline for the connection to be established. Default: none. */
  connectTimeout?: RedisTimeout;
  /** Read timeout for every reply (SO_RCVTIMEO). Default: none. */
  commandTimeout?: RedisTimeout;
  /** Capacity of the shared reply ring, rounded up to a power of two. Default 256 KiB. */
  ringSize?: number;
  /** 'buffer' (default) also fills `reply.buf` with the raw bytes; 'string' decodes UTF-8 only. */
  stringMode?: 'string' | 'buffer';
}

/**
 * A blocking connection: hiredis's `redisContext`. The fields a C program
 * reads are here; everything else is internal.
 */
export interface RedisContext {
  /**
   * 0, or the REDIS_ERR_* code (a `RedisErrCode`) of the error that made the
   * context unusable. Typed `number` on purpose: with the literal union,
   * TypeScript would narrow `c.err` to 0 after the usual `if (c.err) ...`
   * check and then reject a later `c.err === REDIS_ERR_TIMEOUT` after a call.
   */
  readonly err: number;
  /** Human-readable description of `err` ('' while healthy). */
  readonly errstr: string;
  readonly connectionType: 'tcp' | 'unix';
  readonly tcp: { readonly host: string; readonly port: number } | null;
  readonly unixSock: { readonly path: string } | null;
  /** Current read timeout in ms, or null for none. */
  readonly commandTimeoutMs: number | null;
}

/**
 * The concrete context. Not exported: callers see `RedisContext`, whose
 * fields are read-only to them.
 */
class BlockingContext implements RedisContext {
  err: RedisErrCode = 0;
  errstr = '';
  readonly connectionType: 'tcp' | 'unix';
  readonly tcp: { host: string; port: number } | null;
  readonly unixSock: { path: string } | null;
  commandTimeoutMs: number | null;
  /** The transport; null once freed or after a connect failure. */
  channel: WorkerChannel | null = null;
  /** Parses the byte stream into hiredis-shaped replies (hiredis's `reader`). */
  readonly reader: RespReader;
  /** Appended commands not yet sent (hiredis's `obuf`). */
  obuf: Buffer[] = [];
  /** Receives RESP3 pushes; null drops them. */
  pushCallback: RedisPushCallback | null = null;

  /** Endpoint, connect timeout and ring size: kept for redisReconnect. */
  readonly target: WorkerTarget;
  readonly connectTimeoutMs: number | null;
  readonly ringSize: number;
  /** Set by redisFree; a freed context can never reconnect. */
  freed = false;
  /** TLS started by redisInitiateSSLWithContext; redisReconnect redoes it. */
  tls: WorkerTlsInit | null = null;

  constructor(
    target: WorkerTarget,
    connectTimeoutMs: number | null,
    commandTimeoutMs: number | null,
    ringSize: number,
    stringMode: 'string' | 'buffer',
  ) {
    this.target = target;
    this.connectTimeoutMs = connectTimeoutMs;
    this.ringSize = ringSize;
    if ('path' in target) {
      this.connectionType = 'unix';
      this.unixSock = { path: target.path };
      this.tcp = null;
    } else {
      this.connectionType = 'tcp';
      this.tcp = { host: target.host, port: target.port };
      this.unixSock = null;
    }
    this.commandTimeoutMs = commandTimeoutMs;
    this.reader = new RespReader({ builder: 'hiredis', stringMode });
  }

  setError(code: RedisErrCode, message: string): void {
    if (this.err !== 0) return;
    this.err = code;
    this.errstr = message;
    // An errored context is unusable: release its thread now.
    this.channel?.close();
    this.channel = null;
  }

  setFailure(f: ChannelFailure): void {
    switch (f.kind) {
      case 'eof':
        this.setError(REDIS_ERR_EOF, 'Server closed the connection');
        break;
      case 'timeout':
        this.setError(REDIS_ERR_TIMEOUT, 'Timeout');
        break;
      case 'io':
        this.setError(REDIS_ERR_IO, strerror(f.code, f.message));
        break;
      case 'dead':
        this.setError(REDIS_ERR_OTHER, f.message);
        break;
    }
  }
}

/** Node error codes → the strerror(3) text hiredis would put in errstr. */
const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EPIPE: 'Broken pipe',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: 'Cannot assign requested address',
};

function strerror(code: string, fallback: string): string {
  return STRERROR[code] ?? fallback;
}

/** A `TimeVal` or milliseconds → milliseconds, validated. */
function toMs(tv: RedisTimeout): number {
  const ms = typeof tv === 'number' ? tv : tv.sec * 1000 + tv.usec / 1000;
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`invalid timeout: ${JSON.stringify(tv)}`);
  return ms;
}

function internal(c: RedisContext): BlockingContext {
  if (!(c instanceof BlockingContext)) throw new TypeError('not a context made by redisConnect*');
  return c;
}

// ---------------------------------------------------------------- connect

/**
 * Connects as described by `opts` and blocks until the connection is up or
 * has failed. Always returns a context: check `c.err` (hiredis returns NULL
 * only when it cannot allocate one).
 */
export function redisConnectWithOptions(opts: RedisOptions = {}): RedisContext {
  const target: WorkerTarget =
    opts.path !== undefined ? { path: opts.path } : { host: opts.host || '127.0.0.1', port: opts.port ?? 6379 };
  const commandTimeout = opts.commandTimeout === undefined ? null : toMs(opts.commandTimeout);
  const connectTimeout = opts.connectTimeout === undefined ? null : toMs(opts.connectTimeout);
  const ringSize = opts.ringSize ?? DEFAULT_RING_SIZE;
  const c = new BlockingContext(target, connectTimeout, commandTimeout, ringSize, opts.stringMode ?? 'buffer');
  open(c);
  return c;
}

/** Starts the worker and blocks until connected; the outcome is in `c.err`. */
function open(c: BlockingContext): void {
  const target = c.target;
  if ('port' in target && (!Number.isInteger(target.port) || target.port < 0 || target.port > 65535)) {
    c.setError(REDIS_ERR_OTHER, `Invalid port: ${target.port}`);
    return;
  }
  try {
    c.channel = new WorkerChannel(target, c.ringSize);
  } catch (err) {
    c.setError(REDIS_ERR_OTHER, (err as Error).message);
    return;
  }
  const failure = c.channel.waitConnected(c.connectTimeoutMs);
  if (failure !== null) c.setFailure(failure);
}

/**
 * The blocking half of redisInitiateSSLWithContext (ssl.ts): the handshake
 * on the context's connection, in its worker, within the connect timeout.
 * Internal to the package (index.ts does not export it). Remembered for
 * redisReconnect, which then redoes the handshake.
 */
export function startBlockingTls(c: RedisContext, init: Omit<WorkerTlsInit, 'host'>): number {
  const ctx = internal(c);
  if (ctx.err !== 0 || ctx.channel === null || ctx.tcp === null) {
    if (ctx.err === 0) ctx.setError(REDIS_ERR_OTHER, 'TLS needs a TCP connection');
    return REDIS_ERR;
  }
  if (ctx.tls !== null) {
    ctx.setError(REDIS_ERR_OTHER, 'TLS already started on this connection');
    return REDIS_ERR;
  }
  ctx.tls = { ...init, host: ctx.tcp.host };
  return handshakeTls(ctx);
}

function handshakeTls(ctx: BlockingContext): number {
  const failure = ctx.channel!.startTls(ctx.tls!, ctx.connectTimeoutMs);
  if (failure === null) return REDIS_OK;
  if (failure.kind === 'io') ctx.setError(REDIS_ERR_IO, `SSL handshake failed: ${failure.message} (${failure.code})`);
  else ctx.setFailure(failure);
  return REDIS_ERR;
}

/**
 * Drops the connection (and any unread replies or appended commands) and
 * connects again to the same endpoint with the same timeouts, clearing
 * `c.err` first. REDIS_OK when connected; REDIS_ERR (see `c.err`) otherwise,
 * and always after `redisFree`.
 */
export function redisReconnect(c: RedisContext): number {
  const ctx = internal(c);
  if (ctx.freed) return REDIS_ERR;
  ctx.channel?.close();
  ctx.channel = null;
  ctx.obuf = [];
  ctx.reader.reset();
  ctx.err = 0;
  ctx.errstr = '';
  open(ctx);
  if (ctx.err === 0 && ctx.tls !== null) handshakeTls(ctx);
  return ctx.err === 0 ? REDIS_OK : REDIS_ERR;
}

/** Connects over TCP with no timeouts. An empty host means 127.0.0.1. */
export function redisConnect(host: string, port: number): RedisContext {
  return redisConnectWithOptions({ host, port });
}

/**
 * Connects over TCP; as in hiredis, `tv` bounds the connect and then every
 * reply (it becomes the command timeout too).
 */
export function redisConnectWithTimeout(host: string, port: number, tv: RedisTimeout): RedisContext {
  return redisConnectWithOptions({ host, port, connectTimeout: tv, commandTimeout: tv });
}

/** Connects to a unix socket. */
export function redisConnectUnix(path: string): RedisContext {
  return redisConnectWithOptions({ path });
}

/** Connects to a unix socket with a connect and command timeout. */
export function redisConnectUnixWithTimeout(path: string, tv: RedisTimeout): RedisContext {
  return redisConnectWithOptions({ path, connectTimeout: tv, commandTimeout: tv });
}

/** Sets the read timeout for later replies (hiredis sets SO_RCVTIMEO/SO_SNDTIMEO). */
export function redisSetTimeout(c: RedisContext, tv: RedisTimeout): number {
  const ctx = internal(c);
  ctx.commandTimeoutMs = toMs(tv);
  return REDIS_OK;
}

/** Installs a callback for RESP3 push replies; by default they are dropped, as hiredis does. */
export function redisSetPushCallback(c: RedisContext, fn: RedisPushCallback | null): RedisPushCallback | null {
  const ctx = internal(c);
  const old = ctx.pushCallback;
  ctx.pushCallback = fn;
  return old;
}

/** Closes the connection and ends its worker thread. Safe to call twice. */
export function redisFree(c: RedisContext): void {
  const ctx = internal(c);
  ctx.channel?.close();
  ctx.channel = null;
  ctx.obuf = [];
  ctx.freed = true;
  if (ctx.err === 0) {
    ctx.err = REDIS_ERR_OTHER;
    ctx.errstr = 'Context has been freed';
  }
}

// ------------------------------------------------------------- commands

/**
 * Queues an already encoded command (hiredis's `redisAppendFormattedCommand`).
 * Nothing is sent until `redisGetReply` needs a reply.
 */
export function redisAppendFormattedCommand(c: RedisContext, cmd: Uint8Array): number {
  const ctx = internal(c);
  if (ctx.err !== 0) return REDIS_ERR;
  ctx.obuf.push(Buffer.isBuffer(cmd) ? cmd : Buffer.from(cmd.buffer, cmd.byteOffset, cmd.byteLength));
  return REDIS_OK;
}

/**
 * Formats a command (`%s %b %d %%`, see `formatCommand`) and queues it.
 * Returns REDIS_OK, or REDIS_ERR with `c.err` = REDIS_ERR_OTHER when the
 * format is invalid — as in hiredis, that error sticks to the context.
 */
export function redisAppendCommand(c: RedisContext, fmt: string, ...args: FormatArgument[]): number {
  const ctx = internal(c);
  if (ctx.err !== 0) return REDIS_ERR;
  let cmd: Buffer;
  try {
    cmd = formatCommand(fmt, ...args);
  } catch (err) {
    ctx.setError(REDIS_ERR_OTHER, (err as Error).message);
    return REDIS_ERR;
  }
  ctx.obuf.push(cmd);
  return REDIS_OK;
}

/** Queues a command given as an argument vector (binary safe). */
export function redisAppendCommandArgv(c: RedisContext, argv: ReadonlyArray<CommandArgument>): number {
  const ctx = internal(c);
  if (ctx.err !== 0) return REDIS_ERR;
  let cmd: Buffer;
  try {
    cmd = encodeCommand(argv);
  } catch (err) {
    ctx.setError(REDIS_ERR_OTHER, (err as Error).message);
    return REDIS_ERR;
  }
  ctx.obuf.push(cmd);
  return REDIS_OK;
}

/**
 * Returns the next reply, blocking until it arrives. If none is buffered,
 * first sends everything appended so far in one write — so N appends then N
 * calls cost one write and one round trip. Returns null on error (see
 * `c.err`). hiredis returns a status and the reply through a pointer; here
 * the reply or null is the result.
 */
export function redisGetReply(c: RedisContext): RedisReply | null {
  const ctx = internal(c);
  if (ctx.err !== 0) return null;
  let reply = nextInBuffer(ctx);
  if (reply !== NEED_MORE) return reply;
  flush(ctx);
  for (;;) {
    const channel = ctx.channel;
    if (channel === null) return null;
    const bytes = channel.read(ctx.commandTimeoutMs);
    if (!Buffer.isBuffer(bytes)) {
      ctx.setFailure(bytes);
      return null;
    }
    ctx.reader.feed(bytes);
    reply = nextInBuffer(ctx);
    if (reply === null) return null;
    if (reply !== NEED_MORE) return reply;
  }
}

/** Sends a formatted command and blocks for its reply; null on error. */
export function redisCommand(c: RedisContext, fmt: string, ...args: FormatArgument[]): RedisReply | null {
  if (redisAppendCommand(c, fmt, ...args) !== REDIS_OK) return null;
  return redisGetReply(c);
}

/** Sends an argument vector and blocks for its reply; null on error. */
export function redisCommandArgv(c: RedisContext, argv: ReadonlyArray<CommandArgument>): RedisReply | null {
  if (redisAppendCommandArgv(c, argv) !== REDIS_OK) return null;
  return redisGetReply(c);
}

/** Hands the output buffer to the worker in one message. */
function flush(ctx: BlockingContext): void {
  if (ctx.obuf.length === 0 || ctx.channel === null) return;
  const out = ctx.obuf.length === 1 ? (ctx.obuf[0] as Buffer) : Buffer.concat(ctx.obuf);
  ctx.obuf = [];
  ctx.channel.send(out);
}

/**
 * The next complete reply already read, NEED_MORE, or null after a protocol
 * error (stored in the context). Push replies go to the push callback and
 * are skipped, as in hiredis.
 */
function nextInBuffer(ctx: BlockingContext): RedisReply | typeof NEED_MORE | null {
  for (;;) {
    let reply: unknown;
    try {
      reply = ctx.reader.getReply();
    } catch (err) {
      ctx.setError(REDIS_ERR_PROTOCOL, (err as Error).message);
      return null;
    }
    if (reply === NEED_MORE) return NEED_MORE;
    const r = reply as RedisReply;
    if (r.type !== REDIS_REPLY_PUSH) return r;
    ctx.pushCallback?.(ctx, r);
  }
}
