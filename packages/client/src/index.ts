/**
 * @reactor-ts/client — the promise client: `createClient({ url })`,
 * `connect()`, `command()`, `quit()`, `disconnect()`, pipelines,
 * transactions, scripts, pub/sub and a pool, over the public callback API of
 * @reactor-ts/hiredis-adapter.
 *
 * Layout
 * - client.ts          RedisClient: the link's life (connect, ready check, reconnect,
 *                      quit), offline queue, settle-once
 * - link.ts            Link / LinkSource / LinkHook, and ContextLink: a client's
 *                      connection, the one place commands meet the context
 * - settle.ts          Settler, PromiseSettler, Batch, SlotSettler: how a reply settles
 * - commands.ts        CommandMethods: one method per command of the table, attached at load; command(...argv)
 * - methods.generated.ts  the generated signatures (ClientCommands, BatchCommands, *Options); do not edit
 * - signature.ts       a command's documented arguments → method parameters → argv (one plan for both)
 * - replies.ts         the hand-kept reply overlay (shape per method, and the few reshaped replies)
 * - reply-shapes.ts    Shape: a reply's TypeScript type and its runtime check
 * - scan.ts          scanIterator / hscanIterator / sscanIterator / zscanIterator: SCAN pages as async iterators
 * - tracing.ts       command start/end/error on node:diagnostics_channel (names and key counts, never values)
 * - streams.ts       streamGroupReader: a consumer group's entries as an async iterator, crashed consumers' entries claimed
 * - monitor.ts       monitor(client): MONITOR lines, parsed, as an async iterator on a connection of its own
 * - cache.ts         createCachingClient: RESP3 CLIENT TRACKING, an LRU of read replies emptied by invalidate pushes
 * - reply-mapping.ts withReplyMapping's conversion: maps as Map / object / pairs, sets as Set / array, either protocol
 * - absent.ts          the commands deliberately without a method, and why
 * - types.ts           RedisKey, RedisArgument, RedisInteger, RedisDouble, RedisString
 * - pipeline.ts        Pipeline and Transaction (MULTI/EXEC): one write, replies by slot
 * - watch.ts           watchRetry: WATCH → read → MULTI/EXEC, retried on conflict
 * - pool.ts            RedisPool: N connections on one reactor, least pending, lending
 * - errors.ts          ConnectionError, TimeoutError, OfflineQueueFullError, ClientClosedError
 * - link-errors.ts     which of those errors a failed link / refused command / closed client gives
 * - url.ts             redis:// and unix socket URLs
 * - backoff.ts         reconnect policy: exponential backoff with jitter
 * - queue.ts           BoundedQueue: the offline and wait queues' FIFO
 * - default-reactor.ts the shared reactor used when none is given
 * - script.ts          defineScript (EVALSHA, NOSCRIPT → EVAL), preload, reload broadcast
 * - pubsub.ts          the listeners behind RedisClient.subscribe & co., resubscribed on each link
 * - sentinel.ts        createSentinel / SentinelClient: the node found through Sentinel, followed on +switch-master
 */
export { createClient, RedisClient, type ClientOptions, type ClientState, type WatchFn } from './client.js';
export { type Link, type LinkHook, type LinkSource } from './link.js';
export { type Settler } from './settle.js';
export { CommandMethods, methodSpecs } from './commands.js';
export type * from './methods.generated.js';
export type { RedisKey, RedisArgument, RedisInteger, RedisDouble, RedisString } from './types.js';
export { ABSENT_COMMANDS } from './absent.js';
export { type ReplyMapping } from './reply-mapping.js';
export { createCachingClient, CachingClient, type ClientCacheOptions, type ClientCacheStats } from './cache.js';
export { monitor, parseMonitorLine, type Monitor, type MonitorLine, type MonitorOptions } from './monitor.js';
export { streamGroupReader, type StreamGroupReaderOptions, type StreamGroupEntry } from './streams.js';
export { COMMAND_START_CHANNEL, COMMAND_END_CHANNEL, COMMAND_ERROR_CHANNEL, type CommandTraceStart, type CommandTraceEnd, type CommandTraceError } from './tracing.js';
export { scanKeys, scanHash, scanSet, scanSortedSet, type ScanIteratorOptions, type ElementScanOptions } from './scan.js';
export { replyOf, overlayMethods, type ReplyInfo } from './replies.js';
export { shapeType, shapeMismatch, type Shape } from './reply-shapes.js';
export { CommandBatch, Pipeline, Transaction, type BatchTarget } from './pipeline.js';
export { WatchConflictError, type WatchRetryOptions } from './watch.js';
export { createPool, RedisPool, PoolExhaustedError, type PoolOptions } from './pool.js';
export { ReplyError, ConnectionError, TimeoutError, OfflineQueueFullError, ClientClosedError, CommandRefusedError } from './errors.js';
export { parseRedisUrl, type RedisEndpoint } from './url.js';
export { type ReconnectPolicy } from './backoff.js';
export { defineScript, RedisScript, scriptSha1, preloadScripts, broadcastScriptReload, watchScriptReloads, SCRIPT_RELOAD_CHANNEL, type ScriptOptions, type WatchScriptsOptions, type ScriptReloadWatch } from './script.js';
export { type MessageListener } from './pubsub.js';
export { createSentinel, SentinelClient, type SentinelOptions } from './sentinel.js';
