/**
 * @reactor-ts/test-utils — real peers for the tests and benchmarks (private).
 *
 * Layout
 * - ports.ts         getFreePort: a free loopback port, never 6379
 * - redis-server.ts  startRedis: a redis-server of our own, started, probed, stopped by pid
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
