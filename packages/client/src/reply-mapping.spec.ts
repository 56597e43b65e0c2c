// replyMapping follows the reply shape each call chose by its arguments
// (SPOP key count is a set, SPOP key a string; ZRANGE ... WITHSCORES
// pairs), not the command's default shape: for every command of the
// overlay whose shape depends on its arguments, the same call gives the
// same mapped reply under RESP2 and RESP3, as a method (replyMapping
// option and withReplyMapping view), in a pipeline and in a transaction.
import { describe, expect, it } from 'vitest';
import { overlayMethods, replyOf, replyShapeOfCall, type CommandMethods, type RedisClient, type ReplyMapping } from './index.js';
import { clientSuite } from '../test/helpers.js';

const t = clientSuite();

// Single-member sets, hashes and zsets: the random commands (SPOP, SRANDMEMBER,
// HRANDFIELD, ZRANDMEMBER) have one possible answer, so RESP2 and RESP3 can be compared.
const setup: string[][] = [
  ['FLUSHDB'],
  ['SADD', 'st', 'a'], ['HSET', 'h', 'f', 'v'], ['ZADD', 'z', '1.5', 'a'], ['ZADD', 'zp', '1', 'a', '2', 'b', '3', 'c'],
  ['RPUSH', 'l', 'a', 'b', 'a'], ['SET', 'lcs1', 'ohmytext'], ['SET', 'lcs2', 'mynewtext'],
  ['XADD', 'x', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 'x', 'grp', '0'], ['XREADGROUP', 'GROUP', 'grp', 'c1', 'STREAMS', 'x', '>'],
  ['GEOADD', 'geo', '13.4', '52.5', 'berlin'],
];

type Sample = [method: string, args: unknown[], norm?: (v: unknown) => unknown];
/** Idle times and delivery times differ from run to run: zeroed before comparing. */
const zeroNumbersAt = (col: number) => (v: unknown) => (Array.isArray(v) ? v.map((row) => (Array.isArray(row) ? row.map((x, i) => (i === col ? 0 : x)) : row)) : v);

/** XINFO STREAM FULL's seen / active / delivery times (ms since the epoch): zeroed, wherever they sit. */
function timesZeroed(v: unknown): unknown {
  if (typeof v === 'number') return v > 1e11 ? 0 : v;
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, timesZeroed(x)]));
  if (Array.isArray(v)) return v.map(timesZeroed);
  if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && !(v instanceof Set)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, timesZeroed(x)]));
  return v;
}

// Each command whose reply shape depends on its arguments, called with the arguments that pick a variant.
const samples: Sample[] = [
  ['spop', ['st', 1]], ['srandmember', ['st', 1]],
  ['hrandfield', ['h', { options: { count: 1 } }]], ['hrandfield', ['h', { options: { count: 1, WITHVALUES: true } }]],
  ['zrandmember', ['z', { options: { count: 1 } }]], ['zrandmember', ['z', { options: { count: 1, WITHSCORES: true } }]],
  ['zrange', ['z', 0, -1, { WITHSCORES: true }]], ['zrangebyscore', ['z', '-inf', '+inf', { WITHSCORES: true }]],
  ['zrevrange', ['z', 0, -1, { WITHSCORES: true }]], ['zrevrangebyscore', ['z', '+inf', '-inf', { WITHSCORES: true }]],
  ['zunion', [['z'], { WITHSCORES: true }]], ['zinter', [['z'], { WITHSCORES: true }]], ['zdiff', [['z'], { WITHSCORES: true }]],
  ['zpopmin', ['zp', 1]], ['zpopmax', ['zp', 2]], ['zadd', ['z', [[1, 'a']], { INCR: true }]],
  ['lpop', ['l', 2]], ['rpop', ['l', 2]], ['lpos', ['l', 'a', { COUNT: 0 }]],
  ['lcs', ['lcs1', 'lcs2', { LEN: true }]], ['lcs', ['lcs1', 'lcs2', { IDX: true }]],
  ['sort', ['l', { ALPHA: true, STORE: 'sorted' }]],
  ['xautoclaim', ['x', 'grp', 'c2', '0', '0', { JUSTID: true }]], ['xclaim', ['x', 'grp', 'c1', '0', ['1-1'], { JUSTID: true }]],
  ['xpending', ['x', 'grp', { filters: { start: '-', end: '+', count: 10 } }], zeroNumbersAt(2)],
  ['georadius', ['geo', 13.4, 52.5, 2000, 'KM', { STORE: 'geodst' }]], ['georadius', ['geo', 13.4, 52.5, 2000, 'KM', { WITHDIST: true }]],
  ['georadiusbymember', ['geo', 'berlin', 10, 'KM', { WITHCOORD: true }]], ['georadiusRo', ['geo', 13.4, 52.5, 2000, 'KM', { WITHHASH: true }]],
  ['georadiusbymemberRo', ['geo', 'berlin', 10, 'KM', { WITHDIST: true }]],
  ['geosearch', ['geo', { FROMMEMBER: 'berlin' }, { circle: { BYRADIUS: 2000, unit: 'KM' } }, { WITHDIST: true }]],
  ['aclLog', [{ operation: 'RESET' }]],
  ['xinfoStream', ['x', { FULL: true }], timesZeroed],
];

type Call = (c: CommandMethods) => Promise<unknown>;
type Batcher = { [m: string]: (...a: unknown[]) => Batcher } & { exec(): Promise<unknown[] | null> };
const call = (method: string, args: unknown[]): Call => (c) => (c as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
const inBatch = (b: unknown, method: string, args: unknown[]): Promise<unknown> =>
  (b as Batcher)[method]!(...args)
    .exec()
    .then((r) => r![0]);

/**
 * Doubles are the protocol's own (a string under RESP2, a number under
 * RESP3: RedisDouble), which the mapping does not touch: numeric leaves are
 * compared as numbers, the containers around them as they are.
 */
function numbersAsNumbers(v: unknown): unknown {
  if (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [numbersAsNumbers(k), numbersAsNumbers(x)]));
  if (v instanceof Set) return new Set([...v].map(numbersAsNumbers));
  if (Array.isArray(v)) return v.map(numbersAsNumbers);
  if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, numbersAsNumbers(x)]));
  return v;
}

/** True when a Map (or a Set) is anywhere in `v`. */
function holds(v: unknown, kind: typeof Map | typeof Set): boolean {
  if (v instanceof kind) return true;
  if (v instanceof Map) return [...v].some(([k, x]) => holds(k, kind) || holds(x, kind));
  if (v instanceof Set) return [...v].some((x) => holds(x, kind));
  if (Array.isArray(v)) return v.some((x) => holds(x, kind));
  if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) return Object.values(v).some((x) => holds(x, kind));
  return false;
}

/** Each sample's mapped reply, four ways (replyMapping option, withReplyMapping view, pipeline, MULTI), under `protocol`. */
async function run(protocol: 2 | 3, mapping: ReplyMapping, db: number): Promise<unknown[][]> {
  const url = `${t.srv.url}/${db}`;
  const raw = await t.client({ protocol, url }).connect();
  const mapped: RedisClient = await t.client({ protocol, url, replyMapping: mapping }).connect();
  const view = raw.withReplyMapping(mapping);
  const reset = async (): Promise<void> => {
    const p = raw.pipeline();
    for (const argv of setup) p.command(...argv);
    await p.exec();
  };
  const out: unknown[][] = [];
  for (const [method, args, norm = (v: unknown) => v] of samples) {
    const ways: Array<() => Promise<unknown>> = [
      () => call(method, args)(mapped),
      () => call(method, args)(view),
      () => inBatch(mapped.pipeline(), method, args),
      () => inBatch(mapped.multi(), method, args),
    ];
    const got: unknown[] = [];
    for (const way of ways) {
      await reset();
      got.push(norm(await way()));
    }
    out.push(got);
  }
  return out;
}

describe('replyMapping follows the shape each call chose by its arguments', () => {
  it('every command whose reply shape depends on its arguments has a sample here', () => {
    const varying = new Set<string>();
    for (const [m] of samples) if (replyOf(m)?.variants !== undefined) varying.add(m);
    // Every sample picks a variant (not the command's default shape).
    for (const [m, args] of samples) expect(replyShapeOfCall(m, args), `${m} ${JSON.stringify(args)}`).not.toBe(replyOf(m)!.shape);
    const missing = overlayMethods().filter((m) => replyOf(m)?.variants !== undefined && !varying.has(m));
    expect(missing).toEqual([]);
  });

  for (const mapping of [{ map: 'object', set: 'array' }, { map: 'map', set: 'set' }] as ReplyMapping[]) {
    it(`${JSON.stringify(mapping)}: the same reply under RESP2 and RESP3, as a method, a view, in a pipeline and in MULTI`, async () => {
      const two = await run(2, mapping, 11);
      const three = await run(3, mapping, 12);
      samples.forEach(([method, args], i) => {
        const what = `${method} ${JSON.stringify(args)}`;
        const [opt, view, pipe, multi] = two[i]!;
        expect(view, `${what}: view (RESP2)`).toEqual(opt);
        expect(pipe, `${what}: pipeline (RESP2)`).toEqual(opt);
        expect(multi, `${what}: MULTI (RESP2)`).toEqual(opt);
        expect(numbersAsNumbers(three[i]), `${what}: RESP3`).toEqual(numbersAsNumbers(two[i]));
        if (mapping.set === 'array') expect(holds(opt, Set), `${what}: a Set left`).toBe(false);
        if (mapping.map === 'object') expect(holds(opt, Map), `${what}: a Map left`).toBe(false);
      });
      // The case that was wrong: SPOP / SRANDMEMBER with a count is a set of members, not SPOP's default string.
      const spop = two[samples.findIndex(([m]) => m === 'spop')]![0];
      expect(spop).toEqual(mapping.set === 'set' ? new Set(['a']) : ['a']);
    });
  }

  it('a key-prefix view above the mapping keeps the call\'s shape (RESP2)', async () => {
    const c = await t.client({ protocol: 2, url: `${t.srv.url}/13` }).connect();
    await c.sadd('kp:st', 'a');
    expect(await c.withReplyMapping({ set: 'set' }).withKeyPrefix('kp:').spop('st', 1)).toEqual(new Set(['a']));
    await c.sadd('kp2:st', 'a');
    const p = await t.client({ protocol: 2, url: `${t.srv.url}/13`, keyPrefix: 'kp2:', replyMapping: { set: 'set' } }).connect();
    expect(await p.pipeline().spop('st', 1).exec()).toEqual([new Set(['a'])]);
    // command() picks no variant: the command's default shape.
    await c.sadd('kp:st', 'a');
    expect(await c.withReplyMapping({ set: 'set' }).command('SPOP', 'kp:st', 1)).toEqual(['a']);
  });
});
