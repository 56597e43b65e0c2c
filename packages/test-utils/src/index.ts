/**
 * @reactor-ts/test-utils — real peers for the tests and benchmarks (private).
 *
 * Layout
 * - ports.ts         getFreePort: a free loopback port, never 6379
 * - redis-server.ts  startRedis: a redis-server of our own, started, probed, stopped by pid
 * - run-tsx.ts       runTsx: a TypeScript program in a child process (tsx), bounded in time
 * - fault-proxy.ts   startFaultProxy: a TCP proxy that dribbles, resets, blackholes and half-closes on command
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
