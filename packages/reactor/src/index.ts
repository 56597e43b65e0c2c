/**
 * @reactor-ts/reactor: the article's epoll reactor (reactor_t / event_t)
 * over Node sockets, with timers, backpressure and per-connection limits.
 *
 * Layout
 *   slots.ts       slot table: preallocated, O(1) take/give, e.fd = slot index
 *   timers.ts      timer min-heap, insertion-order ties, lazy deletion
 *   event.ts       ReactorEvent (event_t), EV_* masks, callback types
 *   reactor-api.ts the Reactor interface and its options
 *   reactor.ts     portable core (ae.c): fired list, batches, pending writes, loop
 *   node-io.ts     Node layer (ae_epoll.c): socket events -> readiness, writes, closes
 *   server.ts      createServer: listener events, the accept queue, maxclients answer
 *   io.ts          eventBufferRead / eventBufferWrite
 *   errors.ts      ReactorError, ReactorFullError
 */
export { EV_NONE, EV_READ, EV_WRITE } from './event.js';
export type { AcceptCallback, ErrorCallback, ReactorEvent, ReadCallback, WriteCallback } from './event.js';
export type { DelEventOptions, OutputLimits, Reactor, ReactorOptions, ServerOptions, TimerOptions } from './reactor-api.js';
export { createReactor } from './reactor.js';
export { eventBufferOut, eventBufferQueued, eventBufferRead, eventBufferWrite } from './io.js';
export { ReactorError, ReactorFullError } from './errors.js';
