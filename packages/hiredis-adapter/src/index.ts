/**
 * @reactor-ts/hiredis-adapter — hiredis's APIs over the reactor, file for
 * file (the promise client built on them is @reactor-ts/client).
 *
 * Layout (hiredis's file → ours)
 * - async.c        context.ts   the redisAsync* calls (callback API)
 *                  engine.ts    the context's state machine: connect, handshake,
 *                               command queue and encoding, replies, timeouts, internal
 * - async.c        reply-queue.ts / subscriptions.ts / command-info.ts
 *                               the reply FIFO, the pub/sub tables, which command
 *                               is which; internal
 * - async.h        types.ts     the context's public shapes: callbacks, hooks,
 *                               the transport, options
 * - adapters/ae.h  attach.ts    redisAttach: the adapter object between the context
 *                               and the reactor
 * - hiredis.c      blocking.ts  redisConnect / redisCommand ...: a truly blocking context
 * - net.c          blocking-worker.ts   the worker thread that owns the blocking
 *                               context's socket, internal
 *                  blocking-channel.ts  the calling thread's side: starts the worker,
 *                               sleeps in Atomics.wait, reads replies from the
 *                               shared ring, internal
 * - ssl.c          ssl.ts       redisCreateSSLContext / redisInitiateSSLWithContext /
 *                               redisFreeSSLContext (TLS for both contexts)
 * - hiredis.h      constants.ts REDIS_OK / REDIS_ERR, REDIS_ERR_* and the context flags
 *                  options.ts   redisOptions' checks, and the connect handshake
 *                               (AUTH, HELLO, SELECT, SETNAME) hiredis leaves to
 *                               its callers; internal
 * - hircluster.c   cluster-slot.ts      CRC16 and keySlot (hash tags)
 *                  cluster-commands.ts  key positions and routing tips from the server's COMMAND
 *                  cluster-topology.ts  the slot map (CLUSTER SHARDS / SLOTS), MOVED/ASK parsing,
 *                               CrossSlotError
 *                  cluster.ts           redisClusterAsync*: the hiredis-cluster async API
 * (read.c, the reply reader, and the command encoders are @reactor-ts/resp's.)
 */
export * from './constants.js';
export * from './context.js';
export * from './attach.js';
export {
  redisAppendCommand,
  redisAppendCommandArgv,
  redisAppendFormattedCommand,
  redisCommand,
  redisCommandArgv,
  redisConnect,
  redisConnectUnix,
  redisConnectUnixWithTimeout,
  redisConnectWithOptions,
  redisConnectWithTimeout,
  redisFree,
  redisGetReply,
  redisReconnect,
  redisSetPushCallback,
  redisSetTimeout,
  type RedisContext,
  type RedisOptions,
  type RedisPushCallback,
  type RedisTimeout,
  type TimeVal,
} from './blocking.js';
export {
  redisCreateSSLContext,
  redisFreeSSLContext,
  redisInitiateSSLWithContext,
  type RedisSSLOptions,
} from './ssl.js';
export { CLUSTER_SLOTS, crc16, keySlot } from './cluster-slot.js';
export { CommandTable, parseCommandEntry, type CommandSpec, type KeySpec, type RequestPolicy, type ResponsePolicy } from './cluster-commands.js';
export {
  CrossSlotError,
  isRetryableClusterError,
  NO_SLOT,
  nodeAddress,
  parseAddress,
  parseRedirect,
  SlotMap,
  slotOfKeys,
  type ClusterShard,
  type NodeAddress,
  type Redirect,
} from './cluster-topology.js';
export * from './cluster.js';
