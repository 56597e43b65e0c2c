/**
 * ReactorEvent: the article's `event_t`, one per socket (or listening
 * server), living in one slot of the reactor's table. It owns the socket's
 * two queues: `in` holds bytes received and not yet consumed, `out` holds
 * bytes queued and not yet handed to the socket, so `out.length` is a real
 * output-buffer figure.
 *
 * The public face is the `ReactorEvent` interface (in reactor-api.ts, beside
 * the Reactor it points to); `EventState` adds the bookkeeping the core and
 * the Node layer share. A new object is made for every `newEvent`, so a
 * reference kept after `delEvent` can never alias the next connection that
 * reuses the slot (the C code's stale-pointer bugs).
 */
import type * as net from 'node:net';
import { ChainBuffer } from '@reactor-ts/buffer';
import type { ReactorError } from './errors.js';
import type { AcceptCallback, ErrorCallback, Reactor, ReactorEvent, ReadCallback, WriteCallback } from './reactor-api.js';

export const EV_NONE = 0;
export const EV_READ = 1;
export const EV_WRITE = 2;

/** What kind of handle the event wraps. */
export const KIND_SOCKET = 0;
export const KIND_LISTENER = 1;
export const KIND_BARE = 2;
export type Kind = typeof KIND_SOCKET | typeof KIND_LISTENER | typeof KIND_BARE;

/** Where an event's queued output is reported (the reactor core): limits, then the flush. */
interface OutputSink {
  queued(e: EventState): void;
}

export class EventState implements ReactorEvent {
  fd = -1;
  readonly reactor: Reactor;
  readonly socket: net.Socket | net.Server | null;
  readonly in: ChainBuffer;
  readonly out: ChainBuffer;
  readFn: ReadCallback | null;
  writeFn: WriteCallback | null;
  errorFn: ErrorCallback | null;
  privdata: unknown = null;
  connected: boolean;
  alive = true;
  readonly kind: Kind;

  /** Interest the user asked for (addEvent / enableEvent). */
  userMask = EV_NONE;
  /** The reactor's own write interest: `out` is backed up behind a drain. */
  sysWrite = false;
  /** The socket's write() returned false; 'drain' will clear this. */
  blocked = false;
  /** Readiness collected since the last dispatch of this event. */
  firedMask = EV_NONE;
  /** In the fired queue (at most once). */
  queued = false;
  /** On the pending-write list (at most once). */
  pendingWrite = false;
  /** Bytes arrived in `in` that readFn has not been offered yet. */
  unread = false;
  /** Some byte ever arrived (tells a TLS refusal from a later reset). */
  received = false;
  /** The peer's FIN arrived; EOF not yet reported. */
  eofPending = false;
  /** EOF was reported; no more reads will come. */
  eofDone = false;
  /** A socket error (or a limit breach); once set, no more reads or writes. */
  error: ReactorError | null = null;
  /** `error` was handed to errorFn (each event reports one error, once). */
  errorReported = false;
  /** Limit breach: the reactor closes the event after reporting. */
  fatal = false;
  /** When `out` first went over the soft output limit (0 = not over). */
  softSince = 0;
  /** Listener only: the user's accept callback and sockets waiting for it. */
  acceptFn: AcceptCallback | null = null;
  acceptQueue: net.Socket[] | null = null;
  /** Listener only: the bound port, once listening (0 before). */
  port = 0;
  /** TLS listener only: closes the connections still in their handshake. */
  closeHandshakes: (() => void) | null = null;

  /** The owning reactor's core, told about output queued by event-buffer.ts (no lookup per write). */
  readonly sink: OutputSink;

  constructor(
    reactor: Reactor & OutputSink,
    socket: net.Socket | net.Server | null,
    kind: Kind,
    readFn: ReadCallback | null,
    writeFn: WriteCallback | null,
    errorFn: ErrorCallback | null,
    bufferOpts: { chunkSize: number },
  ) {
    this.reactor = reactor;
    this.sink = reactor;
    this.socket = socket;
    this.kind = kind;
    this.readFn = readFn;
    this.writeFn = writeFn;
    this.errorFn = errorFn;
    this.in = new ChainBuffer(bufferOpts);
    this.out = new ChainBuffer(bufferOpts);
    this.connected = kind !== KIND_SOCKET;
  }

  get mask(): number {
    return this.userMask | (this.sysWrite ? EV_WRITE : EV_NONE);
  }
}
