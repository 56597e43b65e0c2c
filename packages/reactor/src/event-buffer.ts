/**
 * The article's event_buffer_read / event_buffer_write.
 *
 * In C, event_buffer_read pulls bytes from the fd into e->in; here Node has
 * already read them and the Node layer appended them to `e.in` by reference,
 * so reading is just asking how much is there.
 *
 * In C, event_buffer_write tries write() at once on every call. Here the
 * bytes go to `e.out` and the connection joins the pending-write list; after
 * the batch each connection's `e.out` goes out in one socket write, so a
 * handler that answers sixteen pipelined requests costs one syscall instead
 * of sixteen (Redis's handleClientsWithPendingWrites). It also removes the
 * article's bug of touching an event that the failed write had just deleted:
 * errors are reported by the dispatcher, never from inside this call.
 */
import type { ChainBuffer } from '@reactor-ts/buffer';
import { EventState, KIND_SOCKET } from './event.js';
import type { ReactorEvent } from './reactor-api.js';

/** Bytes now available in `e.in`. */
export function eventBufferRead(e: ReactorEvent): number {
  return e.in.length;
}

/**
 * Copies `bytes` into `e.out` (as the article's buffer_add, so the caller
 * may reuse its buffer) and schedules the flush. Writing to an event that is
 * dead, closing for a limit, or not a socket does nothing.
 */
export function eventBufferWrite(e: ReactorEvent, bytes: Uint8Array | string): void {
  if (!(e instanceof EventState) || !e.alive || e.fatal || e.kind !== KIND_SOCKET) return;
  if (bytes.length === 0) return;
  e.out.add(bytes);
  e.sink.queued(e);
}

/**
 * For encoders that write straight into `e.out` (ChainBuffer.reserve/commit,
 * resp's appendCommand) instead of building bytes for eventBufferWrite to
 * copy: `e.out` if the event can take output now, else null (dead, closing
 * for a limit, not a socket: what eventBufferWrite would drop). After
 * appending, call eventBufferQueued(e).
 */
export function eventBufferOut(e: ReactorEvent): ChainBuffer | null {
  if (!(e instanceof EventState) || !e.alive || e.fatal || e.kind !== KIND_SOCKET) return null;
  return e.out;
}

/** Bytes were appended to `e.out` directly: the output limits are checked and the flush scheduled, as by eventBufferWrite. */
export function eventBufferQueued(e: ReactorEvent): void {
  if (!(e instanceof EventState) || !e.alive || e.fatal || e.kind !== KIND_SOCKET) return;
  e.sink.queued(e);
}
