/**
 * The Node layer (Redis's ae_epoll.c to the core's ae.c): turns socket
 * emitter events into readiness on an event's slot, and turns the core's
 * decisions (interest on/off, flush, close) into socket calls.
 *
 * Mapping, as DESIGN.md fixes it:
 *   'data'  -> chunk appended to e.in by reference, EV_READ fired
 *   onread  -> (outbound connections) the bytes copied into e.in, EV_READ fired
 *   'end'   -> a read that finds end-of-stream (C read() == 0), EV_READ fired
 *   'drain' -> EV_WRITE fired (the socket is writable again)
 *   'error' -> EV_READ | EV_WRITE fired with the error pending (EPOLLERR)
 *   read interest off -> socket.pause(): the kernel applies backpressure
 *
 * A TLS socket is driven the same way (node-tls.ts): it is connected at the
 * end of its handshake ('secureConnect') instead of at the TCP connect.
 */
import { Buffer } from 'node:buffer';
import * as net from 'node:net';
import { EV_READ, EV_WRITE, type EventState } from './event.js';
import { ReactorError, toReactorError } from './errors.js';
import { isHandshaking, tlsConnect, tlsRefusal } from './node-tls.js';
import type { ClientTlsOptions } from './reactor-api.js';

/** What the Node layer needs from the core. */
export interface Core {
  /** Per-connection input limit in bytes. */
  readonly maxInput: number;
  /** Marks readiness on the event's slot (the fired list). */
  fire(e: EventState, bits: number): void;
  /**
   * Bytes arrived on a socket (from a read callback of Node's, never from
   * inside the reactor's own calls): EV_READ fired. `direct`: the callback
   * is libuv's own (plain TCP or Unix socket), so a turn may run inside it.
   */
  fireRead(e: EventState, direct: boolean): void;
  /** Puts the event on the pending-write list. */
  queueWrite(e: EventState): void;
  /** Closes the event's socket now and reports `err`, then frees the slot. */
  fail(e: EventState, err: ReactorError): void;
}

/** How long a closing socket may take to hand its last bytes to a slow peer. */
const LINGER_MS = 10_000;

/** Above this many bytes in several chunks, a flush uses writev instead of one copy. */
const CONCAT_MAX = 16 * 1024;

/** Most bytes one write event hands to a backed-up socket (Redis's NET_MAX_WRITES_PER_EVENT). */
export const MAX_WRITE_PER_EVENT = 64 * 1024;

/**
 * Subscribes the event to its socket. Reading starts paused: read interest
 * is off until addEvent(e, EV_READ), as a fresh fd is not in epoll yet.
 */
export function attachSocket(core: Core, e: EventState, socket: net.Socket): void {
  socket.pause();
  const overLimit = (size: number): boolean => {
    if (e.in.length + size <= core.maxInput) return false;
    core.fail(e, new ReactorError(`input buffer over its limit of ${core.maxInput} bytes`, 'ERR_INPUT_LIMIT'));
    return true;
  };
  const sink = sinks.get(socket);
  if (sink !== undefined) {
    // Opened by openConnection: bytes arrive in the shared read buffer and
    // are copied out before the callback returns (see READ_BUFFER).
    sink.deliver = (nread, buf) => {
      if (!e.alive || e.error !== null || overLimit(nread)) return;
      // Small reads are copied into e.in's pooled chunks; a big one gets a
      // Buffer of its own, linked by reference: one allocation instead of
      // one pooled chunk per chunkSize bytes (a 1 MiB reply: 16 x 64 KiB reads).
      if (nread <= SMALL_READ) copySmall(e, buf, nread);
      else if (nread < BIG_READ) e.in.add(buf.subarray(0, nread));
      else e.in.addReference(Buffer.from(buf.subarray(0, nread)));
      e.unread = true;
      e.received = true;
      core.fireRead(e, sink.direct);
    };
  } else {
    socket.on('data', (chunk: Buffer | string) => {
      if (!e.alive || e.error !== null) return;
      if (overLimit(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length)) return;
      if (typeof chunk === 'string') e.in.add(chunk);
      else e.in.addReference(chunk);
      e.unread = true;
      e.received = true;
      core.fireRead(e, false);
    });
  }
  socket.on('end', () => {
    if (!e.alive || e.error !== null) return;
    e.eofPending = true;
    core.fire(e, EV_READ);
  });
  socket.on('drain', () => {
    if (!e.alive) return;
    e.blocked = false;
    if (e.sysWrite) core.queueWrite(e);
    if (e.userMask & EV_WRITE) core.fire(e, EV_WRITE);
  });
  socket.on('error', (err: Error) => {
    if (!e.alive || e.error !== null) return;
    // TLS failures become TlsErrors naming the cause (errors.ts); a TLS
    // peer that resets before sending a byte most likely refused us (below).
    e.error = (!e.received ? tlsRefusal(socket, err) : null) ?? toReactorError(err);
    core.fire(e, EV_READ | EV_WRITE);
  });
  socket.on('close', () => {
    // Closed under us (someone destroyed the socket) without an end or error.
    if (!e.alive || e.error !== null || e.eofPending || e.eofDone) return;
    e.error = new ReactorError('socket closed', 'ERR_SOCKET_CLOSED');
    core.fire(e, EV_READ | EV_WRITE);
  });
  const onConnected = (): void => {
    if (!e.alive) return;
    e.connected = true;
    if (e.out.length > 0) core.queueWrite(e);
    // A non-blocking connect in C completes by signalling writability.
    if (e.userMask & EV_WRITE) core.fire(e, EV_WRITE);
  };
  // A TLS connection is connected once its handshake is done: nothing is
  // flushed to, and no EV_WRITE reported for, an unverified peer.
  if (isHandshaking(socket)) socket.once('secureConnect', onConnected);
  else if (socket.connecting) socket.once('connect', onConnected);
  else e.connected = !socket.destroyed;
  if (socket.destroyed) {
    // Nothing will ever fire on it: report it rather than hold the slot silently.
    e.error = new ReactorError('socket is already closed', 'ERR_SOCKET_CLOSED');
    core.fire(e, EV_READ | EV_WRITE);
  }
}

/** Read interest on/off for a socket event. */
export function setReading(e: EventState, on: boolean): void {
  const socket = e.socket;
  if (!(socket instanceof net.Socket) || socket.destroyed) return;
  if (on) socket.resume();
  else socket.pause();
}

/** True when the socket can take bytes now (connected, open, not backed up). */
export function canWrite(e: EventState): boolean {
  const socket = e.socket;
  return socket instanceof net.Socket && e.connected && !e.blocked && socket.writable;
}

/**
 * Hands up to `max` bytes of e.out to the socket in ONE write. When the socket
 * reports backpressure, the reactor's own write interest stays on and the
 * rest waits for 'drain'; when bytes remain but the socket is not backed up,
 * the event goes back on the pending-write list for the next turn.
 */
export function writeSome(core: Core, e: EventState, max: number): void {
  const socket = e.socket as net.Socket;
  if (!socket.writable) {
    e.out.clear();
    e.sysWrite = false;
    return;
  }
  const n = Math.min(e.out.length, max);
  if (n === 0) return;
  // One chunk: hand the socket a view (the buffer never reuses a chunk it
  // lent out). Several and small: one copy into a single Buffer, which beat
  // writev in our measurements (16 x 64 B: ~5 us vs ~8 us per flush). Several
  // and large: cork + views, one writev and no copy (4 x 16 KiB: ~50 us vs
  // ~100 us). Either way one syscall.
  const front = e.out.writeAtMost(n);
  let ok: boolean;
  if (front.length === n) {
    e.out.drain(n);
    ok = socket.write(front);
  } else if (n <= CONCAT_MAX) {
    ok = socket.write(e.out.remove(n));
  } else {
    ok = true;
    let left = n;
    socket.cork();
    // Front chunk by front chunk: O(chunks written), not O(chunks queued).
    while (left > 0) {
      const view = e.out.writeAtMost(left);
      e.out.drain(view.length);
      left -= view.length;
      ok = socket.write(view);
    }
    socket.uncork();
  }
  if (!ok) {
    e.blocked = true;
    e.sysWrite = true;
  } else if (e.out.length > 0) {
    e.sysWrite = true;
    core.queueWrite(e);
  } else {
    e.sysWrite = false;
  }
}

/**
 * Closes an event's socket. Bytes still queued are handed over first and the
 * socket closes once they are written (bounded by LINGER_MS for a peer that
 * never reads), so a reply queued in the same batch as delEvent is not lost.
 * `abort` drops them (errors, limits).
 */
export function closeSocket(e: EventState, abort: boolean): void {
  const socket = e.socket as net.Socket;
  const pending = e.out.length;
  if (abort || socket.destroyed || !socket.writable || (pending === 0 && socket.writableLength === 0)) {
    socket.destroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    socket.destroy();
  });
  socket.once('close', () => clearTimeout(timer));
  if (pending > 0) socket.end(e.out.remove(pending));
  else socket.end();
}

/** True for a listening socket (net.Server), which only createServer may wrap. */
export function isListening(handle: net.Socket | net.Server | null): handle is net.Server {
  return handle instanceof net.Server;
}

/** Destroys a socket event's socket at once (errors, limits); nothing queued goes out. */
export function destroySocket(e: EventState): void {
  if (e.socket instanceof net.Socket) e.socket.destroy();
}

/** Bytes the socket holds beyond e.out (written to it, not yet to the kernel). */
export function socketQueued(e: EventState): number {
  return e.socket instanceof net.Socket ? e.socket.writableLength : 0;
}

/** Stops a listener and closes the sockets still waiting for its acceptFn (or in their TLS handshake). */
export function closeListener(e: EventState): void {
  if (e.socket instanceof net.Server) e.socket.close();
  e.closeHandshakes?.();
  e.closeHandshakes = null;
  for (const s of e.acceptQueue ?? []) s.destroy();
  e.acceptQueue = null;
}

/** Answers a client the server cannot take, then closes it. */
export function rejectClient(socket: net.Socket, message: Uint8Array): void {
  socket.on('error', () => {});
  socket.on('end', () => socket.destroy());
  const timer = setTimeout(() => socket.destroy(), 2_000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
  socket.end(message);
}

/** Starts an outbound connection (TLS with `tlsOpts`), half-open allowed as for accepted sockets. */
export function openConnection(
  target: { port: number; host?: string } | { path: string },
  tlsOpts?: ClientTlsOptions,
): net.Socket {
  const sink: ReadSink = { deliver: null, direct: tlsOpts === undefined };
  const onread = {
    buffer: READ_BUFFER,
    // true: keep reading (false would stop libuv reading, as pause() does).
    callback: (nread: number, buf: Uint8Array): boolean => {
      sink.deliver?.(nread, buf);
      return true;
    },
  };
  let socket: net.Socket;
  if ('path' in target) socket = net.connect({ path: target.path, allowHalfOpen: true, onread });
  else {
    const host = target.host ?? '127.0.0.1';
    socket =
      tlsOpts !== undefined
        ? tlsConnect({ port: target.port, host }, tlsOpts, onread)
        : net.connect({ port: target.port, host, allowHalfOpen: true, noDelay: true, onread });
  }
  sinks.set(socket, sink);
  return socket;
}

/**
 * Where an outbound socket's bytes go: filled in by attachSocket, which
 * runs right after openConnection and before any read can happen.
 */
interface ReadSink {
  deliver: ((nread: number, buf: Uint8Array) => void) | null;
  /** Not TLS: the read callback is libuv's own (see Core.fireRead). */
  readonly direct: boolean;
}

const sinks = new WeakMap<net.Socket, ReadSink>();

/**
 * One read buffer for every outbound connection (net's `onread` option):
 * libuv reads into it and Node hands it to the sink, which copies the bytes
 * into the event's input chain before returning, so no two reads ever need
 * it at once. This skips the Readable stream's per-read work (a fresh
 * Buffer, push, the 'data' emit): about 5 µs of CPU per read on this
 * project's 2-core test machine, a sixth of a request/reply round trip.
 * TLS connections take it too (the callback then sees plaintext). Accepted
 * sockets cannot take the option (net.Server has none) and keep 'data'.
 * Read interest off still pauses the socket: with onread, pause() stops
 * libuv reading at once.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Reads of at least this many bytes are copied into a Buffer of their own (see the sink). */
const BIG_READ = 16 * 1024;

/** Reads up to this many bytes are copied byte by byte (see copySmall). */
const SMALL_READ = 64;

/**
 * A short read (one reply to one command: `:1\r\n`, `+OK\r\n`) copied into
 * e.in's own chunk in place, with no `subarray` view of the read buffer:
 * making that view (and looking up its ArrayBuffer) cost more than copying
 * a few dozen bytes.
 */
function copySmall(e: EventState, src: Uint8Array, n: number): void {
  const dst = e.in.reserve(n);
  const at = e.in.reservedOffset;
  for (let i = 0; i < n; i++) dst[at + i] = src[i]!;
  e.in.commit(n);
}
