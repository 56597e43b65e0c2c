/**
 * @reactor-ts/mini-redis — a Redis-protocol server on the reactor: embedded
 * in a program's own reactor (`startMiniRedis({ reactor })`), on a reactor
 * of its own, or in a child process (`startMiniRedisChild`, the CLI).
 *
 * Layout
 * - server.ts          startMiniRedis: state, listener, active expiry timer, close
 * - listener.ts        MiniRedisListener: accept, maxclients, one handler per client
 * - connection.ts      ConnectionHandler: read, parse, dispatch, reply (and the shared reply scratch)
 * - child.ts           startMiniRedisChild: the CLI in a child process, resolved once listening
 * - main.ts            the CLI (`pnpm mini-redis`, the `mini-redis` bin)
 * - dispatch.ts        one request through Redis's checks (arity, auth, pub/sub, MULTI), then the handler;
 *                      counts INFO's commandstats / errorstats
 * - blocking.ts        BlockingRegistry, blockOrServe: clients parked per key (FIFO), served after the
 *                      write that re-creates the key, timeouts as reactor timers (BLPOP & co., XREAD BLOCK, WAIT)
 * - scripting.ts       ScriptingEngine: EVAL's script cache, FUNCTION's libraries, the `redis` library,
 *                      busy scripts paused for the reactor (SCRIPT KILL, BUSY, lua-time-limit)
 * - lua/vm.ts          one Lua VM (fengari) set up as Redis's: libraries, read-only globals, coroutines
 * - lua/convert.ts     the reply conversions Redis ↔ Lua (RESP2 and RESP3)
 * - lua/cjson.ts       cjson.encode / decode; lua/format.ts: %.14g; lua/fengari.ts: fengari's API, typed
 * - command-table.ts   name → arity, flags, key positions, handler (what COMMAND reports)
 * - command.ts         the Command type
 * - commands/*.ts      the handlers, one file per command family (strings, bits, keys, scan,
 *                      object, sort, lists, hashes, sets, zsets + zset-ranges + zset-algebra,
 *                      streams + stream-groups + stream-info + stream-args, blocking (lists) +
 *                      blocking-zsets, client (CLIENT), config (CONFIG), debug (DEBUG), info (INFO's text),
 *                      scripting (EVAL, SCRIPT, FUNCTION, FCALL), ...)
 * - args.ts            argument parsing in Redis's words (integers, floats, options)
 * - reply.ts           reply values and Redis's error texts
 * - wire.ts            ReplyBatch: reply values → bytes, one write per read
 * - client.ts          per-connection Redis state: db, protocol, auth, MULTI, WATCH, subscriptions
 * - state.ts           what all connections share: keyspace, pub/sub, commands, counters
 * - db.ts              the keyspace per database: typed values, TTLs, lazy and active expiry, WATCH
 * - pubsub.ts          channels and patterns; a message encoded once per protocol
 * - glob.ts            Redis's stringmatchlen rules (KEYS, PSUBSCRIBE, SCAN MATCH)
 * - deque.ts, random-set.ts, sorted-set.ts   the list, set and sorted-set structures
 * - stream.ts          streams: entries by int128 ID, Redis's 100-entry nodes, consumer groups and PELs
 * - long-double.ts     C long double arithmetic for INCRBYFLOAT / HINCRBYFLOAT (Redis's digits)
 * - rdb.ts             DUMP/RESTORE payloads: Redis's RDB value format, version and CRC64
 * - encoding.ts        Redis 7.0's encoding names and thresholds (OBJECT ENCODING, intset order, one-page scans)
 * - config.ts          the CONFIG GET/SET parameter table (names, aliases, parsers) and ServerConfig
 * - notify.ts          keyspace notifications: notify-keyspace-events classes, publishing per event
 * - memory.ts          maxmemory: per-key size estimates, sampled LRU/LFU/TTL/random eviction, the OOM rule
 * - ../test/differential.ts   the differential harness (differential(), withBothServers()) of the specs (not shipped)
 */
export { startMiniRedis, type MiniRedis, type MiniRedisOptions } from './server.js';
export { startMiniRedisChild, type MiniRedisChild, type MiniRedisChildOptions } from './child.js';
export type { ServerState } from './state.js';
