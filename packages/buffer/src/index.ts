/**
 * @reactor-ts/buffer — the chain buffer behind every connection's in and out
 * queue (libevent's evbuffer; the article's `buffer_t`). Pure data structure:
 * no sockets, streams or timers.
 *
 * Layout
 * - chain-buffer.ts  ChainBuffer: the ring of chunks; append, drain, views, pool
 * - search.ts        separator search across chunk boundaries (no copying)
 * - chunk.ts         Chunk: one link (backing memory, readable window, ownership)
 * - args.ts          argument checks that run before any state changes
 * - errors.ts        BufferOverflowError, thrown when maxSize would be exceeded
 * - view.ts          bufferView: a Buffer view without Buffer#subarray's getter call
 */
export { ChainBuffer } from './chain-buffer.js';
export type { ChainBufferOptions } from './chain-buffer.js';
export { BufferOverflowError } from './errors.js';
export { bufferView } from './view.js';
