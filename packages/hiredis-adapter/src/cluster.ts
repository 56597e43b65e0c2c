/**
 * hiredis-cluster's asynchronous API (`hircluster.h`) on the reactor, with
 * its names, so a C reader recognises it:
 *
 *   const acc = redisClusterAsyncContextInit();
 *   redisClusterSetOptionAddNodes(acc, '127.0.0.1:7000,127.0.0.1:7001');
 *   redisClusterAttach(reactor, acc);          // hiredis-cluster: redisClusterAeAttach(loop, acc)
 *   redisClusterAsyncConnect2(acc);
 *   redisClusterAsyncCommand(acc, cb, privdata, 'INCR %s', key);
 *
 * Each master gets an ordinary `RedisAsyncContext`, attached to the same
 * reactor with `redisAttach`, so the cluster's commands share the loop with
 * a TCP server and with each other: every command issued in one batch
 * leaves in one write per node. The routing and redirect handling are in
 * cluster-engine.ts; the slot map, key positions and reply parsing in
 * cluster-topology.ts / cluster-commands.ts / cluster-slot.ts.
 *
 * Every `redisClusterAsyncCommand*` returns REDIS_OK, and then its callback
 * runs exactly once (with the reply, or null when the node failed or the
 * context was disconnected or freed first: `acc.errstr` says why), or
 * REDIS_ERR, and then it never runs (`acc.errstr` says why: a multi-key
 * command across slots, a bad format, a closed context).
 */
import type { CommandArgument, FormatArgument } from '@reactor-ts/resp';
import type { Reactor } from '@reactor-ts/reactor';
import { REDIS_ERR, REDIS_OK } from './constants.js';
import {
  ClusterEngine,
  type RedisClusterAsyncContext,
  type RedisClusterCallbackFn,
  type RedisClusterEventCallback,
  type RedisClusterNode,
} from './cluster-engine.js';
import type { RedisConnectCallback, RedisDisconnectCallback, RedisSSLContext } from './types.js';

export {
  HIRCLUSTER_EVENT_FREE_CONTEXT,
  HIRCLUSTER_EVENT_READY,
  HIRCLUSTER_EVENT_SLOTMAP_UPDATED,
  type RedisClusterAsyncContext,
  type RedisClusterCallbackFn,
  type RedisClusterEventCallback,
  type RedisClusterNode,
} from './cluster-engine.js';

function engine(acc: RedisClusterAsyncContext): ClusterEngine {
  if (!(acc instanceof ClusterEngine)) throw new TypeError('not a context made by redisClusterAsyncContextInit');
  return acc;
}

/** A cluster context with no nodes, not connected. */
export function redisClusterAsyncContextInit(): RedisClusterAsyncContext {
  return new ClusterEngine();
}

/** Startup nodes, `host:port[,host:port...]`; any one that answers gives the map. */
export function redisClusterSetOptionAddNodes(acc: RedisClusterAsyncContext, addrs: string): number {
  return engine(acc).addNodes(addrs);
}

/** AUTH on every node connection. */
export function redisClusterSetOptionPassword(acc: RedisClusterAsyncContext, password: string): number {
  engine(acc).password = password;
  return REDIS_OK;
}

/** ACL user for AUTH (with the password). */
export function redisClusterSetOptionUsername(acc: RedisClusterAsyncContext, username: string): number {
  engine(acc).username = username;
  return REDIS_OK;
}

/** Connect deadline of each node connection, ms (default 2000). */
export function redisClusterSetOptionConnectTimeout(acc: RedisClusterAsyncContext, ms: number): number {
  if (!(ms > 0)) return REDIS_ERR;
  engine(acc).connectTimeout = ms;
  return REDIS_OK;
}

/** Deadline of each command, ms; a node whose command times out is closed (its pending callbacks get null). */
export function redisClusterSetOptionTimeout(acc: RedisClusterAsyncContext, ms: number): number {
  if (!(ms > 0)) return REDIS_ERR;
  engine(acc).commandTimeout = ms;
  return REDIS_OK;
}

/** Most redirects and retries per command (default 5); past it the callback gets the last reply. */
export function redisClusterSetOptionMaxRetry(acc: RedisClusterAsyncContext, n: number): number {
  if (!Number.isInteger(n) || n < 0) return REDIS_ERR;
  engine(acc).maxRetry = n;
  return REDIS_OK;
}

/**
 * TLS on every node connection with `ssl` (from redisCreateSSLContext), as
 * hiredis-cluster's `redisClusterSetOptionEnableSSL(acc->cc, ssl)`
 * (hircluster_ssl.h). The nodes of a TLS cluster are reached on the TLS
 * ports they announce. Call before `redisClusterAsyncConnect2`; the context
 * must stay alive while the cluster context is used.
 */
export function redisClusterSetOptionEnableSSL(acc: RedisClusterAsyncContext, ssl: RedisSSLContext): number {
  engine(acc).ssl = ssl;
  return REDIS_OK;
}

/** Called for each node connection, as hiredis's connect callback. Settable once. */
export function redisClusterAsyncSetConnectCallback(acc: RedisClusterAsyncContext, fn: RedisConnectCallback): number {
  const e = engine(acc);
  if (e.onConnect !== null) return REDIS_ERR;
  e.onConnect = fn;
  return REDIS_OK;
}

/** Called when a node connection that had connected goes away. Settable once. */
export function redisClusterAsyncSetDisconnectCallback(acc: RedisClusterAsyncContext, fn: RedisDisconnectCallback): number {
  const e = engine(acc);
  if (e.onDisconnect !== null) return REDIS_ERR;
  e.onDisconnect = fn;
  return REDIS_OK;
}

/** `fn(acc, event, privdata)` on HIRCLUSTER_EVENT_SLOTMAP_UPDATED, _READY (first map) and _FREE_CONTEXT. */
export function redisClusterSetEventCallback(acc: RedisClusterAsyncContext, fn: RedisClusterEventCallback, privdata: unknown = null): number {
  const e = engine(acc);
  e.onEvent = fn;
  e.eventPrivdata = privdata;
  return REDIS_OK;
}

/**
 * Gives the context its reactor: every node connection is opened there with
 * `redisAttach`. Call before `redisClusterAsyncConnect2`; REDIS_ERR if
 * already attached.
 */
export function redisClusterAttach(reactor: Reactor, acc: RedisClusterAsyncContext): number {
  const e = engine(acc);
  if (e.reactor !== null) return REDIS_ERR;
  e.reactor = reactor;
  return REDIS_OK;
}

/**
 * Starts connecting: asks a startup node for the slot map (CLUSTER SHARDS,
 * else CLUSTER SLOTS) and the command table (COMMAND), while the reactor
 * runs. Commands issued before the map is in wait for it.
 */
export function redisClusterAsyncConnect2(acc: RedisClusterAsyncContext): number {
  return engine(acc).connect();
}

/** A command from a format string (`%s %b %d %%`), routed by its keys. */
export function redisClusterAsyncCommand(
  acc: RedisClusterAsyncContext,
  fn: RedisClusterCallbackFn | null,
  privdata: unknown,
  fmt: string,
  ...args: FormatArgument[]
): number {
  return engine(acc).command(fn, privdata, fmt, args, null);
}

/** A command as an argument array (binary-safe), routed by its keys. */
export function redisClusterAsyncCommandArgv(
  acc: RedisClusterAsyncContext,
  fn: RedisClusterCallbackFn | null,
  privdata: unknown,
  argv: CommandArgument[],
): number {
  return engine(acc).commandArgv(fn, privdata, argv, null);
}

/** A command for one node (from `redisClusterGetNodeByKey` / `redisClusterGetMasterNodes`), e.g. DBSIZE per master. */
export function redisClusterAsyncCommandToNode(
  acc: RedisClusterAsyncContext,
  node: RedisClusterNode,
  fn: RedisClusterCallbackFn | null,
  privdata: unknown,
  fmt: string,
  ...args: FormatArgument[]
): number {
  return engine(acc).command(fn, privdata, fmt, args, node);
}

/** `redisClusterAsyncCommandToNode` with an argument array. */
export function redisClusterAsyncCommandArgvToNode(
  acc: RedisClusterAsyncContext,
  node: RedisClusterNode,
  fn: RedisClusterCallbackFn | null,
  privdata: unknown,
  argv: CommandArgument[],
): number {
  return engine(acc).commandArgv(fn, privdata, argv, node);
}

/** The master that serves `key`'s slot now, or null before the map is in. */
export function redisClusterGetNodeByKey(acc: RedisClusterAsyncContext, key: CommandArgument): RedisClusterNode | null {
  return engine(acc).nodeByKey(key);
}

/** Every master in the current map (hiredis-cluster walks them with a node iterator). */
export function redisClusterGetMasterNodes(acc: RedisClusterAsyncContext): RedisClusterNode[] {
  return engine(acc).masters();
}

/**
 * Refuses new commands, lets every node's pending replies arrive, then
 * closes the node connections (their disconnect callbacks get REDIS_OK).
 * Commands still waiting for the map get null.
 */
export function redisClusterAsyncDisconnect(acc: RedisClusterAsyncContext): void {
  engine(acc).disconnect();
}

/** Closes every node connection now; every pending callback gets null once. */
export function redisClusterAsyncFree(acc: RedisClusterAsyncContext): void {
  engine(acc).free();
}
