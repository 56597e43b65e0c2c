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
 * - settle.ts          Settler, PromiseSettler, TimedSettler, Batch, HeldBatch: how a reply
 *                      (or a deadline) settles
 * - deadline.ts        Deadlines: commandTimeout counted from issue, one timer for a FIFO
 * - abort.ts           AbortSignal per command and batch: one listener per signal, unsent
 *                      commands taken out of the offline queue, late replies dropped
 * - monitor.ts         client.monitor(): MONITOR on a connection of its own
 * - commands.ts        CommandMethods: one method per command of the table, attached at load; command(...argv)
 * - methods.generated.ts  the generated signatures (ClientCommands, BatchCommands, *Options); do not edit
 * - signature.ts       a command's documented arguments → method parameters → argv (one plan for both)
 * - replies.ts         the hand-kept reply overlay (shape per method, and the few reshaped replies)
 * - reply-shapes.ts    Shape: a reply's TypeScript type and its runtime check
 * - scan.ts          scanIterator / hscanIterator / sscanIterator / zscanIterator: SCAN pages as async iterators
 * - tracing.ts       command start/end/error on node:diagnostics_channel (names and key counts, never values)
 * - streams.ts       streamGroupReader: a consumer group's entries as an async iterator, crashed consumers' entries claimed
 * - monitor-lines.ts monitorLines(client): client.monitor()'s lines, parsed, as a bounded async iterator
 * - cache.ts         createCachingClient: RESP3 CLIENT TRACKING, an LRU of read replies emptied by invalidate pushes
 * - reply-mapping.ts withReplyMapping's conversion: maps as Map / object / pairs, sets as Set / array, either protocol
 * - absent.ts          the commands deliberately without a method, and why
 * - types.ts           RedisKey, RedisArgument, RedisInteger, RedisDouble, RedisString
 * - pipeline.ts        Pipeline and Transaction (MULTI/EXEC): one write, replies by slot
 * - watch.ts           watchRetry: WATCH → read → MULTI/EXEC, retried on conflict
 * - pool.ts            RedisPool: N connections on one reactor, least pending, lending
 * - errors.ts          ConnectionError, TimeoutError, OfflineQueueFullError, ClientClosedError
 * - link-errors.ts     which of those errors a failed link / refused command / closed client
 *                      gives, and which commands and pipelines the client refuses to send
 * - url.ts             redis:// and unix socket URLs
 * - backoff.ts         reconnect policy: first attempt at once, then capped jittered backoff;
 *                      the retryStrategy / reconnectOnError hook types
 * - queue.ts           BoundedQueue: the offline and wait queues' FIFO
 * - default-reactor.ts the shared reactor used when none is given
 * - script.ts          defineScript (EVALSHA, NOSCRIPT → EVAL), preload, reload broadcast
 * - pubsub.ts          the listeners behind RedisClient.subscribe & co., resubscribed on each link
 * - sentinel.ts        createSentinel / SentinelClient: the node found through Sentinel, followed on +switch-master
 * - cluster.ts         RedisCluster / createCluster: routing by slot, MOVED / ASK / TRYAGAIN,
 *                      map refresh, fan-out, pipelines split per node, watchRetry, scanIterator
 * - cluster-node.ts    one node: a RedisClient plus the commands held while its link opens;
 *                      ClusterCommand, one command from issue to settlement
 * - cluster-pipeline.ts pipelines split per node, only redirected replies re-routed
 * - cluster-batch.ts   transactions that follow their slot, fan-out reply combining
 * - cluster-pubsub.ts  channel / pattern / shard subscriptions, moved when their node changes
 * - cluster-errors.ts  MaxRedirectionsError, ClusterUnavailableError (and CrossSlotError)
 */
export { createClient, RedisClient, type ClientOptions, type ClientState, type WatchFn } from './client.js';
export { type Link, type LinkHook, type LinkSource } from './link.js';
export { type Settler } from './settle.js';
export { CommandMethods, methodSpecs, replyShapeOfCall, type BufferView, type SendOptions } from './commands.js';
export type * from './methods.generated.js';
export type { RedisKey, RedisArgument, RedisInteger, RedisDouble, RedisString } from './types.js';
export { ABSENT_COMMANDS } from './absent.js';
export { type ReplyMapping } from './reply-mapping.js';
export { createCachingClient, CachingClient, type ClientCacheOptions, type ClientCacheStats } from './cache.js';
export { monitorLines, parseMonitorLine, type MonitorIterator, type MonitorLine, type MonitorLinesOptions } from './monitor-lines.js';
export { streamGroupReader, type StreamGroupReaderOptions, type StreamGroupEntry } from './streams.js';
export { COMMAND_START_CHANNEL, COMMAND_END_CHANNEL, COMMAND_ERROR_CHANNEL, type CommandTraceStart, type CommandTraceEnd, type CommandTraceError } from './tracing.js';
export { scanKeys, scanHash, scanSet, scanSortedSet, type ScanIteratorOptions, type ElementScanOptions } from './scan.js';
export { replyOf, overlayMethods, OPEN_REPLIES, type ReplyInfo, type ReplyVariant } from './replies.js';
export { shapeType, shapeMismatch, type Shape } from './reply-shapes.js';
export { CommandBatch, Pipeline, Transaction, type BatchOptions, type BatchTarget, type ExecOptions } from './pipeline.js';
export { WatchConflictError, type WatchRetryOptions } from './watch.js';
export { createPool, RedisPool, PoolExhaustedError, type PoolOptions } from './pool.js';
export { ReplyError, ConnectionError, TimeoutError, OfflineQueueFullError, ClientClosedError, CommandRefusedError, AbortError } from './errors.js';
export { parseRedisUrl, type RedisEndpoint } from './url.js';
export { type ReconnectPolicy, type RetryStrategy, type ReconnectOnError } from './backoff.js';
export { type Monitor, type MonitorListener } from './monitor.js';
export { defineScript, RedisScript, scriptSha1, preloadScripts, broadcastScriptReload, watchScriptReloads, SCRIPT_RELOAD_CHANNEL, type ScriptOptions, type WatchScriptsOptions, type ScriptReloadWatch } from './script.js';
export { type MessageListener } from './pubsub.js';
export { createSentinel, SentinelClient, type SentinelOptions } from './sentinel.js';
export { createCluster, RedisCluster, type ClusterOptions, type ClusterState, type ClusterNodeInfo } from './cluster.js';
export { CrossSlotError, MaxRedirectionsError, ClusterUnavailableError } from './cluster-errors.js';
