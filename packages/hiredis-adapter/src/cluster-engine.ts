/**
 * The hiredis-cluster async context's engine (`hircluster.c`'s async half):
 * one `RedisAsyncContext` per node, all attached to one reactor through the
 * ordinary `redisAttach`, a slot map, and the command table whose key specs
 * say which slot a command belongs to.
 *
 * A command is one `Request` from issue to its callback:
 *
 *   issued ──no map yet──▶ waiting ──map loaded──▶ sent on the slot's node
 *   sent ──reply──▶ MOVED: patch the slot, refresh in the background, send to the named node
 *                   ASK:   ASKING + the command on the named node (map unchanged)
 *                   TRYAGAIN / CLUSTERDOWN: resend after a pause
 *                   anything else: the user's callback
 *   sent ──node failed (null reply)──▶ user's callback with null (it may have run)
 *
 * Invariants:
 * - Each request's callback runs exactly once (reply or null); a request is
 *   in exactly one of: `waiting`, a node context's FIFO, `sleeping` (a retry
 *   timer), or done.
 * - At most one map refresh is in flight however many MOVEDs arrive.
 * - Redirects per request are bounded by `maxRetry`; past it the callback
 *   gets the last error reply.
 */
import { formatCommand, errorText, type CommandArgument, type FormatArgument, type RedisReply } from '@reactor-ts/resp';
import type { Reactor } from '@reactor-ts/reactor';
import { REDIS_ERR, REDIS_ERR_OTHER, REDIS_OK } from './constants.js';
import { redisAsyncCommandArgv, redisAsyncConnectWithOptions, redisAsyncDisconnect, redisAsyncFormattedCommand, redisAsyncFree, redisAsyncSetConnectCallback, redisAsyncSetDisconnectCallback } from './context.js';
import { redisAttach } from './attach.js';
import { CommandTable } from './cluster-commands.js';
import { isRetryableClusterError, NO_SLOT, parseAddress, parseRedirect, SlotMap, slotOfKeys, type NodeAddress } from './cluster-topology.js';
import type { RedisAsyncContext, RedisConnectCallback, RedisDisconnectCallback, RedisSSLContext } from './types.js';

/** hiredis-cluster's event codes for `redisClusterSetEventCallback`. */
export const HIRCLUSTER_EVENT_SLOTMAP_UPDATED = 1;
export const HIRCLUSTER_EVENT_READY = 2;
export const HIRCLUSTER_EVENT_FREE_CONTEXT = 3;

/** A command's callback: `reply` null when the node failed or the context was freed first. */
export type RedisClusterCallbackFn = (acc: RedisClusterAsyncContext, reply: RedisReply | null, privdata: unknown) => void;
export type RedisClusterEventCallback = (acc: RedisClusterAsyncContext, event: number, privdata: unknown) => void;

/** hiredis-cluster's `redisClusterNode`, as far as a caller needs it. */
export interface RedisClusterNode {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** 'master' (the async API only sends to masters). */
  readonly role: 'master';
}

/** hiredis-cluster's `redisClusterAsyncContext`. */
export interface RedisClusterAsyncContext {
  readonly err: number;
  readonly errstr: string;
  /** User data slot. */
  data: unknown;
}

interface Request {
  payload: Uint8Array | CommandArgument[];
  slot: number;
  fn: RedisClusterCallbackFn | null;
  privdata: unknown;
  /** Redirects and retries so far. */
  hops: number;
  /** Sent to this node whatever the map says (CommandToNode). */
  pinned: string | null;
  /** Issued before the command table arrived: its keys, to find its slot then. */
  argv: readonly CommandArgument[] | null;
}

const DEFAULT_MAX_RETRY = 5;
const RETRY_BASE_MS = 20;

export class ClusterEngine implements RedisClusterAsyncContext {
  err = 0;
  errstr = '';
  data: unknown = null;

  seeds: NodeAddress[] = [];
  password: string | null = null;
  username: string | null = null;
  connectTimeout: number | null = 2000;
  commandTimeout: number | null = null;
  maxRetry = DEFAULT_MAX_RETRY;
  /** TLS for every node connection (redisClusterSetOptionEnableSSL), else null. */
  ssl: RedisSSLContext | null = null;
  onConnect: RedisConnectCallback | null = null;
  onDisconnect: RedisDisconnectCallback | null = null;
  onEvent: RedisClusterEventCallback | null = null;
  eventPrivdata: unknown = null;

  reactor: Reactor | null = null;
  private map: SlotMap | null = null;
  private table: CommandTable | null = null;
  private readonly nodes = new Map<string, RedisAsyncContext>();
  private waiting: Request[] = [];
  private readonly sleeping = new Map<number, Request>();
  private refreshing = false;
  private refreshAgain = false;
  private state: 'init' | 'connecting' | 'ready' | 'disconnecting' | 'closed' = 'init';

  // ------------------------------------------------------------- options

  addNodes(text: string): number {
    for (const part of String(text).split(',')) {
      const a = parseAddress(part.trim());
      if (a === null) return this.fail(`redisClusterSetOptionAddNodes: not host:port: '${part.trim()}'`);
      if (!this.seeds.some((s) => s.addr === a.addr)) this.seeds.push(a);
    }
    return REDIS_OK;
  }

  private fail(why: string): number {
    this.err = REDIS_ERR_OTHER;
    this.errstr = why;
    return REDIS_ERR;
  }

  // ------------------------------------------------------------- connect

  connect(): number {
    if (this.state !== 'init') return this.fail('redisClusterAsyncConnect2: already connected');
    if (this.reactor === null) return this.fail('redisClusterAsyncConnect2: call redisClusterAttach(reactor, acc) first');
    if (this.seeds.length === 0) return this.fail('redisClusterAsyncConnect2: no nodes; call redisClusterSetOptionAddNodes');
    this.state = 'connecting';
    this.refresh();
    return REDIS_OK;
  }

  /** The node context for `a`, opened on first use. */
  private node(a: NodeAddress): RedisAsyncContext {
    const have = this.nodes.get(a.addr);
    if (have !== undefined) return have;
    const o: Parameters<typeof redisAsyncConnectWithOptions>[0] = { host: a.host, port: a.port };
    if (this.password !== null) o.password = this.password;
    if (this.username !== null) o.username = this.username;
    if (this.connectTimeout !== null) o.connectTimeout = this.connectTimeout;
    if (this.commandTimeout !== null) o.commandTimeout = this.commandTimeout;
    if (this.ssl !== null) o.ssl = this.ssl;
    const ac = redisAsyncConnectWithOptions(o);
    this.nodes.set(a.addr, ac);
    redisAsyncSetConnectCallback(ac, (c, status) => {
      if (status !== REDIS_OK) this.nodeGone(a.addr, c);
      this.onConnect?.(c, status);
    });
    redisAsyncSetDisconnectCallback(ac, (c, status) => {
      this.nodeGone(a.addr, c);
      this.onDisconnect?.(c, status);
    });
    if (ac.err !== 0 || redisAttach(this.reactor!, ac) !== REDIS_OK) {
      this.nodes.delete(a.addr);
      redisAsyncFree(ac);
    }
    return ac;
  }

  /** A node's context closed: forget it, and re-read the map unless we are closing. */
  private nodeGone(addr: string, ac: RedisAsyncContext): void {
    if (this.nodes.get(addr) === ac) this.nodes.delete(addr);
    if (this.state === 'ready' || this.state === 'connecting') this.refresh();
  }

  // ------------------------------------------------------------- the map

  /**
   * Reads the map (CLUSTER SHARDS, else CLUSTER SLOTS) and, the first time,
   * the command table, from the first node that answers: the current
   * masters first, then the seeds. One refresh at a time; asks made while
   * one runs start one more after it.
   */
  refresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    const candidates = [...(this.map?.masters() ?? []), ...this.seeds];
    const tryNext = (i: number): void => {
      if (this.state === 'closed' || this.state === 'disconnecting') return this.refreshDone();
      if (i >= candidates.length) {
        this.refreshDone();
        if (this.state === 'connecting') this.connectFailed();
        return;
      }
      const a = candidates[i]!;
      const ac = this.node(a);
      const next = (): void => tryNext(i + 1);
      const sent = redisAsyncCommandArgv(ac, (_c, reply) => {
        if (reply === null) return next();
        if (errorText(reply) === null) return this.gotMap(SlotMap.fromShards(reply, a.host, this.ssl !== null), ac, next);
        // Before Redis 7: no CLUSTER SHARDS.
        redisAsyncCommandArgv(ac, (_c2, r2) => {
          if (r2 === null || errorText(r2) !== null) return next();
          this.gotMap(SlotMap.fromSlots(r2, a.host), ac, next);
        }, null, ['CLUSTER', 'SLOTS']);
      }, null, ['CLUSTER', 'SHARDS']);
      if (sent !== REDIS_OK) next();
    };
    tryNext(0);
  }

  private gotMap(map: SlotMap, ac: RedisAsyncContext, next: () => void): void {
    if (map.covered === 0) return next();
    if (this.table !== null) return this.installMap(map);
    const sent = redisAsyncCommandArgv(ac, (_c, reply) => {
      if (reply === null || errorText(reply) !== null) return next();
      this.table = CommandTable.fromReply(reply);
      this.installMap(map);
    }, null, ['COMMAND']);
    if (sent !== REDIS_OK) next();
  }

  private installMap(map: SlotMap): void {
    this.map = map;
    // Nodes that no longer serve slots (a demoted master) are let go once their replies are in.
    const masters = new Set(map.masters().map((m) => m.addr));
    for (const [addr, ac] of this.nodes) if (!masters.has(addr)) redisAsyncDisconnect(ac);
    this.refreshDone();
    this.emit(HIRCLUSTER_EVENT_SLOTMAP_UPDATED);
    if (this.state === 'connecting') {
      this.state = 'ready';
      this.emit(HIRCLUSTER_EVENT_READY);
    }
    const held = this.waiting;
    this.waiting = [];
    for (const r of held) this.dispatch(r);
  }

  private refreshDone(): void {
    this.refreshing = false;
    if (this.refreshAgain && this.state === 'ready') {
      this.refreshAgain = false;
      this.refresh();
    }
    this.refreshAgain = false;
  }

  private connectFailed(): void {
    this.fail('redisClusterAsyncConnect2: no node answered CLUSTER SHARDS / SLOTS');
    this.state = 'closed';
    this.failAll();
  }

  private emit(event: number): void {
    this.onEvent?.(this, event, this.eventPrivdata);
  }

  // ------------------------------------------------------------ commands

  command(fn: RedisClusterCallbackFn | null, privdata: unknown, fmt: string, args: FormatArgument[], pinned: RedisClusterNode | null): number {
    let bytes: Buffer;
    try {
      bytes = formatCommand(fmt, ...args);
    } catch (err) {
      return this.fail(err instanceof Error ? err.message : String(err));
    }
    const argv = splitFormatted(bytes);
    if (argv === null) return this.fail('redisClusterAsyncCommand: the format made no command');
    return this.issue(bytes, argv, fn, privdata, pinned);
  }

  commandArgv(fn: RedisClusterCallbackFn | null, privdata: unknown, argv: CommandArgument[], pinned: RedisClusterNode | null): number {
    if (!Array.isArray(argv) || argv.length === 0) return this.fail('redisClusterAsyncCommandArgv: argv must be a non-empty array');
    return this.issue(argv.slice(), argv, fn, privdata, pinned);
  }

  private issue(payload: Uint8Array | CommandArgument[], argv: readonly CommandArgument[], fn: RedisClusterCallbackFn | null, privdata: unknown, pinned: RedisClusterNode | null): number {
    if (this.state === 'closed' || this.state === 'disconnecting') return this.fail('the cluster context is disconnecting or freed');
    if (this.state === 'init') return this.fail('redisClusterAsyncCommand before redisClusterAsyncConnect2');
    const r: Request = { payload, slot: NO_SLOT, fn, privdata, hops: 0, pinned: pinned === null ? null : `${pinned.host}:${pinned.port}`, argv: null };
    if (this.table === null) {
      // No table yet: the slot is found once it arrives; keys cannot be told before.
      r.argv = argv;
      this.waiting.push(r);
      return REDIS_OK;
    }
    try {
      r.slot = slotOfKeys(argv, this.table.keyIndices(argv));
    } catch (err) {
      return this.fail((err as Error).message);
    }
    this.dispatch(r);
    return REDIS_OK;
  }

  /** Sends `r` to its node now, or holds it until the map is there. */
  private dispatch(r: Request, to: NodeAddress | null = null, asking = false): void {
    if (r.argv !== null) {
      const argv = r.argv;
      r.argv = null;
      try {
        r.slot = slotOfKeys(argv, this.table!.keyIndices(argv));
      } catch (err) {
        this.fail((err as Error).message);
        return this.finish(r, null);
      }
    }
    if (this.map === null) {
      this.waiting.push(r);
      return;
    }
    const target = to ?? (r.pinned !== null ? parseAddress(r.pinned) : r.slot === NO_SLOT ? this.anyMaster() : this.map.masterOf(r.slot));
    if (target === null) {
      // Nobody serves the slot right now: a failover may be under way.
      return this.retryLater(r, 'CLUSTERDOWN Hash slot not served');
    }
    const ac = this.node(target);
    if (asking) redisAsyncCommandArgv(ac, null, null, ['ASKING']);
    const cb = (c: RedisAsyncContext, reply: unknown): void => this.onReply(r, c, target, reply as RedisReply | null);
    const sent = r.payload instanceof Uint8Array ? redisAsyncFormattedCommand(ac, cb, null, r.payload) : redisAsyncCommandArgv(ac, cb, null, r.payload);
    if (sent !== REDIS_OK) {
      // The node's context is dead (it just failed): nothing was sent; try again on a fresh map.
      this.nodes.delete(target.addr);
      this.retryLater(r, `the connection to ${target.addr} is closed`);
    }
  }

  private anyMaster(): NodeAddress | null {
    const ms = this.map?.masters() ?? [];
    return ms.length === 0 ? null : ms[Math.floor(Math.random() * ms.length)]!;
  }

  private onReply(r: Request, ac: RedisAsyncContext, from: NodeAddress, reply: RedisReply | null): void {
    if (reply === null) {
      // May have run: never resent. The node's failure also re-reads the map (nodeGone).
      this.err = ac.err || REDIS_ERR_OTHER;
      this.errstr = ac.errstr || 'the node closed';
      return this.finish(r, null);
    }
    const text = errorText(reply);
    if (text !== null && this.state === 'ready' && r.hops < this.maxRetry) {
      const redirect = parseRedirect(text, from.host);
      if (redirect !== null) {
        r.hops++;
        if (redirect.kind === 'moved') {
          this.map?.moveSlot(redirect.slot, redirect.to);
          this.refresh();
          r.pinned = null;
          return this.dispatch(r, redirect.to);
        }
        return this.dispatch(r, redirect.to, true);
      }
      if (isRetryableClusterError(text)) return this.retryLater(r, text);
    }
    this.finish(r, reply);
  }

  /** Resend `r` after a pause, with a fresh map; past maxRetry its callback gets null. */
  private retryLater(r: Request, why: string): void {
    if (r.hops++ >= this.maxRetry || this.reactor === null || this.state !== 'ready') {
      this.fail(`gave up after ${r.hops} tries: ${why}`);
      return this.finish(r, null);
    }
    this.refresh();
    const id = this.reactor.addTimer(RETRY_BASE_MS * 2 ** Math.min(r.hops, 6), () => {
      this.sleeping.delete(id);
      this.dispatch(r);
    });
    this.sleeping.set(id, r);
  }

  private finish(r: Request, reply: RedisReply | null): void {
    const fn = r.fn;
    r.fn = null;
    fn?.(this, reply, r.privdata);
  }

  /** Settles everything the cluster context itself holds (not what node contexts hold: they settle theirs). */
  private failAll(): void {
    const held = this.waiting;
    this.waiting = [];
    for (const [id, r] of this.sleeping) {
      this.reactor?.delTimer(id);
      held.push(r);
    }
    this.sleeping.clear();
    for (const r of held) this.finish(r, null);
  }

  nodeByKey(key: CommandArgument): RedisClusterNode | null {
    const m = this.map?.masterOf(slotOfKeys([key], [0])) ?? null;
    return m === null ? null : { name: m.id, host: m.host, port: m.port, role: 'master' };
  }

  masters(): RedisClusterNode[] {
    return (this.map?.masters() ?? []).map((m) => ({ name: m.id, host: m.host, port: m.port, role: 'master' as const }));
  }

  // --------------------------------------------------------- termination

  disconnect(): void {
    if (this.state === 'closed' || this.state === 'disconnecting') return;
    this.state = 'disconnecting';
    this.failAll();
    for (const ac of [...this.nodes.values()]) redisAsyncDisconnect(ac);
  }

  free(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.err === 0) {
      this.err = REDIS_ERR_OTHER;
      this.errstr = 'Freed by redisClusterAsyncFree';
    }
    this.failAll();
    const nodes = [...this.nodes.values()];
    this.nodes.clear();
    for (const ac of nodes) redisAsyncFree(ac);
    this.emit(HIRCLUSTER_EVENT_FREE_CONTEXT);
    this.onEvent = null;
    this.onConnect = null;
    this.onDisconnect = null;
  }
}

/** The arguments of one formatted RESP command as Buffers (binary-safe), or null. */
function splitFormatted(bytes: Buffer): Buffer[] | null {
  if (bytes[0] !== 0x2a) return null;
  let pos = 1;
  const line = (): number => {
    const eol = bytes.indexOf(0x0d, pos);
    if (eol === -1) return -1;
    const n = Number(bytes.toString('latin1', pos, eol));
    pos = eol + 2;
    return Number.isInteger(n) ? n : -1;
  };
  const argc = line();
  if (argc <= 0) return null;
  const out: Buffer[] = [];
  for (let i = 0; i < argc; i++) {
    if (bytes[pos] !== 0x24) return null;
    pos++;
    const len = line();
    if (len < 0 || pos + len > bytes.length) return null;
    out.push(bytes.subarray(pos, pos + len));
    pos += len + 2;
  }
  return out;
}
