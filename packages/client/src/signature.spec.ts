// Typed methods → argv: each call below is encoded by the same plan the
// method uses, compared with the argv Redis documents, then sent through the
// client's own method to a real server, which must accept it.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { COMMAND_TABLE, commandSpec } from '@reactor-ts/commands';
import { ReplyError } from '@reactor-ts/resp';
import { encodeCall, planOf, planOfSpec } from './signature.js';
import type { Pipeline, RedisClient, RedisCluster, RedisDouble, RedisString, SetOptions, StreamEntry, Transaction, XinfoStream } from './index.js';
import { clientSuite } from '../test/helpers.js';

const suite = clientSuite();

type Case = [method: string, name: string, args: unknown[], argv: Array<string | number>];
const cases: Case[] = [
  ['set', 'set', ['k', 'v'], ['SET', 'k', 'v']],
  ['set', 'set', ['k', 'v', { EX: 10, NX: true, GET: true }], ['SET', 'k', 'v', 'NX', 'GET', 'EX', 10]],
  ['set', 'set', ['k', 'v', { KEEPTTL: true, XX: true }], ['SET', 'k', 'v', 'XX', 'KEEPTTL']],
  ['expire', 'expire', ['k', 5, 'NX'], ['EXPIRE', 'k', 5, 'NX']],
  ['del', 'del', ['a', 'b', 'c'], ['DEL', 'a', 'b', 'c']],
  ['hset', 'hset', ['h', 'f1', 'v1', 'f2', 'v2'], ['HSET', 'h', 'f1', 'v1', 'f2', 'v2']],
  ['zadd', 'zadd', ['z', [[1, 'a'], [2, 'b']], { CH: true, GT: true }], ['ZADD', 'z', 'GT', 'CH', 1, 'a', 2, 'b']],
  ['zrange', 'zrange', ['z', 0, 10, { BYSCORE: true, LIMIT: [0, 5], WITHSCORES: true }], ['ZRANGE', 'z', 0, 10, 'BYSCORE', 'LIMIT', 0, 5, 'WITHSCORES']],
  ['eval', 'eval', ['return KEYS[1]', ['k1', 'k2'], ['x']], ['EVAL', 'return KEYS[1]', 2, 'k1', 'k2', 'x']],
  ['eval', 'eval', ['return 1'], ['EVAL', 'return 1', 0]],
  ['ping', 'ping', [], ['PING']],
  ['ping', 'ping', ['hi'], ['PING', 'hi']],
  ['flushdb', 'flushdb', ['ASYNC'], ['FLUSHDB', 'ASYNC']],
  ['scan', 'scan', ['0', { MATCH: 'k*', COUNT: 100, TYPE: 'string' }], ['SCAN', '0', 'MATCH', 'k*', 'COUNT', 100, 'TYPE', 'string']],
  ['xadd', 'xadd', ['s', '*', [['f', 'v']], { trim: { strategy: 'MAXLEN', operator: '~', threshold: 100 } }], ['XADD', 's', 'MAXLEN', '~', 100, '*', 'f', 'v']],
  ['xadd', 'xadd', ['s', '*', [['f', 'v'], ['g', 'w']], { NOMKSTREAM: true }], ['XADD', 's', 'NOMKSTREAM', '*', 'f', 'v', 'g', 'w']],
  ['xread', 'xread', [[['s1', 's2'], ['0', '0']], { COUNT: 2 }], ['XREAD', 'COUNT', 2, 'STREAMS', 's1', 's2', '0', '0']],
  ['bitcount', 'bitcount', ['b', { index: { start: 0, end: 1, BIT: true } }], ['BITCOUNT', 'b', 0, 1, 'BIT']],
  ['clientList', 'client|list', [{ TYPE: 'NORMAL' }], ['CLIENT', 'LIST', 'TYPE', 'NORMAL']],
  ['clientList', 'client|list', [{ ID: [1, 2] }], ['CLIENT', 'LIST', 'ID', 1, 2]],
  ['clientTracking', 'client|tracking', ['OFF', { PREFIX: ['a', 'b'] }], ['CLIENT', 'TRACKING', 'OFF', 'PREFIX', 'a', 'PREFIX', 'b']],
  ['configGet', 'config|get', ['maxmemory'], ['CONFIG', 'GET', 'maxmemory']],
  ['geosearch', 'geosearch', ['g', { FROMLONLAT: [13.4, 52.5] }, { circle: { BYRADIUS: 10, unit: 'KM' } }, { ASC: true, count: { COUNT: 3 } }], ['GEOSEARCH', 'g', 'FROMLONLAT', 13.4, 52.5, 'BYRADIUS', 10, 'KM', 'ASC', 'COUNT', 3]],
  ['sort', 'sort', ['l', { LIMIT: [0, 2], GET: ['#', 'w_*'], ALPHA: true, DESC: true }], ['SORT', 'l', 'LIMIT', 0, 2, 'GET', '#', 'GET', 'w_*', 'DESC', 'ALPHA']],
  ['lpos', 'lpos', ['l', 'x', { RANK: -1, COUNT: 0 }], ['LPOS', 'l', 'x', 'RANK', -1, 'COUNT', 0]],
  ['sintercard', 'sintercard', [['s1', 's2'], { LIMIT: 5 }], ['SINTERCARD', 2, 's1', 's2', 'LIMIT', 5]],
  ['lmpop', 'lmpop', [['l1', 'l2'], 'LEFT', { COUNT: 2 }], ['LMPOP', 2, 'l1', 'l2', 'LEFT', 'COUNT', 2]],
  ['mset', 'mset', ['a', '1', 'b', '2'], ['MSET', 'a', '1', 'b', '2']],
  ['info', 'info', ['server', 'clients'], ['INFO', 'server', 'clients']],
  ['objectEncoding', 'object|encoding', ['k'], ['OBJECT', 'ENCODING', 'k']],
  ['xgroupCreate', 'xgroup|create', ['s', 'g', '$', { MKSTREAM: true }], ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
];

describe('typed methods encode the documented argv', () => {
  it.each(cases)('%s %j', async (method, name, args, argv) => {
    const spec = commandSpec(name)!;
    expect(spec.method).toBe(method);
    expect(encodeCall(spec.argv0, planOf(spec.args), args)).toEqual(argv);
    // The server takes it: any error must be about data (wrong type, no such key), never syntax or arity.
    const c = suite.client();
    await c.connect();
    const fn = (c as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    const r = await fn.apply(c, args).catch((e: unknown) => e);
    if (r instanceof ReplyError) expect(r.message).not.toMatch(/syntax|wrong number|unknown|ERR Unrecognized/i);
  });

  it('sends the same argv from a pipeline and a transaction as from the client', async () => {
    const c = suite.client();
    await c.connect();
    const replies = await c.pipeline().set('p1', 'v', { EX: 100 }).get('p1').ttl('p1').zadd('pz', [[1, 'a']], { CH: true }).exec();
    expect(replies).toEqual(['OK', 'v', 100, 1]);
    const tx = await c.multi().incrby('p2', 5).expire('p2', 50, 'NX').hset('ph', 'a', '1', 'b', '2').exec();
    expect(tx).toEqual([5, 1, 2]);
  });
});

/** True when A and B are the same type (identity, not a structural walk). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

describe('declared signatures', () => {
  it('types arguments and replies from the table and the overlay, the same on client and pipeline', () => {
    expectTypeOf<RedisClient['get']>().returns.resolves.toEqualTypeOf<RedisString | null>();
    expectTypeOf<RedisClient['incr']>().returns.resolves.toEqualTypeOf<number>();
    expectTypeOf<RedisClient['scriptExists']>().returns.resolves.toEqualTypeOf<boolean[]>();
    expectTypeOf<Parameters<RedisClient['set']>>().toEqualTypeOf<Parameters<Pipeline['set']>>();
    expectTypeOf<Parameters<RedisClient['zadd']>>().toEqualTypeOf<Parameters<Pipeline['zadd']>>();
    // The batch with the reply appended (compared by identity: expectTypeOf's deep brand would walk the recursive batch type).
    expectTypeOf<Same<ReturnType<Pipeline['set']>, Pipeline<[RedisString | null]>>>().toEqualTypeOf<true>();
    expectTypeOf<SetOptions['EX']>().toEqualTypeOf<number | bigint | undefined>();
    const typeErrors = (c: RedisClient): void => {
      // @ts-expect-error a key is a string or a Buffer
      void c.get({});
      // @ts-expect-error EX is a number
      void c.set('k', 'v', { EX: 'soon' });
      // @ts-expect-error no such option
      void c.set('k', 'v', { EXPIRE: 1 });
      // @ts-expect-error CLIENT LIST TYPE is one of its words
      void c.clientList({ TYPE: 'ALL' });
    };
    expect(typeof typeErrors).toBe('function');
  });

  it('types replies by the call (overloads) and batch replies as the chain\'s tuple', () => {
    const calls = (c: RedisClient, cl: RedisCluster) => ({
      plain: c.zrange('z', 0, -1),
      scored: c.zrange('z', 0, -1, { WITHSCORES: true }),
      one: c.lpop('l'),
      some: c.lpop('l', 2),
      stream: c.xinfoStream('x'),
      ids: c.xclaim('x', 'g', 'c', 0, ['1-1'], { JUSTID: true }),
      entries: c.xclaim('x', 'g', 'c', 0, ['1-1']),
      unsure: c.zrange('z', 0, -1, { WITHSCORES: Math.random() > 0.5 }),
      pipeline: c.pipeline().get('a').incr('b').zrange('z', 0, -1, { WITHSCORES: true }).exec(),
      multi: c.multi().set('a', '1').command('PING').exec(),
      cluster: cl.pipeline().hget('h', 'f').xinfoStream('x').exec(),
      loose: c.pipeline().exec(),
    });
    type R = ReturnType<typeof calls>;
    expectTypeOf<R['plain']>().resolves.toEqualTypeOf<RedisString[]>();
    expectTypeOf<R['scored']>().resolves.toEqualTypeOf<Array<[RedisString, RedisDouble]>>();
    expectTypeOf<R['one']>().resolves.toEqualTypeOf<RedisString | null>();
    expectTypeOf<R['some']>().resolves.toEqualTypeOf<RedisString[] | null>();
    expectTypeOf<R['stream']>().resolves.toEqualTypeOf<XinfoStream>();
    expectTypeOf<R['ids']>().resolves.toEqualTypeOf<RedisString[]>();
    expectTypeOf<R['entries']>().resolves.toEqualTypeOf<StreamEntry[]>();
    // Options not known statically: the general signature, any of the variants.
    expectTypeOf<R['unsure']>().resolves.toEqualTypeOf<Array<[RedisString, RedisDouble]> | RedisString[]>();
    expectTypeOf<R['pipeline']>().resolves.toEqualTypeOf<[RedisString | null | ReplyError, number | ReplyError, Array<[RedisString, RedisDouble]> | ReplyError]>();
    expectTypeOf<R['multi']>().resolves.toEqualTypeOf<[RedisString | null | ReplyError, unknown] | null>();
    expectTypeOf<R['cluster']>().resolves.toEqualTypeOf<[RedisString | null | ReplyError, XinfoStream | ReplyError]>();
    // A batch built statement by statement has no chain to type.
    expectTypeOf<R['loose']>().resolves.toEqualTypeOf<unknown[]>();
    // Any typed batch is still a Pipeline<unknown[]> (a reduce() accumulator), and a Transaction for watchRetry.
    expectTypeOf<Pipeline<[number]>>().toExtend<Pipeline<unknown[]>>();
    expectTypeOf<Transaction<[number, RedisString | null]>>().toExtend<Transaction<unknown[]>>();
    expect(typeof calls).toBe('function');
  });
});

describe('the plain-prefix fast path (SET k v, EXPIRE k 10)', () => {
  it('encodes every command of the table as the general path does, for the leading values alone and with absent trailing ones', () => {
    let fast = 0;
    for (const spec of COMMAND_TABLE) {
      if (spec.subcommands !== undefined) continue;
      const plan = planOfSpec(spec);
      const k = plan.plainPrefix;
      if (k === 0) continue;
      fast++;
      const general = { ...plan, plainPrefix: 0 };
      const lead = Array.from({ length: k }, (_, i) => `v${i}`);
      for (const values of [lead, [...lead, undefined], [...lead, undefined, undefined]]) {
        expect(encodeCall(spec.argv0, plan, values), `${spec.name} ${values.length}`).toEqual(encodeCall(spec.argv0, general, values));
      }
    }
    // SET, EXPIRE, GETEX, ZADD-like commands with options: many take it.
    expect(fast).toBeGreaterThan(20);
    expect(planOfSpec(commandSpec('set')!).plainPrefix).toBe(2);
  });
});
