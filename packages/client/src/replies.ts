/**
 * The hand-kept reply overlay: what each command answers (reply-shapes.ts),
 * by method name. Redis 7.0's COMMAND DOCS describes arguments only, so this
 * is the one place a reply type is written; the generator prints it as the
 * method's return type (on the client, pipelines and transactions) and
 * reply-shapes.spec.ts checks it against a real server under RESP2 and
 * RESP3. A command missing here returns `unknown` (OPEN_REPLIES says why).
 *
 * Where the reply depends on the arguments (WITHSCORES, JUSTID, COUNT), an
 * entry lists variants: each names the parameters (or option fields, as
 * `options.WITHSCORES`, or `options.operation=RESET` for one value) whose
 * presence selects it, first match wins, `otherwise` the rest. The
 * generator prints one overload per variant; at run time the same variant
 * is picked from the call's values.
 *
 * How a reply is reshaped (verbatim text to a string, records to objects,
 * scores to pairs) follows from the shape (`reshaperOf`); `maps` below adds
 * hand-written ones. The same reshaping applies to a method's promise and
 * to its place in a pipeline's or transaction's replies.
 */
import { integerOf, textOf } from '@reactor-ts/resp';
import { toCountMap, toNames } from './pubsub.js';
import {
  any, array, bit, custom, double, either, int, lit, map, nullable, ok, pairs, record, ref, reshaperOf, set, str, text, tuple, tupleRest,
  type Reshaper, type Shape,
} from './reply-shapes.js';

/** One alternative reply of a command: the shape when any of `when` is set in the call. */
export interface ReplyVariant {
  /** Parameter names or option paths (`count`, `options.WITHSCORES`, `options.operation=RESET`). */
  readonly when: readonly string[];
  readonly shape: Shape;
  /** The shape's reshaper (set by replyOf). */
  readonly map?: Reshaper;
}

export interface ReplyInfo {
  /** The reply when no variant applies. */
  readonly shape: Shape;
  readonly variants?: readonly ReplyVariant[];
  /** Turns the raw reply into the declared one, or undefined when it already is (the `shape`'s reshaper, or a hand-written one). */
  readonly map?: Reshaper;
}

type Entry = Shape | { readonly variants: readonly ReplyVariant[]; readonly otherwise: Shape };
const when = (paths: string | readonly string[], shape: Shape): ReplyVariant => ({ when: typeof paths === 'string' ? [paths] : paths, shape });
const vary = (otherwise: Shape, ...variants: ReplyVariant[]): Entry => ({ variants, otherwise });

const nstr = nullable(str);
const strs = array(str);
const nstrs = array(nstr);
const ints = array(int);
const countMap = custom('Map<string, number>', (v) => v instanceof Map && [...v.values()].every((x) => typeof x === 'number'));
const names = custom('string[]', (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'));
const booleans = custom('boolean[]', (v) => Array.isArray(v) && v.every((x) => typeof x === 'boolean'));
const plainString = custom('string', (v) => typeof v === 'string');
const scanReply = tuple(str, strs);
/** A stream entry: [id, [field, value, ...]]; the fields are nil for an entry deleted while pending (XREADGROUP 0). */
const entry = ref('StreamEntry', () => tuple(str, nullable(array(str))));
const entries = array(entry);
/** XREAD's streams, in the order asked: RESP3 sends a Map, RESP2 pairs; both arrive as pairs. */
const streams = nullable(pairs(str, entries));
const scored = pairs(str, double);
const help = strs;
const popped = nullable(tuple(str, scored));
const geoItem = ref('GeoItem', () => tupleRest([str], either(str, int, tuple(double, double))));
const geoOpts = ['options.WITHCOORD', 'options.WITHDIST', 'options.WITHHASH'];
const streamRecord = ref('XinfoStream', () =>
  record({
    length: int, 'radix-tree-keys': int, 'radix-tree-nodes': int, 'last-generated-id': str, 'max-deleted-entry-id': str,
    'entries-added': int, 'recorded-first-entry-id': str, groups: int, 'first-entry': nullable(entry), 'last-entry': nullable(entry),
  }),
);
const streamFull = ref('XinfoStreamFull', () =>
  record({
    length: int, 'radix-tree-keys': int, 'radix-tree-nodes': int, 'last-generated-id': str, 'max-deleted-entry-id': str,
    'entries-added': int, 'recorded-first-entry-id': str, entries,
    groups: array(record({
      name: str, 'last-delivered-id': str, 'entries-read': nullable(int), lag: nullable(int), 'pel-count': int,
      pending: array(tuple(str, str, int, int)),
      consumers: array(record({ name: str, 'seen-time': int, 'pel-count': int, pending: array(tuple(str, int, int)) })),
    })),
  }),
);
const commandInfo: Shape = ref('CommandInfo', () =>
  tuple(str, int, set(str), int, int, int, set(str), set(str), set(keySpec), either(set(commandInfo), array(commandInfo))),
  // (RESP3: an empty subcommand list is a Set, a non-empty one an array: both are declared.)
);
const keySpec = ref('KeySpecInfo', () =>
  record({
    flags: set(str), 'notes?': str,
    begin_search: record({ type: str, spec: record({ 'index?': int, 'keyword?': str, 'startfrom?': int }) }),
    find_keys: record({ type: str, spec: record({ 'lastkey?': int, 'keystep?': int, 'limit?': int, 'keynumidx?': int, 'firstkey?': int }) }),
  }),
);
const docArg: Shape = ref('CommandDocArgument', () =>
  record({
    name: str, type: str, 'display_text?': str, 'key_spec_index?': int, 'token?': str, 'summary?': str, 'since?': str,
    'flags?': set(str), 'deprecated_since?': str, 'arguments?': array(docArg), 'value?': str,
  }),
);
const commandDoc: Shape = ref('CommandDoc', () =>
  record({
    summary: str, since: str, group: str, 'complexity?': str, 'module?': str, 'doc_flags?': set(str), 'deprecated_since?': str,
    'replaced_by?': str, 'history?': set(tuple(str, str)), 'arguments?': array(docArg), 'subcommands?': map(str, commandDoc),
  }),
);
const aclLogEntry = ref('AclLogEntry', () =>
  record({
    count: int, reason: str, context: str, object: str, username: str, 'age-seconds': double, 'client-info': str,
    'entry-id?': int, 'timestamp-created?': int, 'timestamp-last-updated?': int,
  }),
);
const functionLib = ref('FunctionLibrary', () =>
  record({
    library_name: str, engine: str,
    functions: array(record({ name: str, description: nstr, flags: set(str) })),
    'library_code?': str,
  }),
);
const clusterNode = ref('ClusterSlotNode', () => tupleRest([str, int, str], any));

const shapes: Record<string, Entry> = {
  // strings
  append: int, decr: int, decrby: int, get: nstr, getdel: nstr, getex: nstr, getrange: str, getset: nstr,
  incr: int, incrby: int, incrbyfloat: str, mget: nstrs, mset: ok, msetnx: bit, psetex: ok,
  set: nstr, setex: ok, setnx: bit, setrange: int, strlen: int, substr: str,
  lcs: vary(str, when('options.LEN', int), when('options.IDX', record({ matches: array(tupleRest([tuple(int, int), tuple(int, int)], int)), len: int }))),
  // bits
  bitcount: int, bitpos: int, getbit: bit, setbit: bit, bitop: int, bitfield: array(nullable(int)), bitfieldRo: ints,
  // keys
  copy: bit, del: int, dump: nstr, exists: int, expire: bit, expireat: bit, expiretime: int,
  keys: strs, move: bit, persist: bit, pexpire: bit, pexpireat: bit, pexpiretime: int, pttl: int,
  randomkey: nstr, rename: ok, renamenx: bit, restore: ok, restoreAsking: ok, touch: int, ttl: int, type: str, unlink: int,
  scan: scanReply, objectEncoding: nstr, objectFreq: int, objectIdletime: int, objectRefcount: int, objectHelp: help,
  sort: vary(nstrs, when('options.STORE', int)), sortRo: nstrs,
  migrate: str,
  // hashes
  hdel: int, hexists: bit, hget: nstr, hgetall: map(str, str), hincrby: int, hincrbyfloat: str, hkeys: strs,
  hlen: int, hmget: nstrs, hmset: ok, hscan: scanReply, hset: int, hsetnx: bit, hstrlen: int, hvals: strs,
  hrandfield: vary(nstr, when('options.options.WITHVALUES', pairs(str, str)), when('options.options', strs)),
  // lists
  blmove: nstr, blpop: nullable(tuple(str, str)), brpop: nullable(tuple(str, str)), brpoplpush: nstr, lindex: nstr, linsert: int, llen: int,
  lmove: nstr, lpush: int, lpushx: int, lrange: strs, lrem: int, lset: ok, ltrim: ok,
  rpoplpush: nstr, rpush: int, rpushx: int, lmpop: nullable(tuple(str, strs)), blmpop: nullable(tuple(str, strs)),
  lpop: vary(nstr, when('count', nullable(strs))), rpop: vary(nstr, when('count', nullable(strs))),
  lpos: vary(nullable(int), when('options.COUNT', ints)),
  // sets
  sadd: int, scard: int, sdiff: set(str), sdiffstore: int, sinter: set(str), sintercard: int, sinterstore: int,
  sismember: bit, smembers: set(str), smismember: array(bit), smove: bit, srem: int,
  sscan: scanReply, sunion: set(str), sunionstore: int,
  spop: vary(nstr, when('count', set(str))), srandmember: vary(nstr, when('count', strs)),
  // sorted sets
  zadd: vary(int, when('options.INCR', nullable(double))), zcard: int, zcount: int, zdiffstore: int, zincrby: double, zinterstore: int, zintercard: int,
  zlexcount: int, zmscore: array(nullable(double)), zrangestore: int, zrank: nullable(int), zrem: int,
  zremrangebylex: int, zremrangebyrank: int, zremrangebyscore: int, zrevrank: nullable(int), zscore: nullable(double),
  zunionstore: int, zscan: scanReply,
  zrandmember: vary(nstr, when('options.options.WITHSCORES', scored), when('options.options', strs)),
  zrange: vary(strs, when('options.WITHSCORES', scored)), zrangebyscore: vary(strs, when('options.WITHSCORES', scored)),
  zrevrange: vary(strs, when('options.WITHSCORES', scored)), zrevrangebyscore: vary(strs, when('options.WITHSCORES', scored)),
  zrangebylex: strs, zrevrangebylex: strs,
  zunion: vary(strs, when('options.WITHSCORES', scored)), zinter: vary(strs, when('options.WITHSCORES', scored)),
  zdiff: vary(strs, when('options.WITHSCORES', scored)),
  zpopmin: vary(either(tuple(str, double), tuple()), when('count', scored)), zpopmax: vary(either(tuple(str, double), tuple()), when('count', scored)),
  bzpopmin: nullable(tuple(str, str, double)), bzpopmax: nullable(tuple(str, str, double)),
  zmpop: popped, bzmpop: popped,
  // streams
  xack: int, xadd: nstr, xdel: int, xlen: int, xrange: entries, xrevrange: entries, xtrim: int, xsetid: ok,
  xgroupCreate: ok, xgroupDestroy: int, xgroupCreateconsumer: int, xgroupDelconsumer: int, xgroupSetid: ok, xgroupHelp: help,
  xread: streams, xreadgroup: streams,
  xautoclaim: vary(tuple(str, entries, strs), when('options.JUSTID', tuple(str, strs, strs))),
  xclaim: vary(entries, when('options.JUSTID', strs)),
  xpending: vary(
    tuple(int, nstr, nstr, nullable(array(tuple(str, str)))),
    when('options.filters', array(tuple(str, str, int, int))),
  ),
  xinfoStream: vary(streamRecord, when('options.FULL', streamFull)),
  xinfoGroups: array(record({ name: str, consumers: int, pending: int, 'last-delivered-id': str, 'entries-read': nullable(int), lag: nullable(int) })),
  xinfoConsumers: array(record({ name: str, pending: int, idle: int })),
  xinfoHelp: help,
  // geo
  geoadd: int, geodist: nstr, geohash: nstrs, geopos: array(nullable(tuple(double, double))), geosearchstore: int,
  georadius: vary(strs, when(['options.STORE', 'options.STOREDIST'], int), when(geoOpts, array(geoItem))),
  georadiusbymember: vary(strs, when(['options.STORE', 'options.STOREDIST'], int), when(geoOpts, array(geoItem))),
  georadiusRo: vary(strs, when(geoOpts, array(geoItem))), georadiusbymemberRo: vary(strs, when(geoOpts, array(geoItem))),
  geosearch: vary(strs, when(geoOpts, array(geoItem))),
  // hyperloglog
  pfadd: bit, pfcount: int, pfmerge: ok, pfselftest: ok,
  // connection
  echo: str, ping: str, select: ok, auth: ok, clientId: int, clientGetname: nstr, clientSetname: ok, clientInfo: text,
  clientList: text, clientPause: ok, clientUnpause: ok, clientNoEvict: ok, clientGetredir: int,
  // CLIENT KILL addr (the old form) answers OK, the filter form a count.
  clientKill: either(ok, int),
  clientTrackinginfo: record({ flags: set(str), redirect: int, prefixes: array(str) }),
  clientTracking: ok, clientCaching: ok, clientUnblock: bit, clientHelp: help, readonly: ok, readwrite: ok, asking: ok,
  // server
  dbsize: int, flushall: ok, flushdb: ok, info: text, lastsave: int, time: tuple(str, str), lolwut: text,
  configGet: map(str, str), configSet: ok, configResetstat: ok, configRewrite: ok, configHelp: help,
  memoryUsage: nullable(int), memoryDoctor: text, memoryMallocStats: text, memoryPurge: ok, memoryHelp: help,
  memoryStats: record(
    {
      'peak.allocated': int, 'total.allocated': int, 'startup.allocated': int, 'replication.backlog': int, 'clients.slaves': int,
      'clients.normal': int, 'cluster.links': int, 'aof.buffer': int, 'lua.caches': int, 'functions.caches': int,
      'overhead.total': int, 'keys.count': int, 'keys.bytes-per-key': int, 'dataset.bytes': int, 'dataset.percentage': double,
      'peak.percentage': double, 'allocator.allocated': int, 'allocator.active': int, 'allocator.resident': int,
      'allocator-fragmentation.ratio': double, 'allocator-fragmentation.bytes': int, 'allocator-rss.ratio': double,
      'allocator-rss.bytes': int, 'rss-overhead.ratio': double, 'rss-overhead.bytes': int, fragmentation: double, 'fragmentation.bytes': int,
    },
    { prefix: 'db.', of: record({ 'overhead.hashtable.main': int, 'overhead.hashtable.expires': int, 'overhead.hashtable.slot-to-keys': int }) },
  ),
  commandCount: int, commandList: strs, commandGetkeys: strs, commandHelp: help,
  commandDocs: map(str, commandDoc), commandInfo: array(nullable(commandInfo)),
  commandGetkeysandflags: array(tuple(str, set(str))),
  swapdb: ok, wait: int, save: ok, bgsave: str, bgrewriteaof: str, slowlogLen: int, slowlogReset: ok, slowlogHelp: help,
  slowlogGet: array(tuple(int, int, int, strs, str, str)),
  role: either(
    tuple(lit('master'), int, array(tuple(str, str, str))),
    tuple(lit('slave'), str, int, str, int),
    tuple(lit('sentinel'), strs),
  ),
  replicaof: ok, slaveof: ok, failover: ok, shutdown: ok,
  latencyLatest: array(tuple(str, int, int, int)), latencyHistory: array(tuple(int, int)), latencyReset: int,
  latencyDoctor: text, latencyGraph: text, latencyHelp: help,
  latencyHistogram: map(str, record({ calls: int, histogram_usec: map(int, int) })),
  aclWhoami: str, aclUsers: strs, aclCat: strs, aclSetuser: ok, aclDeluser: int, aclList: strs, aclGenpass: str,
  aclDryrun: str, aclLoad: ok, aclSave: ok, aclHelp: help,
  aclGetuser: nullable(record({
    flags: set(str), passwords: strs, commands: str, keys: str, channels: str,
    selectors: array(record({ commands: str, keys: str, channels: str })),
  })),
  aclLog: vary(array(aclLogEntry), when('options.operation=RESET', ok)),
  debugObject: str,
  moduleList: array(record({ name: str, ver: int, path: str, args: strs })),
  moduleLoad: ok, moduleLoadex: ok, moduleUnload: ok, moduleHelp: help,
  // scripting and functions
  scriptLoad: plainString, scriptExists: booleans, scriptFlush: plainString, scriptKill: plainString, scriptDebug: ok, scriptHelp: help,
  functionLoad: str, functionFlush: ok, functionDelete: ok, functionKill: ok, functionRestore: ok, functionHelp: help,
  functionDump: str, functionList: array(functionLib),
  functionStats: record({
    running_script: nullable(record({ name: str, command: strs, duration_ms: int })),
    engines: map(str, record({ libraries_count: int, functions_count: int })),
  }),
  // pub/sub
  publish: int, spublish: int, pubsubChannels: names, pubsubNumsub: countMap, pubsubNumpat: custom('number', (v) => typeof v === 'number'),
  pubsubShardchannels: names, pubsubShardnumsub: countMap, pubsubHelp: help,
  // cluster
  clusterAddslots: ok, clusterAddslotsrange: ok, clusterDelslots: ok, clusterDelslotsrange: ok, clusterFailover: ok, clusterFlushslots: ok,
  clusterForget: ok, clusterMeet: ok, clusterReplicate: ok, clusterReset: ok, clusterSaveconfig: ok, clusterSetConfigEpoch: ok, clusterSetslot: ok,
  clusterBumpepoch: str, clusterCountFailureReports: int, clusterCountkeysinslot: int, clusterKeyslot: int, clusterGetkeysinslot: strs,
  clusterMyid: str, clusterInfo: text, clusterNodes: text, clusterReplicas: strs, clusterSlaves: strs, clusterHelp: help,
  clusterSlots: array(tupleRest([int, int], clusterNode)),
  clusterShards: array(record({
    slots: ints,
    nodes: array(record({
      id: str, 'port?': int, 'tls-port?': int, ip: str, endpoint: str, 'hostname?': str, role: str, 'replication-offset': int, health: str,
    })),
  })),
  clusterLinks: array(record({
    direction: str, node: str, 'create-time': int, events: str, 'send-buffer-allocated': int, 'send-buffer-used': int,
  })),
};

/**
 * The methods whose reply is deliberately `unknown`: what they answer is
 * not the command's to say.
 */
export const OPEN_REPLIES: Readonly<Record<string, string>> = {
  eval: "the script's return value (any RESP type the Lua code produces)",
  evalRo: "the script's return value",
  evalsha: "the script's return value",
  evalshaRo: "the script's return value",
  fcall: "the function's return value",
  fcallRo: "the function's return value",
  debug: 'a developer tool: each of its ~40 subcommands answers differently, several by design crash or hang the server',
  pfdebug: 'an internal testing tool: GETREG an integer array, DECODE a status, ENCODING a string, TODENSE an integer',
};

const maps: Record<string, (raw: unknown) => unknown> = {
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

const info = new Map<string, ReplyInfo>();
const withMap = (map: Reshaper | undefined): { map?: Reshaper } => (map === undefined ? {} : { map });

/** The overlay entry of a method, or undefined (reply `unknown`). */
export function replyOf(method: string): ReplyInfo | undefined {
  const known = info.get(method);
  if (known !== undefined) return known;
  const e = shapes[method];
  if (e === undefined) return undefined;
  const shape = 't' in e ? e : e.otherwise;
  const map = maps[method] ?? reshaperOf(shape);
  const variants = 't' in e ? undefined : e.variants.map((v) => ({ ...v, ...withMap(reshaperOf(v.shape)) }));
  const out: ReplyInfo = { shape, ...(variants === undefined ? {} : { variants }), ...withMap(map) };
  info.set(method, out);
  return out;
}

/** Every method the overlay declares. */
export function overlayMethods(): string[] {
  return Object.keys(shapes);
}
