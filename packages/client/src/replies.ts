/**
 * The hand-kept reply overlay: what each command answers (reply-shapes.ts),
 * by method name. Redis 7.0's COMMAND DOCS describes arguments only, so this
 * is the one place a reply type is written; the generator prints it as the
 * method's return type and reply-shapes.spec.ts checks it against a real
 * server under RESP2 and RESP3. A command missing here returns `unknown`.
 *
 * `map` reshapes a reply on the client's methods (the promise a method
 * returns); pipelines and transactions collect replies unshaped, as
 * `command()` would return them.
 */
import { integerOf, textOf } from '@reactor-ts/resp';
import { toCountMap, toNames } from './pubsub.js';
import { any, array, bit, custom, double, either, int, map, nullable, ok, plainText, set, str, text, tuple, type Shape } from './reply-shapes.js';

export interface ReplyInfo {
  readonly shape: Shape;
  /** Turns the raw reply into the declared one (method calls only). */
  readonly map?: (raw: unknown) => unknown;
}

const nstr = nullable(str);
const strs = array(str);
const nstrs = array(nstr);
const ints = array(int);
const countMap = custom('Map<string, number>', (v) => v instanceof Map && [...v.values()].every((x) => typeof x === 'number'));
const names = custom('string[]', (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'));
const booleans = custom('boolean[]', (v) => Array.isArray(v) && v.every((x) => typeof x === 'boolean'));
const scanReply = tuple(str, strs);
const entry = tuple(str, nullable(array(str)));
const entries = array(entry);

const shapes: Record<string, Shape> = {
  // strings
  append: int, decr: int, decrby: int, get: nstr, getdel: nstr, getex: nstr, getrange: str, getset: nstr,
  incr: int, incrby: int, incrbyfloat: str, mget: nstrs, mset: ok, msetnx: bit, psetex: ok,
  set: nstr, setex: ok, setnx: bit, setrange: int, strlen: int, substr: str, lcs: any,
  // bits
  bitcount: int, bitpos: int, getbit: bit, setbit: bit, bitop: int, bitfield: array(nullable(int)), bitfieldRo: ints,
  // keys
  copy: bit, del: int, dump: nullable(any), exists: int, expire: bit, expireat: bit, expiretime: int,
  keys: strs, move: bit, persist: bit, pexpire: bit, pexpireat: bit, pexpiretime: int, pttl: int,
  randomkey: nstr, rename: ok, renamenx: bit, restore: ok, touch: int, ttl: int, type: str, unlink: int,
  scan: scanReply, objectEncoding: nstr, objectFreq: int, objectIdletime: int, objectRefcount: int, sort: any, sortRo: strs,
  // hashes
  hdel: int, hexists: bit, hget: nstr, hgetall: map(str, str), hincrby: int, hincrbyfloat: str, hkeys: strs,
  hlen: int, hmget: nstrs, hmset: ok, hrandfield: any, hscan: scanReply, hset: int, hsetnx: bit, hstrlen: int, hvals: strs,
  // lists
  blmove: nstr, blpop: nullable(tuple(str, str)), brpop: nullable(tuple(str, str)), brpoplpush: nstr, lindex: nstr, linsert: int, llen: int,
  lmove: nstr, lpop: any, lpos: any, lpush: int, lpushx: int, lrange: strs, lrem: int, lset: ok, ltrim: ok,
  rpop: any, rpoplpush: nstr, rpush: int, rpushx: int, lmpop: nullable(tuple(str, strs)), blmpop: nullable(tuple(str, strs)),
  // sets
  sadd: int, scard: int, sdiff: set(str), sdiffstore: int, sinter: set(str), sintercard: int, sinterstore: int,
  sismember: bit, smembers: set(str), smismember: array(bit), smove: bit, spop: any, srandmember: any, srem: int,
  sscan: scanReply, sunion: set(str), sunionstore: int,
  // sorted sets
  zadd: either(int, nullable(double)), zcard: int, zcount: int, zdiffstore: int, zincrby: double, zinterstore: int, zintercard: int,
  zlexcount: int, zmscore: array(nullable(double)), zrangestore: int, zrank: nullable(int), zrem: int,
  zremrangebylex: int, zremrangebyrank: int, zremrangebyscore: int, zrevrank: nullable(int), zscore: nullable(double),
  zunionstore: int, zscan: scanReply, zrandmember: any, zrange: any, zrangebyscore: any, zrevrange: any,
  // streams
  xack: int, xadd: nstr, xdel: int, xlen: int, xrange: entries, xrevrange: entries, xtrim: int,
  xgroupCreate: ok, xgroupDestroy: int, xgroupCreateconsumer: int, xgroupDelconsumer: int, xgroupSetid: ok,
  xread: any, xreadgroup: any, xautoclaim: any, xclaim: any, xpending: any, xinfoStream: any, xinfoGroups: any, xinfoConsumers: any,
  // geo
  geoadd: int, geodist: nstr, geohash: nstrs, geopos: array(nullable(tuple(double, double))), geosearchstore: int,
  // hyperloglog
  pfadd: bit, pfcount: int, pfmerge: ok,
  // connection
  echo: str, ping: str, select: ok, auth: ok, clientId: int, clientGetname: nstr, clientSetname: ok, clientInfo: text,
  clientList: text, clientKill: any, clientPause: ok, clientUnpause: ok, clientNoEvict: ok, clientGetredir: int,
  clientTrackinginfo: any, clientTracking: ok, clientCaching: ok, clientUnblock: bit,
  // server
  dbsize: int, flushall: ok, flushdb: ok, info: text, lastsave: int, time: tuple(str, str), lolwut: text,
  configGet: map(str, str), configSet: ok, configResetstat: ok, configRewrite: ok, memoryUsage: nullable(int), memoryDoctor: text,
  commandCount: int, commandList: strs, commandGetkeys: strs, commandDocs: any, commandInfo: any,
  swapdb: ok, wait: int, role: any, save: ok, bgsave: str, bgrewriteaof: str, slowlogLen: int, slowlogReset: ok, slowlogGet: any,
  aclWhoami: str, aclUsers: strs, aclCat: strs, aclSetuser: ok, aclDeluser: int, aclList: strs, aclGenpass: str,
  latencyLatest: any, debugObject: str,
  // scripting and functions
  eval: any, evalsha: any, evalRo: any, evalshaRo: any, fcall: any, fcallRo: any,
  scriptLoad: custom('string', (v) => typeof v === 'string'), scriptExists: booleans, scriptFlush: custom('string', (v) => typeof v === 'string'),
  scriptKill: custom('string', (v) => typeof v === 'string'), functionLoad: str, functionFlush: ok, functionDelete: ok, functionList: any,
  // pub/sub
  publish: int, spublish: int, pubsubChannels: names, pubsubNumsub: countMap, pubsubNumpat: custom('number', (v) => typeof v === 'number'),
  pubsubShardchannels: names, pubsubShardnumsub: countMap,
};

const maps: Record<string, (raw: unknown) => unknown> = {
  info: plainText, clientInfo: plainText, clientList: plainText, lolwut: plainText, memoryDoctor: plainText,
  scriptLoad: (r) => textOf(r) ?? '',
  scriptFlush: (r) => textOf(r) ?? '',
  scriptKill: (r) => textOf(r) ?? '',
  scriptExists: (r) => (Array.isArray(r) ? r : []).map((x) => x === 1 || x === true),
  pubsubChannels: toNames,
  pubsubShardchannels: toNames,
  pubsubNumsub: toCountMap,
  pubsubShardnumsub: toCountMap,
  pubsubNumpat: (r) => integerOf(r) ?? 0,
};

/** The overlay entry of a method, or undefined (reply `unknown`). */
export function replyOf(method: string): ReplyInfo | undefined {
  const shape = shapes[method];
  if (shape === undefined) return undefined;
  const m = maps[method];
  return m === undefined ? { shape } : { shape, map: m };
}

/** Every method the overlay declares. */
export function overlayMethods(): string[] {
  return Object.keys(shapes);
}
