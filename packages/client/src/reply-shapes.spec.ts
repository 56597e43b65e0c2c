// The reply overlay (replies.ts) against a real server: each sample call's
// reply, as the typed method returns it, must fit the declared shape, under
// RESP2 and under RESP3; and every distinct declared shape has a sample.
import { describe, expect, it } from 'vitest';
import { VerbatimString } from '@reactor-ts/resp';
import { overlayMethods, replyOf, shapeMismatch, shapeType, type RedisClient } from './index.js';
import { clientSuite } from '../test/helpers.js';

const suite = clientSuite();

// Data every sample can read: a string, counter, hash, list, set, zset, stream, geo set, HLL.
const setup: string[][] = [
  ['SET', 's', 'hello'], ['SET', 'n', '10'], ['HSET', 'h', 'f', 'v', 'g', 'w'], ['RPUSH', 'l', 'a', 'b', 'c'],
  ['SADD', 'st', 'a', 'b'], ['ZADD', 'z', '1', 'a', '2.5', 'b'], ['XADD', 'x', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 'x', 'grp', '0'],
  ['GEOADD', 'geo', '13.4', '52.5', 'berlin', '2.35', '48.85', 'paris'], ['PFADD', 'hll', 'a'], ['SETBIT', 'bits', '3', '1'],
];

type Sample = [method: string, args: unknown[]];
const samples: Sample[] = [
  ['get', ['s']], ['get', ['missing']], ['set', ['s2', 'v']], ['set', ['s', 'v', { NX: true }]], ['mget', ['s', 'missing']], ['mset', ['m1', '1']],
  ['incr', ['n']], ['incrbyfloat', ['n', 1.5]], ['strlen', ['s']], ['getrange', ['s', 0, 1]], ['setnx', ['s', 'x']], ['append', ['s3', 'x']],
  ['exists', ['s']], ['expire', ['s', 100]], ['ttl', ['s']], ['type', ['s']], ['keys', ['s*']], ['randomkey', []], ['scan', ['0']],
  ['objectEncoding', ['s']], ['objectEncoding', ['missing']], ['dump', ['missing']], ['sortRo', ['l', { ALPHA: true }]],
  ['hget', ['h', 'f']], ['hget', ['h', 'nope']], ['hgetall', ['h']], ['hkeys', ['h']], ['hmget', ['h', 'f', 'nope']], ['hexists', ['h', 'f']], ['hscan', ['h', '0']],
  ['lrange', ['l', 0, -1]], ['llen', ['l']], ['lindex', ['l', 9]], ['lpush', ['l2', 'a']], ['lmove', ['l2', 'l3', 'LEFT', 'RIGHT']], ['lmpop', [['l'], 'LEFT']],
  ['lmpop', [['missing'], 'LEFT']], ['blpop', [['l'], 0.01]], ['blpop', [['missing'], 0.01]],
  ['smembers', ['st']], ['sinter', ['st']], ['sismember', ['st', 'a']], ['smismember', ['st', 'a', 'z']], ['sscan', ['st', '0']], ['scard', ['st']],
  ['zscore', ['z', 'b']], ['zscore', ['z', 'nope']], ['zincrby', ['z', 1, 'a']], ['zmscore', ['z', 'a', 'nope']], ['zrank', ['z', 'b']], ['zrank', ['z', 'nope']],
  ['zadd', ['z', [[3, 'c']]]], ['zadd', ['z', [[1, 'c']], { XX: true, INCR: true, GT: true }]], ['zscan', ['z', '0']], ['zcard', ['z']],
  ['xadd', ['x', '*', [['f', 'v']]]], ['xadd', ['nostream', '*', [['f', 'v']], { NOMKSTREAM: true }]], ['xlen', ['x']], ['xrange', ['x', '-', '+']],
  ['xgroupCreateconsumer', ['x', 'grp', 'c1']],
  ['geodist', ['geo', 'berlin', 'paris', 'KM']], ['geodist', ['geo', 'berlin', 'nowhere']], ['geopos', ['geo', 'berlin', 'nowhere']], ['geohash', ['geo', 'berlin']],
  ['pfcount', ['hll']], ['pfadd', ['hll', 'b']], ['getbit', ['bits', 3]], ['bitcount', ['bits']], ['bitfield', ['bits', { GET: [['u4', 0]] }]], ['bitfieldRo', ['bits', { GET: [['u4', 0], ['u4', 4]] }]],
  ['echo', ['x']], ['ping', []], ['clientId', []], ['clientGetname', []], ['clientInfo', []], ['clientList', []], ['info', ['server']],
  ['dbsize', []], ['time', []], ['lolwut', []], ['configGet', ['maxmemory']], ['memoryUsage', ['s']], ['memoryUsage', ['missing']], ['memoryDoctor', []],
  ['commandCount', []], ['commandGetkeys', ['MSET', 'a', '1', 'b', '2']], ['aclWhoami', []], ['aclCat', []], ['slowlogLen', []], ['lastsave', []],
  ['scriptLoad', ['return 1']], ['scriptExists', ['e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0000000000000000000000000000000000000000']],
  ['publish', ['ch', 'm']], ['pubsubChannels', []], ['pubsubNumsub', ['ch']], ['pubsubNumpat', []], ['pubsubShardnumsub', ['ch']],
  ['functionFlush', []], ['flushdb', []],
];

async function run(protocol: 2 | 3): Promise<string[]> {
  const c: RedisClient = suite.client({ protocol });
  await c.connect();
  await c.command('FLUSHALL');
  for (const argv of setup) await c.command(...argv);
  const problems: string[] = [];
  for (const [method, args] of samples) {
    const info = replyOf(method);
    if (info === undefined) {
      problems.push(`${method}: no overlay entry`);
      continue;
    }
    const fn = (c as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    const reply = await fn.apply(c, args);
    const bad = shapeMismatch(info.shape, reply, protocol);
    if (bad !== null) problems.push(`RESP${protocol} ${method}(${JSON.stringify(args)}) declared ${shapeType(info.shape)}: ${bad}`);
  }
  return problems;
}

describe('declared reply shapes match the server', () => {
  it('under RESP2', async () => {
    expect(await run(2)).toEqual([]);
  });
  it('under RESP3', async () => {
    expect(await run(3)).toEqual([]);
  });
  it('has a sample for every distinct shape the overlay declares', () => {
    const sampled = new Set(samples.map(([m]) => shapeType(replyOf(m)!.shape)));
    const declared = new Set(overlayMethods().map((m) => shapeType(replyOf(m)!.shape)));
    const unsampled = [...declared].filter((s) => !sampled.has(s) && s !== 'unknown');
    expect(unsampled).toEqual([]);
  });
  it('returns INFO under RESP3 as a plain string, not a VerbatimString', async () => {
    const c = suite.client({ protocol: 3 });
    await c.connect();
    expect(await c.command('INFO', 'server')).toBeInstanceOf(VerbatimString);
    const info = await c.info('server');
    expect(typeof info).toBe('string');
    expect(info).toMatch(/redis_version:/);
  });
});
