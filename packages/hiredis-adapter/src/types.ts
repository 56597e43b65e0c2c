/**
 * The public shapes of the asynchronous context: hiredis's `redisAsyncContext`
 * and its callback types, kept apart from the engine so that the adapter and
 * the public functions can name them without an import cycle.
 */
import type { ChainBuffer } from '@reactor-ts/buffer';
import type { ClientTlsOptions } from '@reactor-ts/reactor';
import type { RedisReply, ReplyBuilder } from '@reactor-ts/resp';

/** hiredis's REDIS_SSL_VERIFY_NONE / REDIS_SSL_VERIFY_PEER. */
export type RedisSSLVerifyMode = 'none' | 'peer';

/**
 * `redisSSLContext` (ssl.ts makes them): the certificate material, loaded
 * once, and one tls.SecureContext made from it, shared by every connection
 * it is applied to.
 */
export interface RedisSSLContext {
  /** SNI name and the name the certificate must carry; null: the host. */
  readonly serverName: string | null;
  readonly verifyMode: RedisSSLVerifyMode;
  /** False after redisFreeSSLContext: it can no longer be applied. */
  readonly live: boolean;
}

/**
 * A command's callback, hiredis's `redisCallbackFn`: `reply` is null when the
 * command got no reply because the context failed or was freed (`ac.err`
 * says why). An error reply from the server is a reply (`type ===
 * REDIS_REPLY_ERROR`), not a failure of the context.
 */
export type RedisCallbackFn<R = RedisReply> = (ac: RedisAsyncContext<R>, reply: R | null, privdata: unknown) => void;

/** `status` is REDIS_OK once the connection is usable, else REDIS_ERR (`ac.errstr` says why). */
export type RedisConnectCallback<R = RedisReply> = (ac: RedisAsyncContext<R>, status: number) => void;

/** `status` is REDIS_OK after `redisAsyncDisconnect`, REDIS_ERR when the link failed. */
export type RedisDisconnectCallback<R = RedisReply> = (ac: RedisAsyncContext<R>, status: number) => void;

/** RESP3 push frames that are not pub/sub traffic (e.g. `invalidate`). */
export type RedisAsyncPushCallback<R = RedisReply> = (ac: RedisAsyncContext<R>, reply: R) => void;

/**
 * The adapter's half of the bargain, hiredis's `ac->ev`: how the context asks
 * its event loop for readiness. Every hook is idempotent (turning on what is
 * on, or off what is off, does nothing). All are no-ops until an adapter
 * fills them in (`redisAttach`).
 */
export interface RedisEventHooks {
  /** Ask to be told when replies can be read. */
  addRead(): void;
  delRead(): void;
  /** Ask to be told when the connection can take bytes (also: connect done). */
  addWrite(): void;
  delWrite(): void;
  /** The context is going away: drop the event and its timer; idempotent. */
  cleanup(): void;
  /**
   * Arm the context's one timer to call `redisAsyncHandleTimeout` after `ms`,
   * replacing any timer armed before; `ms < 0` disarms it.
   */
  scheduleTimer(ms: number): void;
  /** The adapter's own state (the article's `redis_event_t`); null until attached. */
  data: unknown;
}

/**
 * What the context needs of its connection besides readiness: the bytes that
 * arrived, and the queue bytes leave from. hiredis reads and writes its fd
 * through `c->funcs`; here the adapter hands over the reactor event's `in`
 * and `out` buffers, so the context never touches a socket. The context
 * encodes commands into `out()` itself; the transport only carries bytes.
 */
export interface RedisTransport {
  /** Bytes received and not yet consumed (the reactor event's `in`). */
  readonly in: ChainBuffer;
  /**
   * The output queue (the reactor event's `out`, `eventBufferOut`), or null
   * when the connection can take no output (dead, or closing for a limit):
   * what would be written then is dropped, as `eventBufferWrite` drops it.
   */
  out(): ChainBuffer | null;
  /**
   * Bytes were appended to `out()`: checks the output limits and schedules
   * the socket write (`eventBufferQueued`), one per batch however many
   * commands were appended.
   */
  queued(): void;
}

/** Where and how to connect; hiredis's `redisOptions` plus the handshake. */
export interface RedisAsyncOptions {
  /** TCP host (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 6379). Give either `port` or `path`. */
  port?: number;
  /** Unix socket path instead of TCP. */
  path?: string;
  /**
   * Give up connecting after this many ms: TCP, TLS and the handshake. With
   * no handshake to send, a PING is sent first, so that a server that
   * accepts connections and never answers fails this deadline too.
   */
  connectTimeout?: number;
  /** Default deadline of each command in ms, counted from when it is issued. */
  commandTimeout?: number;
  /** `AUTH password`, or `AUTH username password` with `username`. */
  password?: string;
  /** ACL user name (Redis 6+); needs `password`. */
  username?: string;
  /** `SELECT db` on connect. */
  db?: number;
  /** 3 sends `HELLO 3` on connect; default 2 (no HELLO). */
  protocol?: 2 | 3;
  /** `CLIENT SETNAME name` on connect. */
  name?: string;
  /**
   * How replies are built: 'hiredis' (default) makes `RedisReply` objects;
   * 'native' plain JS values (the promise client's choice); or any
   * `ReplyBuilder`. A context's `R` type parameter should match.
   */
  replies?: 'hiredis' | 'native' | ReplyBuilder;
  /** Strings as JS strings (default) or Buffers too (`reply.buf`, or Buffers in native mode). */
  stringMode?: 'string' | 'buffer';
  /**
   * TLS, as `redisInitiateSSLWithContext(ac.c, ssl)` before redisAttach: an
   * SSL context (redisCreateSSLContext), or the reactor's TLS options
   * (ca, cert, key, servername, rejectUnauthorized, minVersion ...) as they
   * are. The handshake is part of the connect (connectTimeout covers it).
   */
  ssl?: RedisSSLContext | ClientTlsOptions;
}

/** Where the context connects; fixed at creation (hiredis's `c->tcp` / `c->unix_sock`). */
export interface RedisConnectionInfo {
  readonly connectionType: 'tcp' | 'unix';
  /** TCP host, or '' for a unix socket. */
  readonly host: string;
  /** TCP port, or 0 for a unix socket. */
  readonly port: number;
  /** Unix socket path, or ''. */
  readonly path: string;
  /** REDIS_CONNECTED | REDIS_SUBSCRIBED | ... (constants.ts). */
  readonly flags: number;
  /** The reactor slot of the connection once attached (the C fd), else -1. */
  readonly fd: number;
  readonly connectTimeout: number | null;
  /** Default per-command deadline (ms) for commands issued from now on. */
  readonly commandTimeout: number | null;
  readonly protocol: 2 | 3;
}

/**
 * hiredis's `redisAsyncContext`. Created unattached by
 * `redisAsyncConnect[WithOptions]`; `redisAttach` opens the socket on a
 * reactor. `R` is the reply type (RedisReply unless `replies: 'native'`).
 */
export interface RedisAsyncContext<R = RedisReply> {
  /** 0, or the REDIS_ERR_* code of the failure that ended the context. */
  readonly err: number;
  /** Human-readable `err`; '' when `err` is 0. */
  readonly errstr: string;
  /** Connection parameters and state flags (hiredis's embedded `redisContext`). */
  readonly c: RedisConnectionInfo;
  /** The adapter's hooks. */
  readonly ev: RedisEventHooks;
  /** User data slot (hiredis's `ac->data`). */
  data: unknown;
  /** Called once with `data` when the context is freed (hiredis's `dataCleanup`). */
  dataCleanup: ((data: unknown) => void) | null;
  /**
   * Why the last `redisAsyncCommand*` call returned REDIS_ERR ('' if it did
   * not). Not a connection error: `err` is unchanged by a refused command.
   */
  readonly commandErrstr: string;
  /** Commands sent (or queued) whose replies have not arrived. */
  readonly pending: number;
  /** Phantom member tying `R` to the context type; always undefined. */
  readonly replyType?: R;
}
