/**
 * @reactor-ts/reactor: the article's epoll reactor (reactor_t / event_t)
 * over Node sockets, with timers, backpressure and per-connection limits.
 *
 * Layout
 *   slots.ts         slot table: preallocated, O(1) take/give, e.fd = slot index
 *   timers.ts        timer min-heap, insertion-order ties, lazy deletion
 *   reactor-api.ts   the public types: Reactor, ReactorEvent (event_t), callbacks, options
 *   event.ts         EventState (the event's bookkeeping), EV_* masks
 *   reactor.ts       portable core (ae.c): fired list, batches, pending writes, loop
 *   node-io.ts       Node layer (ae_epoll.c): socket events -> readiness, writes, closes
 *   node-tls.ts      Node layer, TLS: tls.Server accept after the handshake, tls.connect
 *   server.ts        createServer: listener events, the accept queue, maxclients answer
 *   event-buffer.ts  eventBufferRead / eventBufferWrite (event_buffer_read/_write)
 *   errors.ts        ReactorError, ReactorFullError, TlsError (with the failure's reason)
 */
export { EV_NONE, EV_READ, EV_WRITE } from './event.js';
export type {
  AcceptCallback,
  ClientTlsOptions,
  ConnectOptions,
  DelEventOptions,
  ErrorCallback,
  OutputLimits,
  Pem,
  Reactor,
  ReactorEvent,
  ReactorOptions,
  ReadCallback,
  ServerOptions,
  ServerTlsOptions,
  TimerOptions,
  WriteCallback,
} from './reactor-api.js';
export { createReactor } from './reactor.js';
export { eventBufferOut, eventBufferQueued, eventBufferRead, eventBufferWrite } from './event-buffer.js';
export { ReactorError, ReactorFullError, TlsError, type TlsFailure } from './errors.js';
