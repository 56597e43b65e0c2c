// The reply overlay (replies.ts) against real servers: each sample call's
// reply, as the typed method returns it, must fit the shape declared for
// that call (its variant: WITHSCORES, COUNT, JUSTID, ...), under RESP2 and
// RESP3; the same calls in a pipeline and in a transaction must give
// replies of the same shape (reshaped as the methods' are); cluster
// commands run on a real cluster, and its pipeline reshapes too. Every
// distinct shape the overlay declares has at least one sample.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyError, VerbatimString } from '@reactor-ts/resp';
import { startCluster, type RedisCluster as LocalCluster } from '@reactor-ts/test-utils';
import { createCluster, overlayMethods, replyOf, replyShapeOfCall, shapeMismatch, shapeType, type CommandMethods, type RedisClient } from './index.js';
import { double, int, lit, pairs, record, reshaperOf, str, tupleRest } from './reply-shapes.js';
import { clientSuite } from '../test/helpers.js';

const suite = clientSuite({ enableDebug: true });

const lib = "#!lua name=shapes\nredis.register_function{function_name='f1', callback=function(keys, args) return 1 end, flags={'no-writes'}}";

// Data every sample can read: strings, counter, hash, lists, sets, zsets, a stream with a pending entry,
// geo set, HLL, a function library, slowlog and latency entries, an ACL log entry.
const setup: string[][] = [
  ['SET', 's', 'hello'], ['SET', 'n', '10'], ['HSET', 'h', 'f', 'v', 'g', 'w'], ['RPUSH', 'l', 'a', 'b', 'c'], ['RPUSH', 'l4', 'a', 'b', 'c', 'd'],
  ['SADD', 'st', 'a', 'b'], ['SADD', 'st2', 'a', 'b', 'c', 'd'], ['ZADD', 'z', '1', 'a', '2.5', 'b'], ['ZADD', 'zp', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
  ['XADD', 'x', '1-1', 'f', 'v'], ['XADD', 'x', '1-2', 'g', 'w'], ['XGROUP', 'CREATE', 'x', 'grp', '0'], ['XREADGROUP', 'GROUP', 'grp', 'c1', 'COUNT', '1', 'STREAMS', 'x', '>'],
  ['GEOADD', 'geo', '13.4', '52.5', 'berlin', '2.35', '48.85', 'paris'], ['PFADD', 'hll', 'a'], ['SETBIT', 'bits', '3', '1'],
  ['SET', 'lcs1', 'ohmytext'], ['SET', 'lcs2', 'mynewtext'],
  ['FUNCTION', 'LOAD', 'REPLACE', lib],
  ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['CONFIG', 'SET', 'latency-monitor-threshold', '1'], ['DEBUG', 'SLEEP', '0.005'],
];

type Sample = [method: string, args: unknown[]];
const samples: Sample[] = [
  // strings and keys
  ['get', ['s']], ['get', ['missing']], ['set', ['s2', 'v']], ['set', ['s', 'v', { NX: true }]], ['mget', ['s', 'missing']], ['mset', ['m1', '1']],
  ['incr', ['n']], ['incrbyfloat', ['n', 1.5]], ['strlen', ['s']], ['getrange', ['s', 0, 1]], ['setnx', ['s', 'x']], ['append', ['s3', 'x']],
  ['lcs', ['lcs1', 'lcs2']], ['lcs', ['lcs1', 'lcs2', { LEN: true }]], ['lcs', ['lcs1', 'lcs2', { IDX: true, WITHMATCHLEN: true }]], ['lcs', ['lcs1', 'lcs2', { IDX: true }]],
  ['exists', ['s']], ['expire', ['s', 100]], ['ttl', ['s']], ['type', ['s']], ['keys', ['s*']], ['randomkey', []], ['scan', ['0']],
  ['objectEncoding', ['s']], ['objectEncoding', ['missing']], ['dump', ['missing']], ['sortRo', ['l', { ALPHA: true }]],
  ['sort', ['l', { ALPHA: true, GET: ['nosuch*'] }]], ['sort', ['l', { ALPHA: true, STORE: 'sorted' }]],
  ['migrate', ['127.0.0.1', 1, 'missing', 0, 1000]],
  // hashes
  ['hget', ['h', 'f']], ['hget', ['h', 'nope']], ['hgetall', ['h']], ['hkeys', ['h']], ['hmget', ['h', 'f', 'nope']], ['hexists', ['h', 'f']], ['hscan', ['h', '0']],
  ['hrandfield', ['h']], ['hrandfield', ['h', { options: { count: 2 } }]], ['hrandfield', ['h', { options: { count: 2, WITHVALUES: true } }]],
  // lists
  ['lrange', ['l', 0, -1]], ['llen', ['l']], ['lindex', ['l', 9]], ['lpush', ['l2', 'a']], ['lmove', ['l2', 'l3', 'LEFT', 'RIGHT']], ['lmpop', [['l'], 'LEFT']],
  ['lmpop', [['missing'], 'LEFT']], ['blpop', [['l'], 0.01]], ['blpop', [['missing'], 0.01]],
  ['lpos', ['l4', 'b']], ['lpos', ['l4', 'b', { COUNT: 0 }]], ['lpop', ['l4']], ['lpop', ['l4', 2]], ['lpop', ['missing', 2]], ['rpop', ['l4']], ['rpop', ['missing']],
  // sets
  ['smembers', ['st']], ['sinter', ['st']], ['sismember', ['st', 'a']], ['smismember', ['st', 'a', 'z']], ['sscan', ['st', '0']], ['scard', ['st']],
  ['srandmember', ['st']], ['srandmember', ['st', 2]], ['spop', ['st2']], ['spop', ['st2', 2]], ['spop', ['missing']],
  // sorted sets
  ['zscore', ['z', 'b']], ['zscore', ['z', 'nope']], ['zincrby', ['z', 1, 'a']], ['zmscore', ['z', 'a', 'nope']], ['zrank', ['z', 'b']], ['zrank', ['z', 'nope']],
  ['zadd', ['z', [[3, 'c']]]], ['zadd', ['z', [[1, 'c']], { XX: true, INCR: true, GT: true }]], ['zscan', ['z', '0']], ['zcard', ['z']],
  ['zrange', ['z', 0, -1]], ['zrange', ['z', 0, -1, { WITHSCORES: true }]], ['zrangebyscore', ['z', '-inf', '+inf', { WITHSCORES: true }]],
  ['zrevrange', ['z', 0, -1, { WITHSCORES: true }]], ['zunion', [['z'], { WITHSCORES: true }]], ['zinter', [['z']]],
  ['zrandmember', ['z']], ['zrandmember', ['z', { options: { count: 2 } }]], ['zrandmember', ['z', { options: { count: 2, WITHSCORES: true } }]],
  ['zpopmin', ['zp']], ['zpopmin', ['zp', 1]], ['zpopmax', ['zp', 2]], ['zpopmin', ['missing']],
  ['bzpopmin', [['zp'], 0.01]], ['bzpopmax', [['missing'], 0.01]], ['zmpop', [['zp'], 'MIN']], ['bzmpop', [0.01, ['missing'], 'MIN']],
  // streams
  ['xadd', ['x', '*', [['f', 'v']]]], ['xadd', ['nostream', '*', [['f', 'v']], { NOMKSTREAM: true }]], ['xlen', ['x']], ['xrange', ['x', '-', '+']],
  ['xgroupCreateconsumer', ['x', 'grp', 'c1']],
  ['xread', [[['x'], ['0']]]], ['xread', [[['nostream'], ['0']]]], ['xreadgroup', [['grp', 'c1'], [['x'], ['0']]]],
  ['xpending', ['x', 'grp']], ['xpending', ['x', 'grp', { filters: { start: '-', end: '+', count: 10 } }]],
  ['xinfoStream', ['x']], ['xinfoStream', ['x', { FULL: true }]], ['xinfoGroups', ['x']], ['xinfoConsumers', ['x', 'grp']],
  ['xautoclaim', ['x', 'grp', 'c2', '0', '0']], ['xautoclaim', ['x', 'grp', 'c2', '0', '0', { JUSTID: true }]],
  ['xclaim', ['x', 'grp', 'c1', '0', ['1-1']]], ['xclaim', ['x', 'grp', 'c1', '0', ['1-1'], { JUSTID: true }]],
  // geo
  ['geodist', ['geo', 'berlin', 'paris', 'KM']], ['geodist', ['geo', 'berlin', 'nowhere']], ['geopos', ['geo', 'berlin', 'nowhere']], ['geohash', ['geo', 'berlin']],
  ['georadius', ['geo', 13.4, 52.5, 2000, 'KM']], ['georadius', ['geo', 13.4, 52.5, 2000, 'KM', { WITHCOORD: true, WITHDIST: true, WITHHASH: true }]],
  ['georadius', ['geo', 13.4, 52.5, 2000, 'KM', { STORE: 'geodst' }]], ['geosearch', ['geo', { FROMMEMBER: 'berlin' }, { circle: { BYRADIUS: 2000, unit: 'KM' } }, { WITHDIST: true }]],
  // hyperloglog, bits
  ['pfcount', ['hll']], ['pfadd', ['hll', 'b']], ['getbit', ['bits', 3]], ['bitcount', ['bits']], ['bitfield', ['bits', { GET: [['u4', 0]] }]], ['bitfieldRo', ['bits', { GET: [['u4', 0], ['u4', 4]] }]],
  // connection and server
  ['echo', ['x']], ['ping', []], ['clientId', []], ['clientGetname', []], ['clientInfo', []], ['clientList', []], ['info', ['server']],
  ['clientTrackinginfo', []], ['clientKill', [{ newFormat: [{ ID: 999_999 }] }]], ['clientHelp', []],
  ['dbsize', []], ['time', []], ['lolwut', []], ['configGet', ['maxmemory']], ['memoryUsage', ['s']], ['memoryUsage', ['missing']], ['memoryDoctor', []],
  ['memoryStats', []], ['memoryMallocStats', []],
  ['commandCount', []], ['commandGetkeys', ['MSET', 'a', '1', 'b', '2']], ['commandGetkeysandflags', ['SET', 'a', 'b']],
  ['commandInfo', ['get', 'client', 'nosuch']], ['commandDocs', ['get', 'set', 'client']],
  ['aclWhoami', []], ['aclCat', []], ['aclDryrun', ['default', 'get', 'k']], ['aclGetuser', ['default']], ['aclGetuser', ['nosuch']], ['aclLog', []], ['aclLog', [{ operation: 'RESET' }]],
  ['slowlogLen', []], ['slowlogGet', [2]], ['lastsave', []], ['role', []], ['moduleList', []],
  ['latencyLatest', []], ['latencyHistory', ['command']], ['latencyHistogram', ['set']], ['latencyDoctor', []], ['latencyGraph', ['command']], ['latencyReset', []],
  // scripting and functions
  ['scriptLoad', ['return 1']], ['scriptExists', ['e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0000000000000000000000000000000000000000']],
  ['functionList', [{ WITHCODE: true }]], ['functionStats', []], ['functionDump', []],
  ['publish', ['ch', 'm']], ['pubsubChannels', []], ['pubsubNumsub', ['ch']], ['pubsubNumpat', []], ['pubsubShardnumsub', ['ch']],
  ['functionFlush', []], ['flushdb', []],
];

// Cluster commands, on a node of a real cluster (CLUSTER LINKS and SHARDS need peers).
const clusterSamples: Sample[] = [
  ['clusterInfo', []], ['clusterNodes', []], ['clusterMyid', []], ['clusterSlots', []], ['clusterShards', []], ['clusterLinks', []],
  ['clusterKeyslot', ['k']], ['clusterCountkeysinslot', [0]], ['clusterGetkeysinslot', [0, 10]],
];

type Methods = Record<string, (...a: unknown[]) => unknown>;
const methodsOf = (x: object): Methods => x as unknown as Methods;

/** Each sample's reply checked against the shape declared for that call. */
function check(label: string, list: readonly Sample[], replies: readonly unknown[], protocol: 2 | 3): string[] {
  const problems: string[] = [];
  list.forEach(([method, args], i) => {
    const shape = replyShapeOfCall(method, args);
    if (shape === undefined) {
      problems.push(`${method}: no overlay entry`);
      return;
    }
    const reply = replies[i];
    const bad = reply instanceof ReplyError ? `error reply ${reply.message}` : shapeMismatch(shape, reply, protocol);
    if (bad !== null) problems.push(`${label} RESP${protocol} ${method}(${JSON.stringify(args)}) declared ${shapeType(shape)}: ${bad}`);
  });
  return problems;
}

async function fresh(c: RedisClient): Promise<void> {
  await c.command('FLUSHALL');
  await c.command('ACL', 'LOG', 'RESET');
  await c.command('AUTH', 'nobody', 'wrong').catch(() => undefined); // an ACL LOG entry
  for (const argv of setup) await c.command(...argv);
}

async function direct(c: CommandMethods, list: readonly Sample[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [method, args] of list) out.push(await methodsOf(c)[method]!.apply(c, args));
  return out;
}

function batched(b: object, list: readonly Sample[]): void {
  for (const [method, args] of list) methodsOf(b)[method]!.apply(b, args);
}

const migratePort = (): void => {
  const m = samples.find(([name]) => name === 'migrate')!;
  m[1][1] = suite.srv.port;
};

describe('declared reply shapes match the server', () => {
  for (const protocol of [2, 3] as const) {
    it(`under RESP${protocol}: from the methods, a pipeline and a transaction`, async () => {
      migratePort();
      const c: RedisClient = suite.client({ protocol });
      await c.connect();
      await fresh(c);
      const problems = check('method', samples, await direct(c, samples), protocol);
      await fresh(c);
      const p = c.pipeline();
      batched(p, samples);
      problems.push(...check('pipeline', samples, await p.exec(), protocol));
      await fresh(c);
      const tx = c.multi();
      batched(tx, samples);
      problems.push(...check('multi', samples, (await tx.exec()) ?? [], protocol));
      expect(problems).toEqual([]);
    });
  }

  it('returns INFO under RESP3 as a plain string, not a VerbatimString', async () => {
    const c = suite.client({ protocol: 3 });
    await c.connect();
    expect(await c.command('INFO', 'server')).toBeInstanceOf(VerbatimString);
    const info = await c.info('server');
    expect(typeof info).toBe('string');
    expect(info).toMatch(/redis_version:/);
  });
});

describe('pipeline and transaction replies are the methods\' replies', () => {
  for (const protocol of [2, 3] as const) {
    it(`under RESP${protocol}: same values, errors in place, command() left as it arrives`, async () => {
      const c = suite.client({ protocol });
      await c.connect();
      await fresh(c);
      const calls: Sample[] = [
        ['get', ['s']], ['hgetall', ['h']], ['info', ['keyspace']], ['zrange', ['z', 0, -1, { WITHSCORES: true }]], ['xinfoGroups', ['x']],
        ['xrange', ['x', '-', '+']], ['clientTrackinginfo', []], ['lpos', ['l', 'b', { COUNT: 0 }]], ['scriptExists', ['0000000000000000000000000000000000000000']],
        ['pubsubNumsub', ['ch']], ['hrandfield', ['h', { options: { count: -2, WITHVALUES: true } }]],
      ];
      const want = await direct(c, calls);
      const viaPipeline = await (() => {
        const p = c.pipeline();
        batched(p, calls);
        return p.exec();
      })();
      const tx = c.multi();
      batched(tx, calls);
      const viaMulti = await tx.exec();
      // HRANDFIELD with a negative count repeats at random: compare its shape, the rest by value.
      const last = calls.length - 1;
      expect(viaPipeline.slice(0, last)).toEqual(want.slice(0, last));
      expect(viaMulti?.slice(0, last)).toEqual(want.slice(0, last));
      expect(viaPipeline[last]).toHaveLength(2);
      expect(typeof viaPipeline[2]).toBe('string');
      expect(viaPipeline[4]).toEqual([{ name: 'grp', consumers: 1, pending: 1, 'last-delivered-id': '1-1', 'entries-read': 1, lag: 1 }]);

      // An error reply keeps its place as a ReplyError; command() replies are not reshaped.
      const mixed = await c.pipeline().zrange('s', 0, -1, { WITHSCORES: true }).command('INFO', 'keyspace').hgetall('h').exec();
      expect(mixed[0]).toBeInstanceOf(ReplyError);
      if (protocol === 3) expect(mixed[1]).toBeInstanceOf(VerbatimString);
      else expect(typeof mixed[1]).toBe('string');
      expect(mixed[2]).toEqual(want[1]);
      const txMixed = await c.multi().set('k', 'v').hincrby('s', 'f', 1).info('keyspace').exec();
      expect(txMixed?.[1]).toBeInstanceOf(ReplyError);
      expect(typeof txMixed?.[2]).toBe('string');
    });
  }
});

describe('records and pairs under withReplyMapping', () => {
  it('come out the same whichever map/set form the view asks for, under RESP2 and RESP3', async () => {
    for (const protocol of [2, 3] as const) {
      const c = suite.client({ protocol });
      await c.connect();
      await fresh(c);
      const want = [await c.xinfoGroups('x'), await c.zrange('z', 0, -1, { WITHSCORES: true }), await c.xread([['x'], ['0']]), await c.clientTrackinginfo()];
      for (const m of [{ map: 'object' }, { map: 'pairs' }, { map: 'map' }, { set: 'array' }] as const) {
        const v = c.withReplyMapping(m);
        const got = [await v.xinfoGroups('x'), await v.zrange('z', 0, -1, { WITHSCORES: true }), await v.xread([['x'], ['0']]), await v.clientTrackinginfo()];
        // CLIENT TRACKINGINFO's flags are a set: an array or a Set as the view asks; the rest is identical.
        expect(got.slice(0, 3), `RESP${protocol} ${JSON.stringify(m)}`).toEqual(want.slice(0, 3));
        expect(Object.keys(got[3] as object)).toEqual(['flags', 'redirect', 'prefixes']);
      }
    }
  });
});

describe('cluster commands and the cluster pipeline', () => {
  let local: LocalCluster | undefined;
  beforeAll(async () => {
    local = await startCluster({ masters: 3, replicasPerMaster: 0 });
  }, 120_000);
  afterAll(async () => {
    await local?.stop();
  });

  for (const protocol of [2, 3] as const) {
    it(`under RESP${protocol}: CLUSTER replies fit their shapes, and pipeline replies are reshaped per node`, async () => {
      const node = suite.client({ url: local!.urls[0]!, protocol });
      await node.connect();
      const problems = check('method', clusterSamples, await direct(node, clusterSamples), protocol);
      const p = node.pipeline();
      batched(p, clusterSamples);
      problems.push(...check('pipeline', clusterSamples, await p.exec(), protocol));
      expect(problems).toEqual([]);

      const cluster = createCluster({ rootNodes: [local!.urls[0]!], reactor: suite.reactor, protocol });
      try {
        await cluster.connect();
        for (const k of ['cz', 'ch', 'cx']) await cluster.del(k);
        await cluster.command('ZADD', 'cz', '1', 'a', '2', 'b');
        await cluster.command('HSET', 'ch', 'f', 'v');
        await cluster.command('XADD', 'cx', '1-1', 'f', 'v');
        const want = [await cluster.zrange('cz', 0, -1, { WITHSCORES: true }), await cluster.hgetall('ch'), await cluster.xinfoStream('cx')];
        const got = await cluster.pipeline().zrange('cz', 0, -1, { WITHSCORES: true }).hgetall('ch').xinfoStream('cx').exec();
        expect(got).toEqual(want);
        expect(got[0]).toEqual([['a', protocol === 3 ? 1 : '1'], ['b', protocol === 3 ? 2 : '2']]);
        expect((got[2] as { length: number }).length).toBe(1);
      } finally {
        await cluster.disconnect();
      }
    }, 60_000);
  }
});

describe('overlay coverage', () => {
  it('has a sample for every distinct shape the overlay declares, variants included', () => {
    const sampled = new Set([...samples, ...clusterSamples].map(([m, a]) => shapeType(replyShapeOfCall(m, a)!)));
    const declared = new Set<string>();
    for (const m of overlayMethods()) {
      const r = replyOf(m)!;
      declared.add(shapeType(r.shape));
      for (const v of r.variants ?? []) declared.add(shapeType(v.shape));
    }
    const unsampled = [...declared].filter((s) => !sampled.has(s) && s !== 'unknown');
    expect(unsampled).toEqual([]);
  });
});

describe('shapes as data', () => {
  it('derive no reshaper for replies already in their declared form, so those pass through untouched', () => {
    for (const m of ['get', 'set', 'incr', 'mget', 'hgetall', 'smembers', 'zscore', 'xrange', 'scan', 'blpop']) expect(replyOf(m)!.map, m).toBeUndefined();
    for (const m of ['info', 'xinfoStream', 'clientTrackinginfo', 'xread', 'memoryStats', 'commandDocs']) expect(typeof replyOf(m)!.map, m).toBe('function');
  });

  it('reshape records and pairs from either protocol (and from withReplyMapping forms) to one form', () => {
    const rec = record({ a: int, 'b?': str });
    const r = reshaperOf(rec)!;
    expect(r(['a', 1, 'b', 'x'])).toEqual({ a: 1, b: 'x' });
    expect(r(new Map<string, unknown>([['a', 1]]))).toEqual({ a: 1 });
    expect(r([['a', 1]])).toEqual({ a: 1 });
    expect(r({ a: 1 })).toEqual({ a: 1 });
    const p = reshaperOf(pairs(str, double))!;
    expect(p(['m', '1', 'n', '2'])).toEqual([['m', '1'], ['n', '2']]);
    expect(p([['m', 1]])).toEqual([['m', 1]]);
    expect(p(new Map([['s', []]]))).toEqual([['s', []]]);
    expect(p([])).toEqual([]);
  });

  it('report a reply that does not fit, with where and why', () => {
    const rec = record({ a: int, 'b?': str });
    expect(shapeMismatch(rec, new Map([['a', 1]]), 3)).toMatch(/plain object/);
    expect(shapeMismatch(rec, { b: 'x' }, 2)).toBe('$.a: missing');
    expect(shapeMismatch(rec, { a: 1, c: 2 }, 2)).toBe('$.c: not declared');
    expect(shapeMismatch(pairs(str, double), ['m', '1'], 2)).toMatch(/\[key, value\] pair/);
    expect(shapeMismatch(tupleRest([int], str), [1], 2)).toBeNull();
    expect(shapeMismatch(tupleRest([int], str), [1, 2], 2)).toMatch(/\$\[1\]: expected a string/);
    expect(shapeMismatch(lit('master'), 'slave', 2)).toMatch(/'master'/);
    expect(shapeMismatch(double, 1.5, 2)).toMatch(/RESP2 double/);
  });
});
