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
 * - dispatch.ts        one request through Redis's checks (arity, auth, pub/sub, MULTI), then the handler
 * - command-table.ts   name → arity, flags, key positions, handler (what COMMAND reports)
 * - command.ts         the Command type
 * - commands/*.ts      the handlers, one file per command family
 * - args.ts            argument parsing in Redis's words (integers, floats, options)
 * - reply.ts           reply values and Redis's error texts
 * - wire.ts            ReplyBatch: reply values → bytes, one write per read
 * - client.ts          per-connection Redis state: db, protocol, auth, MULTI, WATCH, subscriptions
 * - state.ts           what all connections share: keyspace, pub/sub, commands, counters
 * - db.ts              the keyspace per database: typed values, TTLs, lazy and active expiry, WATCH
 * - pubsub.ts          channels and patterns; a message encoded once per protocol
 * - glob.ts            Redis's stringmatchlen rules (KEYS, PSUBSCRIBE, SCAN MATCH)
 * - deque.ts, random-set.ts, sorted-set.ts   the list, set and sorted-set structures
 */
export { startMiniRedis, type MiniRedis, type MiniRedisOptions } from './server.js';
export { startMiniRedisChild, type MiniRedisChild, type MiniRedisChildOptions } from './child.js';
export type { ServerState } from './state.js';
