/**
 * The public shapes of the reactor (the article's `reactor_t` and its
 * functions) and of its events (`event_t`) with their callback types. The two
 * name each other, so they live together here, apart from the
 * implementation: every other file imports from this one and this one
 * imports no file of the package (no cycle, type-only imports included).
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { ChainBuffer } from '@reactor-ts/buffer';
import type { ReactorError, TlsError } from './errors.js';

export type ReadCallback = (e: ReactorEvent, events: number) => void;
export type WriteCallback = (e: ReactorEvent, events: number) => void;
export type ErrorCallback = (e: ReactorEvent, err: ReactorError) => void;
export type AcceptCallback = (socket: net.Socket, listener: ReactorEvent) => void;

export interface ReactorEvent {
  /** Slot index in the reactor's table (the C fd). */
  readonly fd: number;
  readonly reactor: Reactor;
  readonly socket: net.Socket | net.Server | null;
  /** Bytes received, not yet consumed. */
  readonly in: ChainBuffer;
  /** Bytes queued for the socket, not yet written. */
  readonly out: ChainBuffer;
  readFn: ReadCallback | null;
  writeFn: WriteCallback | null;
  errorFn: ErrorCallback | null;
  /** Current interest: EV_READ | EV_WRITE. */
  readonly mask: number;
  /** Outbound sockets: true once the connect completed; accepted sockets: true. */
  readonly connected: boolean;
  /** False once `delEvent` (or `release`) freed the slot. Additive to the contract. */
  readonly alive: boolean;
  privdata: unknown;
}

/** Output-buffer limits, as Redis's `client-output-buffer-limit`. 0 disables one. */
export interface OutputLimits {
  /** Close the connection as soon as its output passes this many bytes. */
  hard?: number;
  /** Close it when its output stays above this many bytes ... */
  soft?: number;
  /** ... for at least this long (ms). */
  softMs?: number;
}

export interface ReactorOptions {
  /** Size of the slot table: most events alive at once (default 65535). */
  maxConn?: number;
  /** Most events dispatched per batch (default 512), the rest wait a turn. */
  maxEventNum?: number;
  /** Per-connection input limit in bytes (default 1 GiB, Redis's client-query-buffer-limit). */
  maxInput?: number;
  /** Per-connection output limits (default: hard 1 GiB, soft off). */
  output?: OutputLimits;
  /** What a server sends a client it cannot take (default Redis's maxclients reply). */
  fullMessage?: string | Uint8Array;
  /** Chunk size of each event's ChainBuffers (default 16384). */
  chunkSize?: number;
  /**
   * Busy polling (as Linux's `net.core.busy_poll`): after a turn that wrote
   * to a socket, keep polling without sleeping for up to this many
   * microseconds, so a reply that comes back quickly is picked up without
   * the process going to sleep and being woken. Trades CPU for latency on
   * request/reply traffic; see the README. Default 0 (off). Settable later
   * with setBusyPoll().
   */
  busyPollMicros?: number;
}

export interface ServerOptions {
  /** Address to bind (default: all interfaces, as INADDR_ANY in the article). */
  host?: string;
  /** listen() backlog (default 511). */
  backlog?: number;
  /** Serve TLS (node:tls) instead of plain TCP; see ServerTlsOptions. */
  tls?: ServerTlsOptions;
}

/** PEM text or bytes, or several of them (a chain, a list of CAs). */
export type Pem = string | Buffer | ReadonlyArray<string | Buffer>;

/**
 * A TLS server. acceptFn receives a socket whose handshake is already done
 * (and whose client certificate, if requested, was verified): a connection
 * that fails its handshake never takes a slot. Failures go to
 * onHandshakeError, for logging.
 */
export interface ServerTlsOptions {
  /** The server's private key and certificate (chain). */
  key: Pem;
  cert: Pem;
  /** CAs trusted for client certificates (default: Node's bundled roots). */
  ca?: Pem;
  /** Ask clients for a certificate (mutual TLS). Default false. */
  requestCert?: boolean;
  /** With requestCert: refuse clients without a valid certificate. Default true. */
  rejectUnauthorized?: boolean;
  /** Protocols offered in ALPN, most preferred first. */
  ALPNProtocols?: string[];
  /** Oldest TLS version accepted (default Node's, TLSv1.2). */
  minVersion?: tls.SecureVersion;
  /** A client must finish its handshake within this many ms (default 10000). */
  handshakeTimeoutMs?: number;
  /** Told about each failed handshake (the connection is already closed). */
  onHandshakeError?: (err: TlsError) => void;
}

/**
 * An outbound TLS connection. Its event turns writable (the connect's
 * EV_WRITE) only once the handshake is done and the server's certificate
 * verified; a failed handshake is an error event whose error is a TlsError
 * naming the cause.
 */
export interface ClientTlsOptions {
  /** CAs trusted for the server's certificate (default: Node's bundled roots). */
  ca?: Pem;
  /** Client certificate and key, for servers that require one. */
  cert?: Pem;
  key?: Pem;
  /** Name sent in SNI and checked against the certificate (default: the host, unless an IP). */
  servername?: string;
  /** Verify the server's certificate and name (default true). Off only for tests. */
  rejectUnauthorized?: boolean;
  /** Oldest / newest TLS version offered. */
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ALPNProtocols?: string[];
  /** A context made once (tls.createSecureContext) and shared by many connections; ca/cert/key then stay unset. */
  secureContext?: tls.SecureContext;
  /** The handshake must finish within this many ms of the connect (default 10000, 0: no limit). */
  handshakeTimeoutMs?: number;
}

/** Options of `connect`. */
export interface ConnectOptions {
  /** Speak TLS on the connection. */
  tls?: ClientTlsOptions;
}

export interface TimerOptions {
  /** Fire every `ms` until deleted. */
  repeat?: boolean;
}

/** Options of `delEvent`. */
export interface DelEventOptions {
  /** Drop queued output and destroy the socket instead of flushing it first. */
  abort?: boolean;
}

export interface Reactor {
  /** Wraps `socket` in a new event in a free slot. Throws ReactorFullError when full. */
  newEvent(
    socket: net.Socket | net.Server | null,
    readFn: ReadCallback | null,
    writeFn: WriteCallback | null,
    errorFn: ErrorCallback | null,
  ): ReactorEvent;
  /** Turns on the interest in `mask` (merged with what is on already). */
  addEvent(e: ReactorEvent, mask: number): void;
  /**
   * Frees the slot at once and closes the socket; safe inside any callback.
   * Bytes still queued go out first (bounded by a linger timeout), unless
   * `abort` is set: then they are dropped and the socket is destroyed, which
   * is how a server closes a client it drops for crossing a limit (as Redis
   * frees a client over its output-buffer limit without flushing it).
   */
  delEvent(e: ReactorEvent, opts?: DelEventOptions): void;
  /** Sets read and write interest independently of each other. */
  enableEvent(e: ReactorEvent, readable: boolean, writable: boolean): void;
  /** One batch: waits up to `timeoutMs` (< 0: no limit); resolves with the number dispatched. */
  eventloopOnce(timeoutMs: number): Promise<number>;
  /** Dispatches batches until `stopEventloop()` or `release()`. */
  eventloop(): Promise<void>;
  stopEventloop(): void;
  /** Closes every socket, frees every slot, cancels every timer. */
  release(): void;
  /** Listens on `port` (0: any free port); resolves with the bound port. */
  createServer(port: number, acceptFn: AcceptCallback, opts?: ServerOptions): Promise<number>;
  /**
   * The listening event of a server this reactor made on `port` (as returned
   * by createServer), or null; `delEvent` on it stops listening. Additive to
   * the contract: createServer resolves with the port only.
   */
  listenerFor(port: number): ReactorEvent | null;
  /**
   * Outbound TCP connect (TLS with `opts.tls`); success arrives as EV_WRITE
   * (after the handshake, for TLS), failure at errorFn.
   */
  connect(port: number, host?: string, opts?: ConnectOptions): ReactorEvent;
  /** Outbound unix-socket connect, same semantics. */
  connectPath(path: string): ReactorEvent;
  addTimer(ms: number, fn: () => void, opts?: TimerOptions): number;
  delTimer(id: number): boolean;
  setBeforeSleep(fn: (() => void) | null): void;
  /** Changes the busy-poll window (µs, 0: off); see ReactorOptions.busyPollMicros. Additive to the contract. */
  setBusyPoll(micros: number): void;
  /** The busy-poll window in µs (0: off). Additive to the contract. */
  readonly busyPollMicros: number;
  /** Events alive (slots in use). Additive to the contract. */
  readonly size: number;
  /** Timers scheduled and not yet fired or deleted. Additive to the contract. */
  readonly timerCount: number;
  /** Slot-table capacity (maxConn). Additive to the contract. */
  readonly maxConn: number;
  /** True while `eventloop()` runs. Additive to the contract. */
  readonly running: boolean;
}
