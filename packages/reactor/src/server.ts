/**
 * Listening sockets: the article's create_server, the accept queue and the
 * maxclients answer. A listener is an event like any other (it takes a slot,
 * as the article's listenfd did); a new connection is its EV_READ, and
 * dispatching it hands each waiting socket to `acceptFn`, which makes the
 * client's event itself.
 */
import * as net from 'node:net';
import { EV_READ, KIND_LISTENER, type EventState, type Kind } from './event.js';
import { ReactorError, ReactorFullError, toReactorError } from './errors.js';
import { rejectClient } from './node-io.js';
import { createTlsListener } from './node-tls.js';
import type { AcceptCallback, ErrorCallback, ReadCallback, ServerOptions, WriteCallback } from './reactor-api.js';

/** What this module needs from the core. */
export interface ListenerCore {
  /** What a server sends a client it cannot take. */
  readonly fullMessage: Buffer;
  /** Free slots in the table. */
  readonly freeSlots: number;
  /** Listening events by bound port. */
  readonly listeners: Map<number, EventState>;
  take(
    handle: net.Server,
    kind: Kind,
    readFn: ReadCallback | null,
    writeFn: WriteCallback | null,
    errorFn: ErrorCallback | null,
  ): EventState;
  close(e: EventState, abort: boolean): void;
  fire(e: EventState, bits: number): void;
}

/** createServer: resolves with the bound port once listening. */
export function listen(
  core: ListenerCore,
  port: number,
  acceptFn: AcceptCallback,
  opts: ServerOptions,
): Promise<number> {
  // A TLS server's accept is the end of a successful handshake (node-tls.ts).
  let server: net.Server;
  let closeHandshakes: (() => void) | null = null;
  let accept: (socket: net.Socket) => void = () => {};
  if (opts.tls !== undefined) {
    const made = createTlsListener(opts.tls, (socket) => accept(socket));
    server = made.server;
    closeHandshakes = made.closeHandshakes;
  } else {
    server = net.createServer({ allowHalfOpen: true, noDelay: true });
    server.on('connection', (socket: net.Socket) => accept(socket));
  }
  // The listener takes its slot now, so a loop started before the promise
  // settles already sees it.
  const e = core.take(server, KIND_LISTENER, null, null, null);
  e.acceptFn = acceptFn;
  e.acceptQueue = [];
  e.userMask = EV_READ;
  e.closeHandshakes = closeHandshakes;
  accept = (socket) => onConnection(core, e, socket);
  return new Promise<number>((resolve, reject) => {
    const onListenError = (err: Error): void => {
      if (e.alive) core.close(e, true);
      reject(toReactorError(err));
    };
    server.once('error', onListenError);
    server.listen({ port, host: opts.host, backlog: opts.backlog ?? 511 }, () => {
      server.off('error', onListenError);
      if (!e.alive) {
        server.close();
        reject(new ReactorError('reactor released before the server listened', 'ERR_RELEASED'));
        return;
      }
      server.on('error', (err: Error) => {
        if (!e.alive || e.error !== null) return;
        e.error = toReactorError(err);
        core.fire(e, EV_READ);
      });
      const bound = (server.address() as net.AddressInfo | null)?.port ?? port;
      core.listeners.set(bound, e);
      e.port = bound;
      resolve(bound);
    });
  });
}

function onConnection(core: ListenerCore, listener: EventState, socket: net.Socket): void {
  const queue = listener.acceptQueue;
  if (!listener.alive || queue === null) {
    socket.destroy();
    return;
  }
  // Sockets already waiting for acceptFn will take slots too.
  if (core.freeSlots - queue.length <= 0) {
    rejectClient(socket, core.fullMessage);
    return;
  }
  queue.push(socket);
  core.fire(listener, EV_READ);
}

/** Dispatch of a listener's EV_READ: each waiting socket goes to acceptFn. */
export function acceptAll(core: ListenerCore, listener: EventState): void {
  // Take the queue: sockets arriving during acceptFn go to a fresh one.
  const queue = listener.acceptQueue!;
  listener.acceptQueue = [];
  let i = 0;
  try {
    while (i < queue.length && listener.alive && listener.userMask & EV_READ) {
      const socket = queue[i++]!;
      try {
        listener.acceptFn!(socket, listener);
      } catch (err) {
        if (!(err instanceof ReactorFullError)) throw err;
        rejectClient(socket, core.fullMessage);
      }
    }
  } finally {
    // acceptFn may have deleted the listener (its remaining sockets are
    // closed) or turned its read interest off (they wait, in order).
    const rest = queue.slice(i);
    if (listener.alive && listener.acceptQueue !== null) {
      listener.acceptQueue.unshift(...rest);
      if (rest.length > 0 && listener.userMask & EV_READ) core.fire(listener, EV_READ);
    } else {
      for (const s of rest) s.destroy();
    }
  }
}
