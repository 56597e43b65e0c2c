/**
 * @reactor-ts/buffer — the chain buffer behind every connection's in and out
 * queue (libevent's evbuffer; the article's `buffer_t`). Pure data structure:
 * no sockets, streams or timers.
 *
 * Layout
 * - chain-buffer.ts  ChainBuffer: the ring of chunks, append/drain/search/views
 * - chunk.ts         Chunk: one link (backing memory, readable window, ownership)
 * - errors.ts        BufferOverflowError, thrown when maxSize would be exceeded
 */
export { ChainBuffer } from './chain-buffer.js';
export type { ChainBufferOptions } from './chain-buffer.js';
export { BufferOverflowError } from './errors.js';
