/**
 * @reactor-ts/test-utils — real peers for the tests and benchmarks (private).
 *
 * Layout
 * - ports.ts         getFreePort: a free loopback port, never 6379
 * - redis-server.ts  startRedis: a redis-server of our own, started, probed, stopped by pid
 * - run-tsx.ts       runTsx: a TypeScript program in a child process (tsx), bounded in time
 * - raw-resp.ts      RespConnection: the raw RESP test connection (exact reply bytes), encodeArgv, decodeReply
 * - cluster.ts       startCluster: a real Redis Cluster (cluster-enabled redis-servers joined by redis-cli), with its faults
 * - tls-certs.ts     makeTlsCerts: a private CA, server/client/expired/wrong-host certificates (openssl CLI)
 * - sentinel.ts      startSentinelGroup: a master, replicas and sentinels, with failover and kill -9
 * - fault-proxy.ts   startFaultProxy: a TCP proxy that dribbles, resets, blackholes and half-closes on command
 * - fuzz-random.ts   rng (the one seeded generator), pick / int, mutate: byte mutations with a protocol's vocabulary
 * - resp-fuzz.ts     fuzzReplies / makeReplyInput: the RESP reply fuzz corpus and its contract checks
 */
export { getFreePort } from './ports.js';
export {
  startRedis,
  hasRedisServer,
  redisServerBinary,
  stopAllRedis,
  type RedisServer,
  type RedisServerOptions,
  type RedisAclUser,
} from './redis-server.js';
export { runTsx, type RunTsxOptions, type RunTsxResult } from './run-tsx.js';
export {
  startFaultProxy,
  type FaultProxy,
  type FaultProxyOptions,
  type DribbleOptions,
  type ProxyStats,
  type ProxyTarget,
} from './fault-proxy.js';
export {
  RespConnection,
  encodeArgv,
  replyLength,
  decodeReply,
  rawCall,
  type RawArg,
  type RawValue,
} from './raw-resp.js';
export {
  startCluster,
  parseClusterNodes,
  CLUSTER_SLOTS,
  type RedisCluster,
  type ClusterNode,
  type ClusterOptions,
  type MigrateOptions,
} from './cluster.js';
export { makeTlsCerts, type TlsCerts, type CertFiles } from './tls-certs.js';
export { startSentinelGroup, type SentinelGroup, type SentinelGroupOptions } from './sentinel.js';
export {
  fuzzReplies,
  makeReplyInput,
  runOnce as runReplyFuzzInput,
  chunking,
  type RespKit,
  type FuzzReader,
  type FuzzChain,
  type FuzzReaderOptions,
  type FuzzStats,
  type Outcome as ReplyFuzzOutcome,
} from './resp-fuzz.js';
export { rng, pick, int, splice, mutate, type Rand, type MutationVocabulary } from './fuzz-random.js';
