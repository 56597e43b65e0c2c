/**
 * @reactor-ts/hiredis-adapter — hiredis's APIs over the reactor.
 *
 * Layout
 * - constants.ts  REDIS_OK / REDIS_ERR and the REDIS_ERR_* codes
 * - context.ts    RedisAsyncContext and the redisAsync* calls (callback API)
 * - types.ts      the context's public shapes: callbacks, hooks, options
 * - engine.ts     the context's state machine (hiredis's async.c), internal
 * - options.ts    option checks and the connect handshake, internal
 * - reply-queue.ts / command-info.ts / subscriptions.ts
 *                 FIFO, reply and command inspection, pub/sub tables; internal
 * - attach.ts     redisAttach: the adapter object of hiredis's adapters/ae.h
 * - blocking.ts   redisConnect / redisCommand ...: a truly blocking context
 * - blocking-channel.ts  the calling thread's side: starts the worker, sleeps in
 *                 Atomics.wait, reads replies from the shared ring, internal
 * - blocking-worker.ts   the worker thread that owns the blocking context's socket, internal
 */
export * from './constants.js';
export * from './context.js';
export * from './attach.js';
export * from './blocking.js';
