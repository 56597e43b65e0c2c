/**
 * RedisCluster: the promise client for Redis Cluster, `createCluster({
 * rootNodes })`. The same typed shorthands and `command()` as a client
 * (CommandMethods), over one RedisClient per node on one reactor
 * (cluster-node.ts) and a slot map (@reactor-ts/hiredis-adapter's SlotMap,
 * CommandTable, keySlot).
 *
 * Routing: a command's keys (found by the server's own key specs) give its
 * slot, the slot its master (or, for a read-only command with
 * `useReplicas`, one of the shard's replicas after READONLY). Keys in two
 * slots are refused before sending (CrossSlotError). A keyless command goes
 * to any master, or to every master when the server's tips say so
 * (FLUSHALL, SCRIPT LOAD, DBSIZE, ...), its replies combined as they say.
 *
 * Each command is a ClusterCommand from issue to settlement:
 *   MOVED        → patch the slot, send to the named node now, one background refresh
 *   ASK          → ASKING + the command on the named node; map unchanged
 *   TRYAGAIN / CLUSTERDOWN, or not sent (node down, refused connect)
 *                → resend after a backoff, on a re-read map, until its deadline
 *   connection lost after sending → rejected (it may have run): never re-sent
 * Redirects are bounded by `maxRedirections` (MaxRedirectionsError).
 * A command given an AbortSignal carries a gate that each of these steps
 * asks before sending it, so an abort drops it wherever it waits unsent
 * (cluster-abort.ts).
 *
 * The map is re-read on MOVED, when a node's connection fails, and every
 * `topologyRefreshInterval`; one read at a time (asks during one read cause
 * one more read after it, never a storm).
 */
import type { Reactor } from '@reactor-ts/reactor';
import { ReplyError, type CommandArgument } from '@reactor-ts/resp';
import {
  CommandTable,
  CLUSTER_SLOTS,
  isRetryableClusterError,
  nodeAddress,
  NO_SLOT,
  parseRedirect,
  SlotMap,
  slotOfKeys,
  type CommandSpec,
  type NodeAddress,
} from '@reactor-ts/hiredis-adapter';
import { RedisClient, type ClientOptions, type WatchFn } from './client.js';
import { CommandMethods, type SendOptions } from './commands.js';
import { acquireDefaultReactor, releaseDefaultReactor } from './default-reactor.js';
import { ClientClosedError, ConnectionError, OfflineQueueFullError } from './errors.js';
import { ClusterUnavailableError, MaxRedirectionsError } from './cluster-errors.js';
import { ClusterCommand, ClusterNodeConn, type CommandHost, type SendGate } from './cluster-node.js';
import { BatchGate, SignalGate } from './cluster-abort.js';
import { commandAborted } from './abort.js';
import { sendPipeline } from './cluster-pipeline.js';
import { combineReplies, TransactionAttempt } from './cluster-batch.js';
import { ClusterPubSub } from './cluster-pubsub.js';
import { Pipeline, Transaction, type BatchOptions } from './pipeline.js';
import { captured, captureResolvers, type Batch } from './settle.js';
import { parseRedisUrl, tlsFor } from './url.js';
import type { MessageListener } from './pubsub.js';
import type { WatchRetryOptions } from './watch.js';
import { scanKeys, type ScanIteratorOptions } from './scan.js';
import type { RedisString } from './types.js';

type Arg = CommandArgument;

/**
 * Options of `createCluster`: a client's options for every node, plus the
 * cluster's own. Not keyPrefix: a node's client would prefix after the
 * cluster routed by the bare key; `cluster.withKeyPrefix(p)` prefixes
 * before routing. Not replyMapping: the cluster reads CLUSTER SHARDS and
 * COMMAND through its nodes' clients in the protocol's own shapes; use
 * `cluster.withReplyMapping(m)`. Not autoConnect: the cluster client always
 * connects on its first command.
 */
export interface ClusterOptions extends Omit<ClientOptions, 'url' | 'reconnect' | 'resendOnReconnect' | 'keyPrefix' | 'autoConnect' | 'replyMapping'> {
  /** Some nodes to learn the map from, `redis://[user:pw@]host:port`; credentials apply to every node. */
  rootNodes: string[];
  /** Send read-only commands to replicas (after READONLY). Default false. */
  useReplicas?: boolean;
  /** Most MOVED / ASK hops per command before MaxRedirectionsError. Default 16. */
  maxRedirections?: number;
  /** Re-read the map this often, ms (0: only on MOVED and node loss). Default 30,000. */
  topologyRefreshInterval?: number;
  /**
   * How long a command may wait for a node that can take it (a failover in
   * progress, TRYAGAIN, CLUSTERDOWN), ms, counted from the first time it
   * could not be sent (so the fast path reads no clock). Default
   * `commandTimeout`, else 10,000.
   */
  retryDeadline?: number;
}

export type ClusterState = 'idle' | 'connecting' | 'ready' | 'closing' | 'closed';

/** A node in the current map. */
export interface ClusterNodeInfo {
  readonly host: string;
  readonly port: number;
  readonly id: string;
  readonly role: 'master' | 'replica';
  /** The node's client (opened on first use): for per-node commands such as INFO or MONITOR. */
  readonly client: RedisClient;
}

const DEFAULT_MAX_REDIRECTIONS = 16;
const DEFAULT_REFRESH_MS = 30_000;
/** How often the map is re-read while a lost master is still in it, and for how many reads (30 s). */
const LOST_REREAD_MS = 250;
const LOST_REREADS = 120;
const DEFAULT_DEADLINE_MS = 10_000;
const RETRY_MIN_MS = 10;
const RETRY_MAX_MS = 200;

export class RedisCluster extends CommandMethods implements CommandHost {
  private readonly opts: ClusterOptions;
  private readonly seeds: NodeAddress[];
  private readonly nodeUrlPrefix: string;
  /** Every node is reached over TLS (rediss:// roots, or the `tls` option): the map takes the nodes' TLS ports. */
  private readonly tls: boolean;
  private readonly maxRedirections: number;
  private readonly deadlineMs: number;
  private stateNow: ClusterState = 'idle';
  private reactor: Reactor | null = null;
  private ownsReactor = false;
  map: SlotMap | null = null;
  table: CommandTable | null = null;
  /** Node clients by `host:port`. */
  private readonly conns = new Map<string, ClusterNodeConn>();
  /** The master's node per slot, from the map (rebuilt on each read, patched on MOVED). */
  private slotNodes: Array<ClusterNodeConn | undefined> = new Array<ClusterNodeConn | undefined>(CLUSTER_SLOTS);
  /** Commands issued before the first map (keys cannot be told before the command table). */
  private held: HeldCommand[] = [];
  /** Entries of `held` whose signal fired: skipped when sent, not counted against offlineQueueLimit. */
  private heldDead = 0;
  /** Pending retries: timer id → what settles its command if the client closes first. */
  private readonly retryTimers = new Map<number, () => void>();
  private refreshing = false;
  private refreshAgain = false;
  private refreshTimer = 0;
  /**
   * Masters whose connection was lost, and the map re-reads left to see
   * them replaced. The cluster notices a dead master only after its node
   * timeout, and its replica is promoted a little later, so the first reads
   * after a loss usually still name the dead node, or leave its slots
   * without an owner. The map is read again every LOST_REREAD_MS until it
   * names neither the lost master nor an unowned slot, or the budget runs
   * out: an idle client moves to the promoted replica without waiting for a
   * command or the periodic refresh.
   */
  private readonly lost = new Set<string>();
  private lostReads = 0;
  private lostTimer = 0;
  private ready: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | null = null;
  private readonly pubsub: ClusterPubSub;
  /** Redirections seen (MOVED, ASK), for tests and monitoring. */
  readonly stats = { moved: 0, ask: 0, retries: 0, refreshes: 0 };

  constructor(opts: ClusterOptions) {
    super();
    if (!Array.isArray(opts?.rootNodes) || opts.rootNodes.length === 0) throw new TypeError('createCluster: rootNodes must list at least one redis:// URL');
    if ((opts as ClientOptions).keyPrefix !== undefined) throw new TypeError('createCluster: no keyPrefix option (nodes would route by the bare key); use cluster.withKeyPrefix(prefix)');
    if ((opts as ClientOptions).replyMapping !== undefined) throw new TypeError('createCluster: no replyMapping option (the cluster reads its map through the nodes); use cluster.withReplyMapping(mapping)');
    this.opts = opts;
    const eps = opts.rootNodes.map((u) => parseRedisUrl(u));
    const first = eps[0]!;
    this.seeds = eps.map((e) => {
      if (e.host === undefined || e.port === undefined) throw new TypeError('createCluster: rootNodes must be TCP redis:// URLs');
      return nodeAddress(e.host, e.port);
    });
    const auth = first.password === undefined ? '' : `${first.username === undefined ? '' : encodeURIComponent(first.username)}:${encodeURIComponent(first.password)}@`;
    // rediss:// roots make every node TLS (the single-node client's rule, url.ts).
    this.nodeUrlPrefix = `${first.tls === true ? 'rediss' : 'redis'}://${auth}`;
    this.tls = tlsFor(first, opts.tls) !== undefined;
    this.maxRedirections = opts.maxRedirections ?? DEFAULT_MAX_REDIRECTIONS;
    this.deadlineMs = opts.retryDeadline ?? opts.commandTimeout ?? DEFAULT_DEADLINE_MS;
    this.pubsub = new ClusterPubSub(this);
  }

  get state(): ClusterState {
    return this.stateNow;
  }

  /** Reads the map and the command table from the first root node that answers. */
  connect(): Promise<this> {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') return Promise.reject(new ClientClosedError('connect() on a closed cluster client'));
    if (this.stateNow === 'ready') return Promise.resolve(this);
    if (this.ready === null) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined);
      this.ready = { promise, resolve, reject };
    }
    if (this.stateNow === 'idle') {
      this.stateNow = 'connecting';
      if (this.opts.reactor !== undefined) this.reactor = this.opts.reactor;
      else {
        this.reactor = acquireDefaultReactor(this.opts.busyPollMicros);
        this.ownsReactor = true;
      }
      const every = this.opts.topologyRefreshInterval ?? DEFAULT_REFRESH_MS;
      if (every > 0) this.refreshTimer = this.reactor.addTimer(every, () => this.refresh(), { repeat: true });
      this.refresh();
    }
    return this.ready.promise.then(() => this);
  }

  // ---- nodes ---------------------------------------------------------------

  /** The node client for `a` in `role`, made on first use (a role change makes a new one). */
  node(a: NodeAddress, role: 'master' | 'replica' = 'master'): ClusterNodeConn {
    const have = this.conns.get(a.addr);
    if (have !== undefined && have.usable && (have.role === role || !this.opts.useReplicas)) return have;
    if (have !== undefined) void have.close(true);
    const { rootNodes: _r, useReplicas: _u, maxRedirections: _m, topologyRefreshInterval: _t, retryDeadline: _d, busyPollMicros: _b, ...clientOpts } = this.opts;
    const client = new RedisClient({ ...clientOpts, url: `${this.nodeUrlPrefix}${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`, reactor: this.reactor! });
    if (role === 'replica') client.onLink((link) => void link.sendArgv(['READONLY']).catch(() => undefined));
    const conn = new ClusterNodeConn(a, role, client, (n) => this.nodeDown(n));
    // A connection that drops while idle is news too: re-read the map now.
    // Only a link that was up marks the master lost, so the failed connects
    // to a dead node during the re-reads do not renew the budget forever.
    let wasUp = false;
    client.onLink(() => {
      wasUp = true;
    });
    client.onLinkLost(() => {
      if (role === 'master' && wasUp) {
        this.lost.add(a.addr);
        this.lostReads = LOST_REREADS;
      }
      wasUp = false;
      this.nodeDown(conn);
    });
    this.conns.set(a.addr, conn);
    return conn;
  }

  private nodeDown(n: ClusterNodeConn): void {
    if (this.conns.get(n.addr.addr) === n) this.conns.delete(n.addr.addr);
    if (this.stateNow === 'ready' || this.stateNow === 'connecting') this.refresh();
  }

  /** The nodes of the current map with their clients (masters first). */
  nodes(role: 'master' | 'replica' | 'all' = 'all'): ClusterNodeInfo[] {
    const out: ClusterNodeInfo[] = [];
    for (const shard of this.map?.shards ?? []) {
      if (role !== 'replica') out.push(info(shard.master, 'master', this.node(shard.master)));
    }
    if (role !== 'master') {
      for (const shard of this.map?.shards ?? []) for (const r of shard.replicas) out.push(info(r, 'replica', this.node(r, 'replica')));
    }
    return out;
  }

  /** Masters' node clients in the current map. */
  masterConns(): ClusterNodeConn[] {
    return (this.map?.masters() ?? []).map((m) => this.node(m));
  }

  // ---- the map -------------------------------------------------------------

  /** Re-reads the map (and, the first time, the command table); one read at a time. */
  refresh(): void {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    this.stats.refreshes++;
    void this.readMap().then(
      (map) => this.install(map),
      (err: Error) => {
        this.refreshing = false;
        if (this.stateNow === 'connecting') this.connectFailed(err);
      },
    );
  }

  private async readMap(): Promise<SlotMap> {
    const seen = new Set<string>();
    const candidates = [...(this.map?.masters() ?? []), ...(this.map?.shards.flatMap((s) => s.replicas) ?? []), ...this.seeds].filter((a) => !seen.has(a.addr) && seen.add(a.addr));
    let last: unknown = null;
    for (const a of candidates) {
      if (this.stateNow === 'closed' || this.stateNow === 'closing') break;
      const conn = this.conns.get(a.addr) ?? this.node(a);
      try {
        let map: SlotMap;
        try {
          map = SlotMap.fromShards(await conn.call(['CLUSTER', 'SHARDS']), a.host, this.tls);
        } catch (err) {
          if (!(err instanceof ReplyError)) throw err;
          map = SlotMap.fromSlots(await conn.call(['CLUSTER', 'SLOTS']), a.host);
        }
        if (map.covered === 0) throw new Error(`${a.addr} knows no slot owners`);
        this.table ??= CommandTable.fromReply(await conn.call(['COMMAND']));
        return map;
      } catch (err) {
        last = err;
      }
    }
    throw new ConnectionError(`no cluster node answered CLUSTER SHARDS / SLOTS (tried ${candidates.map((c) => c.addr).join(', ')}): ${String((last as Error)?.message ?? last)}`);
  }

  private install(map: SlotMap): void {
    this.refreshing = false;
    if (this.stateNow === 'closed' || this.stateNow === 'closing') return;
    this.map = map;
    const byShard = map.shards.map((s) => this.node(s.master));
    const slots = new Array<ClusterNodeConn | undefined>(CLUSTER_SLOTS);
    for (let s = 0; s < CLUSTER_SLOTS; s++) {
      const shard = map.shardOf(s);
      slots[s] = shard === null ? undefined : byShard[map.shards.indexOf(shard)];
    }
    this.slotNodes = slots;
    // Nodes that left the map (a dead or demoted master) go once their replies are in.
    const keep = new Set(map.masters().map((m) => m.addr));
    if (this.opts.useReplicas) for (const s of map.shards) for (const r of s.replicas) keep.add(r.addr);
    for (const [addr, conn] of this.conns) {
      if (!keep.has(addr)) {
        this.conns.delete(addr);
        void conn.close(true);
      }
    }
    this.pubsub.rehome();
    this.watchLost(map, keep);
    if (this.stateNow === 'connecting') {
      this.stateNow = 'ready';
      const held = this.held;
      this.held = [];
      this.heldDead = 0;
      for (const h of held) if (h.gate !== null) h.gate.heldEntries = 0;
      for (const h of held) if (h.gate === null || !h.gate.done) this.issue(h.argv, h.ok, h.ko, h.pinned, h.gate, h.buffers);
      const ready = this.ready;
      this.ready = null;
      ready?.resolve();
    }
    if (this.refreshAgain) {
      this.refreshAgain = false;
      this.refresh();
    }
  }

  /** After a map read: forget lost masters that left it; read again soon while the map is not whole. */
  private watchLost(map: SlotMap, masters: Set<string>): void {
    for (const addr of this.lost) if (!masters.has(addr)) this.lost.delete(addr);
    const settled = this.lost.size === 0 && map.covered === CLUSTER_SLOTS;
    if (settled || this.lostReads <= 0) {
      this.lost.clear();
      this.lostReads = 0;
      return;
    }
    if (this.lostTimer !== 0 || this.reactor === null) return;
    this.lostReads--;
    this.lostTimer = this.reactor.addTimer(LOST_REREAD_MS, () => {
      this.lostTimer = 0;
      this.refresh();
    });
  }

  private connectFailed(err: Error): void {
    const ready = this.ready;
    this.ready = null;
    void this.closeAll(false, err);
    ready?.reject(err);
  }

  // ---- commands ------------------------------------------------------------

  sendArgv(argv: Arg[]): Promise<unknown> {
    const promise = new Promise<unknown>(captureResolvers);
    const { resolve, reject } = captured;
    this.issue(argv, resolve, reject);
    return promise;
  }

  /**
   * `sendArgv` with a signal and/or Buffer replies (withAbortSignal,
   * withBuffers). A signal's command carries a gate (cluster-abort.ts) that
   * every queue of the cluster asks before sending it: aborted unsent, it is
   * dropped wherever it waits (mayHaveRun false); aborted on a link, it
   * rejects at once and its reply is dropped when it comes.
   */
  override sendArgvWith(argv: Arg[], opts: SendOptions): Promise<unknown> {
    const signal = opts.signal;
    const buffers = opts.buffers === true && this.opts.returnBuffers !== true;
    if (signal === undefined && !buffers) return this.sendArgv(argv);
    if (signal?.aborted === true) return Promise.reject(commandAborted(undefined, false, signal.reason));
    const promise = new Promise<unknown>(captureResolvers);
    const { resolve, reject } = captured;
    if (signal === undefined) this.issue(argv, resolve, reject, null, null, buffers);
    else {
      const gate = new SignalGate(signal, this, resolve, reject);
      this.issue(argv, gate.resolve, gate.reject, null, gate, buffers);
    }
    return promise;
  }

  /** HeldCount (cluster-abort.ts): `n` entries of `held` were aborted; they stop counting at once, and go in bulk (issue). */
  dropHeld(n: number): void {
    this.heldDead += n;
  }

  /** Routes one command; settles through `ok`/`ko` exactly once. `gate`: its abort state (see sendArgvWith). */
  issue(argv: Arg[], ok: (v: unknown) => void, ko: (e: Error) => void, pinned: ClusterNodeConn | null = null, gate: SendGate | null = null, buffers = false): void {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') {
      ko(new ClientClosedError(`the cluster client is ${this.stateNow}; command not sent`));
      return;
    }
    if (this.table === null) {
      // Before the first map: keys cannot be told yet.
      const limit = this.opts.offlineQueueLimit ?? 100_000;
      // Aborted entries go once they are half the queue: one pass per many aborts, never a search per abort.
      if (this.heldDead >= 64 && this.heldDead * 2 >= this.held.length) {
        this.held = this.held.filter((h) => h.gate === null || !h.gate.done);
        this.heldDead = 0;
      }
      if (this.held.length - this.heldDead >= limit) return ko(new OfflineQueueFullError(limit));
      this.held.push({ argv, ok, ko, pinned, gate, buffers });
      if (gate !== null) gate.heldEntries++;
      if (this.stateNow === 'idle') void this.connect().catch(() => undefined);
      return;
    }
    const spec = this.table.lookup(argv);
    let slot: number;
    try {
      slot = this.table.slotOf(argv, spec);
    } catch (err) {
      return ko(err as Error);
    }
    if (slot === NO_SLOT && pinned === null && spec !== null && (spec.requestPolicy === 'all_shards' || spec.requestPolicy === 'all_nodes')) {
      return this.fanOut(argv, spec, ok, ko, gate, buffers);
    }
    const c = new ClusterCommand(this, argv, slot, this.opts.useReplicas === true && this.table.isReadonly(spec), 0, ok, ko, pinned);
    c.gate = gate;
    c.buffers = buffers;
    this.route(c);
  }

  /** Sends `c` to its node now (or to `to`, after a redirect). */
  route(c: ClusterCommand, to: ClusterNodeConn | null = null, asking = false): void {
    // Aborted while it waited for a retry or a redirect: it did not run, and is not sent.
    if (c.gate !== null && c.gate.done) return;
    const node = to ?? c.pinned ?? this.nodeFor(c);
    if (node === null) return this.retryLater(c, new Error('no master serves the slot (a failover may be under way)'));
    c.sentTo = node;
    if (!node.send(c, asking)) {
      if (this.conns.get(node.addr.addr) === node) this.conns.delete(node.addr.addr);
      this.retryLater(c, new Error(`the connection to ${node.addr.addr} is closed`));
    }
  }

  private nodeFor(c: ClusterCommand): ClusterNodeConn | null {
    if (c.slot === NO_SLOT) {
      const ms = this.map?.masters() ?? [];
      return ms.length === 0 ? null : this.node(ms[Math.floor(Math.random() * ms.length)]!);
    }
    if (c.readonly && !c.preferMaster) {
      const rs = this.map?.shardOf(c.slot)?.replicas ?? [];
      if (rs.length > 0) return this.node(rs[Math.floor(Math.random() * rs.length)]!, 'replica');
    }
    const n = this.slotNodes[c.slot];
    return n !== undefined && n.usable ? n : n !== undefined ? this.node(n.addr) : null;
  }

  /** A node rejected `c` with `err` (a reply error, or its connection's failure). */
  failed(c: ClusterCommand, err: Error): void {
    if (c.inSend) {
      // The context refused it before writing: a bad argument is final, a dead context is "not sent".
      if ((err as { code?: string }).code === 'ERR_COMMAND_REFUSED') c.ko(err);
      else this.retryLater(c, err);
      return;
    }
    if (!(err instanceof ReplyError)) {
      // Lost after sending: it may have run, so it is not re-sent; the map may be stale.
      this.refresh();
      c.ko(err);
      return;
    }
    const text = err.message;
    if (text.startsWith('MOVED ') || text.startsWith('ASK ')) {
      const r = parseRedirect(text, c.sentTo?.addr.host ?? '127.0.0.1');
      if (r !== null) {
        if (++c.hops > this.maxRedirections) return c.ko(new MaxRedirectionsError(String(c.argv[0]).toUpperCase(), c.hops - 1, text));
        if (r.kind === 'moved') {
          this.stats.moved++;
          this.moved(r.slot, r.to);
          return this.route(c, c.pinned !== null ? null : this.node(r.to));
        }
        this.stats.ask++;
        return this.route(c, this.node(r.to), true);
      }
    }
    if (isRetryableClusterError(text)) return this.retryLater(c, err);
    c.ko(err);
  }

  /** MOVED: the slot's next commands go to `to` at once; the whole map is re-read in the background. */
  moved(slot: number, to: NodeAddress): void {
    if (this.map !== null) {
      this.map.moveSlot(slot, to);
      this.slotNodes[slot] = this.node(this.map.masterOf(slot) ?? to);
    }
    this.refresh();
  }

  /** Resends `c` after a pause and a re-read of the map, or gives up at its deadline (it did not run). */
  retryLater(c: ClusterCommand, cause: Error): void {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') {
      return c.ko(new ClientClosedError(`the cluster client closed; command not sent (${cause.message})`));
    }
    const now = Date.now();
    if (c.deadline === 0) c.deadline = now + this.deadlineMs;
    if (now >= c.deadline) {
      return c.ko(new ClusterUnavailableError(`${String(c.argv[0]).toUpperCase()}: no node took the command within ${this.deadlineMs} ms (${cause.message}); not run`, { cause }));
    }
    this.stats.retries++;
    c.preferMaster = true;
    this.refresh();
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(c.retries++, 5), c.deadline - now);
    this.schedule(delay, () => this.route(c), () => c.ko(new ClientClosedError(`the cluster client closed; command not sent (${cause.message})`)));
  }

  /** Runs `run` after `ms`; if the client closes first, runs `cancel` instead (so whatever waits is settled). */
  schedule(ms: number, run: () => void, cancel: () => void): void {
    const id = this.reactor!.addTimer(ms, () => {
      this.retryTimers.delete(id);
      if (this.stateNow === 'closed' || this.stateNow === 'closing') cancel();
      else run();
    });
    this.retryTimers.set(id, cancel);
  }

  /** How long a command may wait for a node, ms. */
  get retryDeadlineMs(): number {
    return this.deadlineMs;
  }

  get maxHops(): number {
    return this.maxRedirections;
  }

  /** The master's node of `slot` (any master for NO_SLOT), or null when nobody serves it. */
  masterFor(slot: number): ClusterNodeConn | null {
    if (slot === NO_SLOT) {
      const ms = this.map?.masters() ?? [];
      return ms.length === 0 ? null : this.node(ms[0]!);
    }
    const n = this.slotNodes[slot];
    return n === undefined ? null : n.usable ? n : this.node(n.addr);
  }

  /** A keyless command the server wants on every master (FLUSHALL, SCRIPT LOAD, DBSIZE, ...). */
  fanOut(argv: Arg[], spec: CommandSpec, ok: (v: unknown) => void, ko: (e: Error) => void, gate: SendGate | null = null, buffers = false): void {
    const nodes = this.masterConns();
    if (spec.requestPolicy === 'all_nodes' && this.opts.useReplicas) {
      for (const s of this.map?.shards ?? []) for (const r of s.replicas) nodes.push(this.node(r, 'replica'));
    }
    // With a gate, each part carries it: an abort drops the parts not yet
    // written, and says "may have run" once any part was written or answered.
    const part = (n: ClusterNodeConn): Promise<unknown> =>
      new Promise((res, rej) =>
        this.issueTo(
          n,
          argv,
          gate === null ? res : (v) => (gate.ran(), res(v)),
          gate === null ? rej : (e) => (gate.ran(), rej(e)),
          gate,
          buffers,
        ),
      );
    void Promise.allSettled(nodes.map(part)).then((results) => {
      try {
        ok(combineReplies(spec.responsePolicy, results));
      } catch (err) {
        ko(err as Error);
      }
    });
  }

  /** One command on one node (a fan-out's part; nodes()' per-node commands use the node client directly). */
  issueTo(node: ClusterNodeConn, argv: Arg[], ok: (v: unknown) => void, ko: (e: Error) => void, gate: SendGate | null = null, buffers = false): void {
    const c = new ClusterCommand(this, argv, NO_SLOT, false, 0, ok, ko, node);
    c.gate = gate;
    c.buffers = buffers;
    this.route(c);
  }

  // ---- batches ----------------------------------------------------------------

  /** Pipeline target: each command to its own node, replies in the pipeline's order (cluster-pipeline.ts). */
  sendBatch(commands: Arg[][], batch: Batch): void {
    sendPipeline(this, commands, batch, batch.watch === null ? null : new BatchGate(batch, this));
  }

  /** The master's node of `slot` when a batch may go straight onto its link, else null. */
  directNode(slot: number): ClusterNodeConn | null {
    const n = this.slotNodes[slot];
    return n !== undefined && n.direct ? n : null;
  }

  get useReplicas(): boolean {
    return this.opts.useReplicas === true;
  }

  /** Commands for one `exec()`, split per node; only MOVED / ASK'd ones are re-sent. */
  pipeline(opts?: BatchOptions): Pipeline {
    return new Pipeline<[]>(this, opts);
  }

  /** MULTI … EXEC on the node of its slot (one slot, or CrossSlotError); re-routed whole after a move or failover. */
  multi(opts?: BatchOptions): Transaction {
    return new Transaction<[]>({ sendBatch: (commands, batch) => TransactionAttempt.start(this, commands, batch, batch.watch === null ? null : new BatchGate(batch, this)) }, opts);
  }

  /** WATCH → fn → MULTI/EXEC on a connection to the keys' master (one slot), retried on conflict; follows a moved slot. */
  async watchRetry(keys: Arg[], fn: WatchFn, opts?: WatchRetryOptions): Promise<unknown[] | null> {
    if (this.stateNow !== 'ready') await this.connect();
    const slot = slotOfKeys(keys, keys.map((_, i) => i));
    for (let hop = 0; ; hop++) {
      const n = this.slotNodes[slot];
      if (n === undefined) throw new ClusterUnavailableError(`watchRetry: no master serves slot ${slot}`);
      try {
        return await n.client.watchRetry(keys, fn, opts);
      } catch (err) {
        const r = err instanceof ReplyError ? parseRedirect(err.message, n.addr.host) : null;
        if (r === null || r.kind !== 'moved' || hop >= this.maxRedirections) throw err;
        this.stats.moved++;
        this.moved(r.slot, r.to);
      }
    }
  }

  /**
   * SCAN over every master, one after the other: each key once (unless it
   * moves during the scan). A SCAN cursor belongs to the node that gave it,
   * so every page of one master's walk goes to that master; views
   * (withAbortSignal, withBuffers, ...) come here with their options.
   */
  override async *scanKeysWith(opts: ScanIteratorOptions | undefined, send: SendOptions): AsyncGenerator<RedisString> {
    if (this.stateNow !== 'ready') await this.connect();
    for (const m of this.masterConns()) yield* scanKeys((argv) => this.sendTo(m, argv, send), opts);
  }

  /** One command to `node`, with a view's options (a signal's gate, Buffer replies), as sendArgvWith does for a routed one. */
  private sendTo(node: ClusterNodeConn, argv: Arg[], send: SendOptions): Promise<unknown> {
    const signal = send.signal;
    const buffers = send.buffers === true && this.opts.returnBuffers !== true;
    if (signal?.aborted === true) return Promise.reject(commandAborted(undefined, false, signal.reason));
    return new Promise<unknown>((res, rej) => {
      if (signal === undefined) this.issueTo(node, argv, res, rej, null, buffers);
      else {
        const gate = new SignalGate(signal, this, res, rej);
        this.issueTo(node, argv, gate.resolve, gate.reject, gate, buffers);
      }
    });
  }

  // ---- pub/sub (cluster-pubsub.ts) ----------------------------------------------

  /** SUBSCRIBE on one node of the cluster (messages reach every node); moved to another node if it leaves the map. */
  subscribe<M = string>(channels: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return this.pubsub.subscribe('channel', channels, listener as MessageListener<unknown>);
  }
  psubscribe<M = string>(patterns: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return this.pubsub.subscribe('pattern', patterns, listener as MessageListener<unknown>);
  }
  /** SSUBSCRIBE on the master of each channel's slot; follows it across failover and slot moves. */
  ssubscribe<M = string>(channels: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return this.pubsub.subscribe('shard', channels, listener as MessageListener<unknown>);
  }
  unsubscribe<M = string>(channels?: string | readonly string[], listener?: MessageListener<M>): Promise<void> {
    return this.pubsub.unsubscribe('channel', channels, listener as MessageListener<unknown> | undefined);
  }
  punsubscribe<M = string>(patterns?: string | readonly string[], listener?: MessageListener<M>): Promise<void> {
    return this.pubsub.unsubscribe('pattern', patterns, listener as MessageListener<unknown> | undefined);
  }
  sunsubscribe<M = string>(channels?: string | readonly string[], listener?: MessageListener<M>): Promise<void> {
    return this.pubsub.unsubscribe('shard', channels, listener as MessageListener<unknown> | undefined);
  }

  /** A client for pub/sub on `a` (not a command node: RESP2 subscribed mode takes no other command). */
  pubsubClient(a: NodeAddress): RedisClient {
    const { rootNodes: _r, useReplicas: _u, maxRedirections: _m, topologyRefreshInterval: _t, retryDeadline: _d, busyPollMicros: _b, ...clientOpts } = this.opts;
    return new RedisClient({ ...clientOpts, url: `${this.nodeUrlPrefix}${a.host}:${a.port}`, reactor: this.reactor!, reconnect: { retries: 5 } });
  }

  // ---- closing -----------------------------------------------------------------

  /** Sends QUIT to every node after its pending replies; commands not yet sent are rejected. */
  quit(): Promise<'OK'> {
    return this.closeAll(true, new ClientClosedError('the cluster client quit; command not sent')).then(() => 'OK' as const);
  }

  /** Drops every node connection now; pending commands are rejected (they may have run). */
  disconnect(): Promise<void> {
    return this.closeAll(false, new ClientClosedError('the cluster client disconnected; command not sent'));
  }

  // Not named shutdown: that is the SHUTDOWN command's method (commands.ts).
  private async closeAll(polite: boolean, err: Error): Promise<void> {
    if (this.stateNow === 'closed') return;
    this.stateNow = 'closing';
    if (this.refreshTimer !== 0) this.reactor?.delTimer(this.refreshTimer);
    this.refreshTimer = 0;
    if (this.lostTimer !== 0) this.reactor?.delTimer(this.lostTimer);
    this.lostTimer = 0;
    this.lost.clear();
    const held = this.held;
    this.held = [];
    this.heldDead = 0;
    for (const c of held) c.ko(err);
    const ready = this.ready;
    this.ready = null;
    ready?.reject(err);
    const conns = [...this.conns.values()];
    this.conns.clear();
    await Promise.all([...conns.map((c) => c.close(polite)), this.pubsub.close(polite)]);
    // Retries scheduled meanwhile: their commands were never sent.
    for (const [id, cancel] of this.retryTimers) {
      this.reactor?.delTimer(id);
      cancel();
    }
    this.retryTimers.clear();
    this.stateNow = 'closed';
    if (this.ownsReactor && this.reactor !== null) {
      this.ownsReactor = false;
      releaseDefaultReactor(this.reactor);
    }
  }
}

/** A command issued before the first map, as `issue` was called. */
interface HeldCommand {
  argv: Arg[];
  ok: (v: unknown) => void;
  ko: (e: Error) => void;
  pinned: ClusterNodeConn | null;
  gate: SendGate | null;
  buffers: boolean;
}

function info(a: NodeAddress, role: 'master' | 'replica', conn: ClusterNodeConn): ClusterNodeInfo {
  return { host: a.host, port: a.port, id: a.id, role, client: conn.client };
}

/** A cluster client; `await cluster.connect()` (commands issued before it wait for the map). */
export function createCluster(opts: ClusterOptions): RedisCluster {
  return new RedisCluster(opts);
}
