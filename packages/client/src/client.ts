/**
 * RedisClient: the promise API over the hiredis callback layer.
 *
 * It owns at most one `RedisAsyncContext` at a time (a link, link.ts), asks
 * it for native JS replies, and turns each command's callback into a promise.
 * What the client adds over the context is the life around the link:
 *
 *   idle ──connect()──▶ connecting ──up──▶ ready ──link lost──▶ reconnecting ─┐
 *                           │                 │                   ▲  (backoff) │
 *                           └──failed─────────┴──(no retry left)──┴─▶ closed ◀─┘
 *   ready ──quit()──▶ closing ──▶ closed          any ──disconnect()──▶ closed
 *
 * "up" is the whole of it — TCP, the handshake and the ready check — and
 * `connectTimeout` bounds it all. Commands issued while there is no usable
 * link wait in a bounded offline queue and are sent, once, when a link
 * comes up; a pipeline waits there whole, as one entry (one issued while
 * idle also starts the connect: autoConnect). A command handed to
 * a link is "in flight": if the link dies before its reply, nobody can tell
 * whether Redis ran it, so it is rejected with ConnectionError (mayHaveRun)
 * rather than sent again (unless `resendOnReconnect`; batches never are).
 * `commandTimeout` counts from when a command is issued, wherever it waits;
 * a command past it is rejected but keeps its place in the reply FIFO, its
 * late reply dropped (deadline.ts). Every promise settles exactly once: the
 * context calls each callback exactly once, settlers ignore what comes after
 * a deadline, and commands the client still holds itself (offline queue,
 * resend list) are settled when they leave it.
 */
import { PushFrame, ReplyError, VerbatimString, type CommandArgument } from '@reactor-ts/resp';
import type { ClientTlsOptions, Reactor } from '@reactor-ts/reactor';
import {
  REDIS_OK,
  redisAsyncConnectWithOptions,
  redisAsyncDisconnect,
  redisAsyncFree,
  redisAsyncSetConnectCallback,
  redisAsyncSetDisconnectCallback,
  redisAsyncSetPushCallback,
  redisAttach,
  type RedisAsyncContext,
  type RedisAsyncOptions,
} from '@reactor-ts/hiredis-adapter';
import { prefixKeys } from '@reactor-ts/commands';
import { CommandMethods, type SendOptions } from './commands.js';
import { OptionSettler, commandAborted, watchOf, type HeldCount } from './abort.js';
import { mapBatchReplies, mapReply, type ReplyMapping } from './reply-mapping.js';
import { Pipeline, Transaction, type BatchOptions } from './pipeline.js';
import {
  captured,
  captureResolvers,
  HeldBatch,
  NO_ARGS,
  PromiseSettler,
  TimedSettler,
  type Batch,
  type Expiring,
  type Settler,
} from './settle.js';
import { DedicatedLane, watchRetryOn, type WatchRetryOptions } from './watch.js';
import { backoffDelay, resolveReconnect, type ReconnectOnError, type ReconnectPolicy, type RetryStrategy } from './backoff.js';
import { Deadlines } from './deadline.js';
import { acquireDefaultReactor, releaseDefaultReactor } from './default-reactor.js';
import { ClientClosedError, CommandRefusedError, ConnectionError, OfflineQueueFullError, TimeoutError } from './errors.js';
import { ContextLink, handledRejection, type ClientState, type Link, type LinkHook, type LinkOwner, type LinkSource } from './link.js';
import { batchRefusal, closedBecause, commandNotSent, linkFailure, refusedByClient } from './link-errors.js';
import { openMonitor, type Monitor, type MonitorListener } from './monitor.js';
import { subscribeIn, unsubscribeIn, type MessageListener } from './pubsub.js';
import { BoundedQueue } from './queue.js';
import { describeEndpoint, linkTls, parseRedisUrl, tlsFor, type RedisEndpoint } from './url.js';

/** Options of `createClient`. */
export interface ClientOptions {
  /** `redis://[user[:password]@]host[:port][/db]` or `redis+unix:///path?db=N`; default redis://127.0.0.1:6379. */
  url?: string;
  /** Run on this reactor; default: a shared one started on demand (see default-reactor.ts). */
  reactor?: Reactor;
  /** 3 sends `HELLO 3`: maps, sets, doubles, booleans arrive as Map, Set, number, boolean. Default 2. */
  protocol?: 2 | 3;
  /**
   * Reconnect after a lost link: `true` for the default policy (first
   * attempt at once, then jittered backoff capped at 2 s, forever), or a
   * policy (`{ retries: 10 }` bounds it). Default off, unless
   * `retryStrategy` is given.
   */
  reconnect?: boolean | Partial<ReconnectPolicy>;
  /** ioredis's hook: the delay before each reconnect attempt, or false to give up; replaces the policy. */
  retryStrategy?: RetryStrategy;
  /** ioredis's hook: true for an error reply that should reopen the link (READONLY after a failover); needs reconnect on. */
  reconnectOnError?: ReconnectOnError;
  /** Deadline of each connect attempt — TCP, handshake and ready check — ms. Default 10,000. */
  connectTimeout?: number;
  /**
   * Deadline of each command, ms, counted from when it is issued (waiting
   * for a link included). On expiry the promise rejects with TimeoutError;
   * a command already written keeps its place and its late reply is
   * dropped, so the link and the commands behind it carry on. Default none.
   */
  commandTimeout?: number;
  /** Close the link when a written command times out (fails everything in flight on it). Default false. */
  closeOnTimeout?: boolean;
  /** Most commands waiting for a link; past it commands fail with OfflineQueueFullError. Default 100,000. */
  offlineQueueLimit?: number;
  /** Re-send commands that were in flight when the link dropped (they may run twice). Default false. */
  resendOnReconnect?: boolean;
  /** Strings as Buffers instead of UTF-8 decoded strings. Default false (per command: `withBuffers()`). */
  returnBuffers?: boolean;
  /**
   * Put before every key of every command this client sends (its typed
   * methods, `command()`, pipelines, transactions, scripts), found by the
   * command table's key specs: EVAL's and FCALL's KEYS and every key of
   * MSET, DEL, XREAD, ... too; arguments that are not keys are left alone.
   * Keys in replies (SCAN, KEYS, BLPOP) come back as stored, prefix
   * included, and SCAN's MATCH pattern is not prefixed. The same as
   * `withKeyPrefix(prefix)` on a client without one; `duplicate()` keeps it.
   */
  keyPrefix?: string | Buffer;
  /**
   * A command issued while the client is idle (before `connect()`) opens
   * the connection, as ioredis does by default: `createClient().get(k)`
   * just works. The connect starts in a microtask, so commands issued in
   * the same synchronous run queue up together, and a `quit()` or
   * `disconnect()` in that run still closes the client unconnected. A
   * failed connect rejects the commands that waited for it (a reconnect
   * policy retries first). false: commands wait until `connect()`. Default
   * true.
   */
  autoConnect?: boolean;
  /**
   * Maps and sets in one form for every command of this client, under RESP2
   * and RESP3 alike (as `withReplyMapping(mapping)` does per view):
   * `{ map: 'object' }` makes HGETALL a plain object, `{ set: 'array' }`
   * SMEMBERS an array. Pipelines and transactions too (EXEC's replies by
   * their queued commands). The declared return types stay the protocol's.
   * Default none.
   */
  replyMapping?: ReplyMapping;
  /** `CLIENT SETNAME` on every connect. */
  name?: string;
  /**
   * RESP3 push frames that are not pub/sub messages, e.g. the `invalidate`
   * frames of client-side caching (`CLIENT TRACKING ON`): a PushFrame.
   */
  onPush?: (frame: PushFrame) => void;
  /**
   * Before using a new link, wait until the server has loaded its dataset
   * (INFO persistence → loading:0), so queued commands are not refused with
   * LOADING after a restart. Default true; costs one round trip per connect.
   */
  readyCheck?: boolean;
  /**
   * Busy-poll window of the default reactor, µs (see the reactor's
   * `busyPollMicros`): after sending, poll without sleeping this long, so a
   * quick reply is read without a sleep and a wake-up. Lower latency for
   * commands awaited one by one, at the price of CPU spent spinning. Only
   * for the default reactor (with `reactor`, set it on that reactor; giving
   * both is a TypeError); shared, the largest window asked for applies.
   * Default 0 (off).
   */
  busyPollMicros?: number;
  /**
   * TLS (node:tls options: ca, cert, key, servername, rejectUnauthorized,
   * minVersion, ...), also turned on by a `rediss://` URL; `false` forces
   * plain TCP. A failed handshake fails the connect with a TlsError-based
   * message naming the cause (unknown CA, hostname mismatch, expired).
   */
  tls?: ClientTlsOptions | boolean;
}

export type { ClientState } from './link.js';

/**
 * Called after WATCH on a connection reserved for this call: read what you
 * need through `conn`, then return `conn.multi()` with the writes, or null to
 * give up (UNWATCH, and watchRetry resolves with null).
 */
export type WatchFn = (conn: RedisClient, attempt: number) => Promise<Transaction<unknown[]> | null> | Transaction<unknown[]> | null;

type Context = RedisAsyncContext<unknown>;

const DEFAULT_CONNECT_TIMEOUT = 10_000;
const DEFAULT_OFFLINE_LIMIT = 100_000;

export class RedisClient extends CommandMethods implements LinkSource {
  /** The parsed URL. */
  readonly endpoint: RedisEndpoint;
  private readonly opts: ClientOptions;
  private readonly policy: ReconnectPolicy | null;
  /** A lost link is followed by another attempt (a policy or a retryStrategy). */
  private readonly retrying: boolean;
  /** resendOnReconnect: keep each command's argv until its reply. */
  private readonly resendOn: boolean;
  /** Commands (and whole pipelines, HeldBatch) waiting for a link; see OfflineEntry. */
  private readonly offline = new BoundedQueue<OfflineEntry>();
  /** Commands in `offline`, a pipeline counting as its length: what offlineQueueLimit bounds. */
  private offlineCount = 0;
  private readonly offlineLimit: number;
  /** Shared by every command refused while the queue stays full (one Error, not one each). */
  private fullError: OfflineQueueFullError | null = null;
  /** commandTimeout's deadlines, or null without one. */
  private readonly deadlines: Deadlines | null;
  private readonly commandTimeout: number;
  /** The connect deadline of the link being opened (TCP + handshake + ready check). */
  private connectTimer = 0;
  /** In-flight commands to send again on the next link (resendOnReconnect only). */
  private resend: Settler[] = [];
  private stateNow: ClientState = 'idle';
  private reactor: Reactor | null = null;
  private ownsDefaultReactor = false;
  /** The link being opened, or up; null between links. */
  private current: ContextLink | null = null;
  /** Reconnect attempts since the last link was up. */
  private attempt = 0;
  private retryTimer = 0;
  /** The ready check's next poll while the server loads its dataset. */
  private readyTimer = 0;
  private ready: Deferred<void> | null = null;
  /** The dedicated connection of watchRetry, opened on first use. */
  private lane: DedicatedLane<RedisClient> | null = null;
  private readonly hooks: LinkHook[] = [];
  /** Told when a link ends by itself (not by quit/disconnect): see `onLinkLost`. */
  private readonly lostHooks: Array<(err: Error) => void> = [];
  private closed: Deferred<void> | null = null;
  /** What each link asks of this client (link.ts); one object per client. */
  private readonly owner: LinkOwner;
  /** TLS settings for every link (url.ts tlsFor); undefined: plain TCP. */
  private readonly tls: ClientTlsOptions | undefined;
  /** keyPrefix, or null. */
  private readonly prefix: string | Buffer | null;
  /** replyMapping, or null (applied to single commands by the constructor's wrapper, to batches in sendBatch). */
  private readonly mapping: ReplyMapping | null = null;
  /** A connect is scheduled by a command issued while idle (autoConnect). */
  private connectSoon = false;
  /** Where commands an abort took out of the offline queue stop being counted (abort.ts). */
  private readonly heldCount: HeldCount = { dropHeld: (n) => (this.offlineCount -= n) };

  constructor(opts: ClientOptions = {}) {
    super();
    this.opts = opts;
    this.endpoint = parseRedisUrl(opts.url ?? 'redis://127.0.0.1:6379');
    this.tls = tlsFor(this.endpoint, opts.tls);
    const prefix = opts.keyPrefix;
    if (prefix !== undefined && typeof prefix !== 'string' && !Buffer.isBuffer(prefix)) throw new TypeError('keyPrefix must be a string or a Buffer');
    this.prefix = prefix === undefined || prefix.length === 0 ? null : prefix;
    const mapping = opts.replyMapping;
    if (mapping !== undefined) {
      // Only clients with a mapping pay for it: their own sendArgv wraps the
      // class's, so the plain path of every other client is unchanged.
      const plain = this.sendArgv;
      this.sendArgv = (argv) => plain.call(this, argv).then((r) => mapReply(argv, r, mapping));
      const plainWith = this.sendArgvWith;
      this.sendArgvWith = (argv, o) => plainWith.call(this, argv, o).then((r) => mapReply(argv, r, mapping));
      this.mapping = mapping;
    }
    this.policy = resolveReconnect(opts.reconnect ?? (opts.retryStrategy !== undefined ? true : undefined));
    this.retrying = this.policy !== null || opts.retryStrategy !== undefined;
    this.resendOn = opts.resendOnReconnect === true;
    this.offlineLimit = opts.offlineQueueLimit ?? DEFAULT_OFFLINE_LIMIT;
    if (!(this.offlineLimit >= 0)) throw new RangeError(`offlineQueueLimit must be >= 0, got ${this.offlineLimit}`);
    this.commandTimeout = opts.commandTimeout !== undefined && opts.commandTimeout > 0 && Number.isFinite(opts.commandTimeout) ? opts.commandTimeout : 0;
    this.deadlines = this.commandTimeout > 0 ? new Deadlines((item, sweep) => this.onDeadline(item, sweep)) : null;
    const onReplyError = opts.reconnectOnError;
    this.owner = {
      failure: (ac) => this.inFlightError(ac),
      refusal: (ac) => commandNotSent(ac, this.where()),
      lost: (s, err) => this.failInFlight(s, err),
      replyError: onReplyError === undefined ? null : (link, err) => this.maybeReconnectOn(link, err, onReplyError),
    };
    if (opts.busyPollMicros !== undefined) {
      if (opts.reactor !== undefined) {
        throw new TypeError('busyPollMicros applies to the default reactor; with your own reactor, use createReactor({ busyPollMicros }) or reactor.setBusyPoll()');
      }
      if (!(opts.busyPollMicros >= 0)) throw new RangeError(`busyPollMicros must be >= 0, got ${opts.busyPollMicros}`);
    }
  }

  /** The keyPrefix option, or undefined. */
  get keyPrefix(): string | Buffer | undefined {
    return this.prefix ?? undefined;
  }

  /** Current life stage. */
  get state(): ClientState {
    return this.stateNow;
  }

  /** Commands waiting for a link (a pipeline's count as its length). */
  get offlineQueueLength(): number {
    return this.offlineCount;
  }

  /**
   * The link while the client is ready, else null: commands sent on it go
   * out now, on this connection only (see Link). For features that ride on
   * every link, with `onLink`; ordinary commands go through `command()`.
   */
  get link(): Link | null {
    return this.stateNow === 'ready' ? this.current : null;
  }

  /** The hooks registered with `onLink`, in the order they run. */
  get linkHooks(): readonly LinkHook[] {
    return this.hooks;
  }

  /**
   * Runs `hook` with every link opened from now on, once its handshake and
   * ready check are done and before the commands held while no link was up
   * go out: pub/sub resubscribes and script preloads ride on it (pubsub.ts,
   * script.ts). Not run with a link that is already up.
   */
  onLink(hook: LinkHook): void {
    this.hooks.push(hook);
  }

  /**
   * Runs `hook` whenever a link (or an attempt to open one) ends by itself —
   * the server closed it, the network failed, a deadline passed — and not
   * because `quit()`/`disconnect()` was called. It runs before the client
   * decides whether to reconnect, so an owner that keeps a map of servers
   * (the cluster client) can re-read it at once rather than on the next
   * command. A throwing hook is ignored: it must not change the client's
   * own recovery.
   */
  onLinkLost(hook: (err: Error) => void): void {
    this.lostHooks.push(hook);
  }

  /** Commands sent and not yet answered. */
  get inFlight(): number {
    return this.current === null ? 0 : this.current.ac.pending;
  }

  /**
   * Opens the connection; resolves once it is usable (handshake done). With
   * `reconnect`, failed attempts are retried per the policy before the
   * promise rejects. Calling it again returns the same wait.
   */
  connect(): Promise<this> {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') {
      return Promise.reject(new ClientClosedError(`connect() on a closed client (${this.where()})`));
    }
    if (this.stateNow === 'ready') return Promise.resolve(this);
    if (this.ready === null) this.ready = deferred<void>();
    if (this.stateNow === 'idle') {
      this.stateNow = 'connecting';
      if (this.opts.reactor !== undefined) {
        this.reactor = this.opts.reactor;
      } else {
        this.reactor = acquireDefaultReactor(this.opts.busyPollMicros);
        this.ownsDefaultReactor = true;
      }
      this.openLink();
    }
    return this.ready.promise.then(() => this);
  }

  /**
   * `command()` with the arguments as one array; every shorthand ends here.
   * MULTI, MONITOR and (un)subscribe commands are refused
   * (CommandRefusedError): their APIs are multi(), monitor() and subscribe().
   */
  sendArgv(argv: CommandArgument[]): Promise<unknown> {
    const refused = refusedByClient(argv[0]);
    if (refused !== null) return Promise.reject(new CommandRefusedError(`command not sent to ${this.where()}: ${refused}`));
    if (this.prefix !== null) argv = prefixKeys(argv, this.prefix);
    const timeout = this.commandTimeout;
    if (timeout === 0) {
      // Fast path: straight onto the link, its promise settled by the link
      // with no record around it (link.ts). A command that may be re-sent
      // keeps a settler with its argv.
      if (this.stateNow === 'ready' && !this.resendOn) return this.current!.sendArgv(argv);
      const promise = new Promise<unknown>(captureResolvers);
      const { resolve, reject } = captured;
      if (this.resendOn || this.stateNow === 'ready') this.enqueue(new PromiseSettler(argv, resolve, reject));
      else this.holdLight(argv, resolve);
      if (this.stateNow === 'idle') this.autoConnect();
      return promise;
    }
    const promise = new Promise<unknown>(captureResolvers);
    const { resolve, reject } = captured;
    const s = new TimedSettler(argv, Date.now() + timeout, resolve, reject);
    this.deadlines!.add(s);
    this.enqueue(s);
    if (this.stateNow === 'idle') this.autoConnect();
    return promise;
  }

  /**
   * `sendArgv` with per-command options (withAbortSignal, withBuffers; see
   * abort.ts and commands.ts). Its own path, so a command without options
   * pays nothing for them: here each command is a settler (OptionSettler)
   * that its signal's watch can reach, whichever queue it waits in.
   */
  override sendArgvWith(argv: CommandArgument[], opts: SendOptions): Promise<unknown> {
    const signal = opts.signal;
    const buffers = opts.buffers === true && this.opts.returnBuffers !== true;
    if (signal === undefined && !buffers) return this.sendArgv(argv);
    if (signal?.aborted === true) return Promise.reject(commandAborted(this.where(), false, signal.reason));
    const refused = refusedByClient(argv[0]);
    if (refused !== null) return Promise.reject(new CommandRefusedError(`command not sent to ${this.where()}: ${refused}`));
    if (this.prefix !== null) argv = prefixKeys(argv, this.prefix);
    const promise = new Promise<unknown>(captureResolvers);
    const { resolve, reject } = captured;
    const timeout = this.commandTimeout;
    const s = new OptionSettler(argv, timeout > 0 ? Date.now() + timeout : Infinity, resolve, reject, buffers, signal === undefined ? null : watchOf(signal), this.where());
    if (timeout > 0) this.deadlines!.add(s);
    this.enqueue(s);
    if (!s.done && !s.sent) s.holder = this.heldCount;
    if (this.stateNow === 'idle') this.autoConnect();
    return promise;
  }

  /** autoConnect: a command issued while idle opens the link, from a microtask (see ClientOptions.autoConnect). */
  private autoConnect(): void {
    if (this.connectSoon || this.opts.autoConnect === false) return;
    this.connectSoon = true;
    queueMicrotask(() => {
      this.connectSoon = false;
      // The commands that wait for it are rejected if it fails; nobody awaits this promise.
      if (this.stateNow === 'idle') this.connect().catch(noop);
    });
  }

  /**
   * A pipeline's commands, back to back on this connection (pipeline.ts,
   * pool.ts): checked whole, then written in one pass, or held whole while
   * no link is up — or refused whole, never split. `checked`: the caller
   * ran batchRefusal on them already (a cluster pipeline, checked whole
   * before it is split per node).
   */
  sendBatch(commands: CommandArgument[][], batch: Batch, checked = false): void {
    // Settled before it got here (aborted or timed out while a pool or
    // Sentinel client held it): nobody reads its replies, so nothing is sent.
    if (batch.done) return;
    const refused = checked ? null : batchRefusal(commands);
    if (refused !== null) {
      batch.failAll(new CommandRefusedError(`pipeline not sent to ${this.where()}: ${refused}`));
      return;
    }
    // The mapping reads the commands as the methods built them (the shape each call chose), not as prefixed.
    const mapping = this.mapping;
    if (mapping !== null) {
      const asBuilt = commands;
      batch.map = (results) => mapBatchReplies(asBuilt, results, mapping);
    }
    if (this.prefix !== null) {
      const prefix = this.prefix;
      commands = commands.map((argv) => prefixKeys(argv, prefix));
    }
    if (batch.watch !== null) batch.server = this.where();
    if (this.deadlines !== null) {
      batch.deadline = Date.now() + this.commandTimeout;
      this.deadlines.add(batch);
    }
    if (this.stateNow === 'ready') {
      batch.sent = true;
      this.current!.sendBatch(commands, batch);
      return;
    }
    if (this.stateNow === 'closed' || this.stateNow === 'closing') {
      batch.failAll(new ClientClosedError(`the client is ${this.stateNow} (${this.where()}); pipeline not sent`));
      return;
    }
    if (this.offlineCount + commands.length > this.offlineLimit) {
      batch.failAll(this.queueFull());
      return;
    }
    this.offline.push(new HeldBatch(commands, batch));
    this.offlineCount += commands.length;
    if (batch.watch !== null) batch.holder = this.heldCount;
    if (this.stateNow === 'idle') this.autoConnect();
  }

  /** Collects commands for one `exec()`: one write, replies in order, errors in place. */
  pipeline(opts?: BatchOptions): Pipeline {
    return new Pipeline<[]>(this, opts);
  }

  /** MULTI … EXEC as one pipeline; safe on this shared connection because nothing can interleave. */
  multi(opts?: BatchOptions): Transaction {
    return new Transaction<[]>(this, opts);
  }

  /**
   * WATCH `keys`, run `fn` (reads, then return `conn.multi()`), EXEC; start
   * over while a watched key changed, at most `attempts` times (then
   * WatchConflictError). Runs on a connection of its own (see watch.ts for
   * what is guaranteed); concurrent calls on one client take turns on it.
   */
  watchRetry(keys: CommandArgument[], fn: WatchFn, opts?: WatchRetryOptions): Promise<unknown[] | null> {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') {
      return Promise.reject(new ClientClosedError(`watchRetry() on a closed client (${this.where()})`));
    }
    this.lane ??= new DedicatedLane<RedisClient>(() => this.duplicate());
    return this.lane.run((conn) => watchRetryOn(conn, keys, fn, opts));
  }

  // ---- pub/sub (pubsub.ts keeps the listeners and resubscribes on each link) ----

  /**
   * SUBSCRIBE: `listener(message, channel)` for every message on these
   * channels. Resolves with the server's subscription count once every new
   * channel is confirmed. Under RESP2 the connection then only takes
   * (un)subscribe commands, PING and QUIT.
   */
  subscribe<M = string>(channels: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return subscribeIn(this, 'channel', channels, listener);
  }
  /** PSUBSCRIBE: `listener(message, channel, pattern)` for messages on channels matching the glob patterns. */
  psubscribe<M = string>(patterns: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return subscribeIn(this, 'pattern', patterns, listener);
  }
  /** SSUBSCRIBE (Redis 7 shard channels). */
  ssubscribe<M = string>(channels: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return subscribeIn(this, 'shard', channels, listener);
  }
  /**
   * Removes `listener` (or every listener) from the channels (or from all);
   * a channel left without listeners is UNSUBSCRIBEd. Resolves with the
   * count the server reports (0: RESP2 subscribed mode is over).
   */
  unsubscribe<M = string>(channels?: string | readonly string[], listener?: MessageListener<M>): Promise<number> {
    return unsubscribeIn(this, 'channel', channels, listener);
  }
  punsubscribe<M = string>(patterns?: string | readonly string[], listener?: MessageListener<M>): Promise<number> {
    return unsubscribeIn(this, 'pattern', patterns, listener);
  }
  sunsubscribe<M = string>(channels?: string | readonly string[], listener?: MessageListener<M>): Promise<number> {
    return unsubscribeIn(this, 'shard', channels, listener);
  }

  /**
   * MONITOR on a connection of its own: `listener(line)` for every command
   * the server runs. Resolves once the server confirmed; `stop()` closes
   * that connection, `closed` resolves when it ends (null after stop(), else
   * the error). (`command('MONITOR')` is refused: on the shared connection
   * it would end every other command's replies.)
   */
  monitor(listener: MonitorListener): Promise<Monitor> {
    return openMonitor(
      this.duplicate({ reconnect: false, retryStrategy: undefined, reconnectOnError: undefined, commandTimeout: undefined }),
      listener,
    );
  }

  /** A new, unconnected client with the same options (and reactor). */
  duplicate(overrides: ClientOptions = {}): RedisClient {
    return new RedisClient({ ...this.opts, ...overrides });
  }

  /**
   * Polite close: sends QUIT after everything already issued, lets every
   * pending reply arrive, then closes. Commands still waiting for a link are
   * rejected (ClientClosedError) unless one is being opened, in which case
   * they are sent first.
   */
  quit(): Promise<'OK'> {
    if (this.closed === null) this.closed = deferred<void>();
    void this.lane?.close(true);
    const done = this.closed.promise.then(() => 'OK' as const);
    switch (this.stateNow) {
      case 'ready':
        this.stateNow = 'closing';
        this.beginQuit();
        break;
      case 'connecting':
        // A link is being opened: QUIT waits in line behind the queue.
        this.stateNow = 'closing';
        break;
      case 'idle':
      case 'reconnecting':
        if (this.current === null) this.finish(new ClientClosedError(`client quit before a connection to ${this.where()} was up; the command was not sent`));
        else this.stateNow = 'closing';
        break;
      case 'closing':
      case 'closed':
        break;
    }
    return done;
  }

  /**
   * Immediate close: the link is dropped at once; every pending command is
   * rejected with ConnectionError (code ERR_DISCONNECTED) and was possibly
   * not run.
   */
  disconnect(): Promise<void> {
    if (this.closed === null) this.closed = deferred<void>();
    void this.lane?.close(false);
    if (this.stateNow !== 'closed') {
      const err = new ConnectionError(`disconnected by the client (${this.where()}); the command may not have run`, 'ERR_DISCONNECTED');
      this.stateNow = 'closed';
      const link = this.current;
      this.current = null;
      // Freeing calls every pending callback with a null reply; the link's
      // settle() then asks inFlightError, which sees state 'closed', and
      // rejects each with a ConnectionError.
      if (link !== null) redisAsyncFree(link.ac);
      this.finish(err);
    }
    return this.closed.promise;
  }

  // ---- links --------------------------------------------------------------

  private openLink(): void {
    const ep = this.endpoint;
    const ms = this.opts.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    const o: RedisAsyncOptions = {
      replies: 'native',
      stringMode: this.opts.returnBuffers === true ? 'buffer' : 'string',
      protocol: this.opts.protocol ?? 2,
    };
    if (ep.path !== undefined) o.path = ep.path;
    else {
      o.host = ep.host!;
      o.port = ep.port!;
    }
    if (ep.password !== undefined) o.password = ep.password;
    if (ep.username !== undefined) o.username = ep.username;
    if (ep.db !== undefined) o.db = ep.db;
    if (this.opts.name !== undefined) o.name = this.opts.name;
    // The ready check's INFO already proves the server answers, and the
    // timer below bounds TCP, handshake and INFO alike; the context's own
    // deadline would add its PING probe, one more round trip per connect.
    if (this.opts.readyCheck === false) o.connectTimeout = ms;
    if (this.tls !== undefined) o.ssl = linkTls(this.tls, ms);

    const ac = redisAsyncConnectWithOptions(o) as Context;
    const link = new ContextLink(ac, this.owner);
    this.current = link;
    // The context's own connectTimeout ends at its handshake; this one also
    // covers the ready check (INFO), which a server that accepts and never
    // answers would otherwise hold forever.
    this.connectTimer = this.reactor!.addTimer(ms, () => {
      this.connectTimer = 0;
      if (this.current === link) {
        link.abort(new TimeoutError(`connecting to ${this.where()} timed out after ${ms} ms (TCP, handshake and ready check)`, ms, false));
      }
    });
    // Callbacks before attaching, as in hiredis: attach may fail at once.
    redisAsyncSetConnectCallback(ac, (_c, status) => {
      if (status === REDIS_OK) this.linkUp(link);
      else this.linkDown(link);
    });
    redisAsyncSetDisconnectCallback(ac, () => this.linkDown(link));
    const onPush = this.opts.onPush;
    if (onPush !== undefined) {
      redisAsyncSetPushCallback(ac, (_c, reply) => {
        if (reply instanceof PushFrame) onPush(reply);
      });
    }
    if (ac.err !== 0 || redisAttach(this.reactor!, ac) !== REDIS_OK) {
      this.linkDown(link);
      redisAsyncFree(ac);
    }
  }

  private linkUp(link: ContextLink): void {
    if (link !== this.current) return;
    if (this.opts.readyCheck === false) this.goLive(link);
    else this.checkReady(link);
  }

  /**
   * The ready check (as ioredis's): a server restarted from a snapshot or
   * AOF accepts connections while still loading its dataset and refuses
   * most commands with LOADING meanwhile. So before the queue is flushed,
   * INFO persistence (allowed during loading) is asked until `loading:0`,
   * polling at most every second; queued commands keep waiting, in order.
   */
  private checkReady(link: ContextLink): void {
    link.sendArgv(['INFO', 'persistence']).then(
      (reply) => {
        if (link !== this.current || reply === null) return; // that link is gone: linkDown decides
        // RESP3 answers INFO with a verbatim string.
        const info = reply instanceof VerbatimString ? reply.value : reply;
        const text = typeof info === 'string' ? info : Buffer.isBuffer(info) ? info.toString('latin1') : '';
        if (!/^loading:1\r?$/m.test(text)) {
          this.goLive(link);
          return;
        }
        const eta = Number(/^loading_eta_seconds:(\d+)/m.exec(text)?.[1] ?? 1);
        const delay = Math.min(1000, Math.max(20, eta * 1000));
        this.readyTimer = this.reactor!.addTimer(delay, () => {
          this.readyTimer = 0;
          if (this.current === link) this.checkReady(link);
        });
      },
      (err: unknown) => {
        // A server that refuses INFO (an ACL) is not loading anything we
        // could see: go on. Any other failure means the link is going
        // away, or already gone: linkDown decides.
        if (err instanceof ReplyError && link === this.current) this.goLive(link);
      },
    );
  }

  /** The link is usable: hooks, then resent and queued commands, in order. */
  private goLive(link: ContextLink): void {
    this.attempt = 0;
    this.stopConnectTimer();
    const quitting = this.stateNow === 'closing';
    if (!quitting) this.stateNow = 'ready';
    if (!quitting) for (const hook of this.hooks) hook(link);
    // Resent commands first: they were issued before anything in the queue.
    const resend = this.resend;
    this.resend = [];
    for (const p of resend) if ((p as Partial<Expiring>).done !== true) this.submit(p);
    for (let p = this.offline.shift(); p !== undefined; p = this.offline.shift()) {
      if (Array.isArray(p)) {
        this.offlineCount--;
        link.sendWith(p, this.offline.shift() as (value: unknown) => void);
      } else {
        // Never a resolve function here: those follow their argv, shifted above.
        p = p as Settler;
        this.offlineCount -= heldCount(p);
        if (p instanceof HeldBatch) {
          if (p.done) continue; // its deadline passed, or its signal fired, while it waited
          p.batch.sent = true;
          link.sendBatch(p.commands, p.batch);
        } else if ((p as Partial<Expiring>).done !== true) this.submit(p);
      }
    }
    this.fullError = null;
    if (quitting) this.beginQuit();
    const ready = this.ready;
    this.ready = null;
    ready?.resolve();
  }

  /** `link` is gone (failed to open, dropped, or closed by quit). Idempotent per link. */
  private linkDown(link: ContextLink): void {
    if (link !== this.current) return;
    this.current = null;
    this.stopConnectTimer();
    const ac = link.ac;
    if (this.readyTimer !== 0) {
      this.reactor?.delTimer(this.readyTimer);
      this.readyTimer = 0;
    }
    if (this.stateNow === 'closed') return;
    if (this.stateNow === 'closing' && ac.err === 0) {
      this.finish(new ClientClosedError(`client quit (${this.where()})`));
      return;
    }
    const err = link.abortedWith ?? this.linkError(ac);
    if (this.stateNow !== 'closing') {
      for (const hook of this.lostHooks) {
        try {
          hook(err);
        } catch {
          // see onLinkLost: the client's recovery does not depend on its hooks
        }
      }
    }
    const fatal = err instanceof ConnectionError && err.code === 'ERR_AUTH';
    const delay = this.retrying && !fatal && this.stateNow !== 'closing' ? this.retryDelay(err) : false;
    if (delay !== false) {
      this.stateNow = 'reconnecting';
      this.attempt++;
      this.retryTimer = this.reactor!.addTimer(delay, () => {
        this.retryTimer = 0;
        if (this.stateNow === 'reconnecting') this.openLink();
      });
      return;
    }
    this.finish(err);
  }

  /**
   * The wait before the next attempt, or false to give up. An attempt that
   * failed by its connect deadline is retried at once: it has waited that
   * long already, and against a network that drops packets, an attempt
   * always pending is what makes the client usable the moment it heals.
   */
  private retryDelay(err: Error): number | false {
    const strategy = this.opts.retryStrategy;
    if (strategy !== undefined) {
      let d: number | false;
      try {
        d = strategy(this.attempt, err);
      } catch {
        return false;
      }
      return typeof d === 'number' && d >= 0 ? Math.min(d, 2 ** 31 - 1) : false;
    }
    const p = this.policy!;
    if (this.attempt >= p.retries) return false;
    if (err instanceof TimeoutError) return 0;
    return backoffDelay(p, this.attempt);
  }

  private stopConnectTimer(): void {
    if (this.connectTimer !== 0) {
      this.reactor?.delTimer(this.connectTimer);
      this.connectTimer = 0;
    }
  }

  /** reconnectOnError: an error reply the hook picks closes the link it came on; linkDown reopens one. */
  private maybeReconnectOn(link: ContextLink, err: ReplyError, hook: ReconnectOnError): void {
    // Without reconnect, closing the link would close the client for good.
    if (link !== this.current || this.stateNow !== 'ready' || !this.retrying) return;
    let yes = false;
    try {
      yes = hook(err);
    } catch {
      yes = false;
    }
    if (!yes) return;
    link.abort(new ConnectionError(`${this.where()} answered "${err.message}": reconnecting (reconnectOnError); the command may have run`, 'ERR_RECONNECT'));
  }

  /**
   * A deadline passed (deadline.ts). Written: the command may have run; it
   * stays in the reply FIFO and its late reply is dropped (or, with
   * closeOnTimeout, the link closes). Not written yet: it is dropped from
   * the offline queue when it reaches its head. One Error per sweep and
   * kind, shared, as for a lost link.
   */
  private onDeadline(item: Expiring, sweep: number): void {
    const ms = this.commandTimeout;
    if (item.sent) {
      if (this.sentTimeout === null || this.sentTimeoutSweep !== sweep) {
        this.sentTimeout = new TimeoutError(`command to ${this.where()} timed out after ${ms} ms; it may have run (its late reply will be dropped)`, ms, true);
        this.sentTimeoutSweep = sweep;
      }
      item.expire(this.sentTimeout);
      if (this.opts.closeOnTimeout === true && this.current !== null && this.stateNow === 'ready') this.current.abort(this.sentTimeout);
      return;
    }
    if (this.heldTimeout === null || this.heldTimeoutSweep !== sweep) {
      this.heldTimeout = new TimeoutError(`command timed out after ${ms} ms waiting for a connection to ${this.where()}; it was not sent`, ms, false);
      this.heldTimeoutSweep = sweep;
    }
    item.expire(this.heldTimeout);
    // Expired entries leave the offline queue from its head (deadlines come
    // in queue order), so the queue's room comes back without a scan.
    for (let h = this.offline.peek(); h !== undefined && (h as Partial<Expiring>).done === true; h = this.offline.peek()) {
      this.offline.shift();
      this.offlineCount -= heldCount(h as Settler);
    }
  }

  private sentTimeout: TimeoutError | null = null;
  private sentTimeoutSweep = 0;
  private heldTimeout: TimeoutError | null = null;
  private heldTimeoutSweep = 0;

  private beginQuit(): void {
    const link = this.current!;
    this.submit(new PromiseSettler(['QUIT'], noop, noop));
    redisAsyncDisconnect(link.ac);
  }

  /** Enters 'closed': settles everything the client still holds with `err`. */
  private finish(err: Error): void {
    this.stateNow = 'closed';
    if (this.readyTimer !== 0) {
      this.reactor?.delTimer(this.readyTimer);
      this.readyTimer = 0;
    }
    if (this.retryTimer !== 0) {
      this.reactor?.delTimer(this.retryTimer);
      this.retryTimer = 0;
    }
    this.stopConnectTimer();
    const held = [...this.resend, ...this.offline.drain()];
    this.offlineCount = 0;
    this.fullError = null;
    this.resend = [];
    const why = err instanceof ClientClosedError ? err : closedBecause(err, this.where());
    for (const p of held) {
      if (Array.isArray(p)) continue; // the argv of the resolve function that follows
      if (typeof p === 'function') p(handledRejection(why));
      else p.reject(why);
    }
    const ready = this.ready;
    this.ready = null;
    ready?.reject(err);
    // In-flight commands were settled by their link; what the FIFO still
    // tracks is settled or about to be by the link being freed.
    this.deadlines?.clear();
    if (this.closed === null) this.closed = deferred<void>();
    this.closed.resolve();
    if (this.ownsDefaultReactor && this.reactor !== null) {
      this.ownsDefaultReactor = false;
      releaseDefaultReactor(this.reactor);
    }
  }

  // ---- commands -----------------------------------------------------------

  /** Sends `p.argv` now if the link is up, else holds it in the offline queue; `p` is settled exactly once either way. */
  private enqueue(p: Settler): void {
    if (this.stateNow === 'ready') this.submit(p);
    else this.hold(p);
  }

  private submit(p: Settler): void {
    if (!this.current!.submit(p, p instanceof OptionSettler && p.buffers)) return;
    if (p instanceof TimedSettler) {
      p.sent = true;
      if (!this.resendOn) p.argv = NO_ARGS;
    } else if (!this.resendOn && p instanceof PromiseSettler) p.argv = NO_ARGS;
  }

  private hold(p: Settler): void {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') {
      p.reject(new ClientClosedError(`the client is ${this.stateNow} (${this.where()}); command not sent`));
      return;
    }
    if (this.offlineCount >= this.offlineLimit) {
      p.reject(this.queueFull());
      return;
    }
    this.offline.push(p);
    this.offlineCount++;
  }

  /**
   * Holds a plain command as two slots of the offline queue, its argv and
   * its promise's resolve function, with no record around them: what a
   * waiting command costs is what an outage multiplies (100,000 queued). A
   * rejection goes through resolve as a rejected promise (link.ts).
   */
  private holdLight(argv: CommandArgument[], resolve: (value: unknown) => void): void {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') {
      resolve(handledRejection(new ClientClosedError(`the client is ${this.stateNow} (${this.where()}); command not sent`)));
      return;
    }
    if (this.offlineCount >= this.offlineLimit) {
      resolve(handledRejection(this.queueFull()));
      return;
    }
    this.offline.push(argv);
    this.offline.push(resolve);
    this.offlineCount++;
  }

  /** The error for commands refused by a full offline queue: one instance until the queue drains. */
  private queueFull(): OfflineQueueFullError {
    this.fullError ??= new OfflineQueueFullError(this.offlineLimit);
    return this.fullError;
  }

  /** A command the client held was handed to a link that failed with `err` before its reply. */
  private failInFlight(p: Settler, err: Error): void {
    const willRetry = this.stateNow !== 'closed' && this.retrying && this.stateNow !== 'closing' && !(err instanceof TimeoutError);
    if (willRetry && this.resendOn) this.resend.push(p);
    else p.reject(err);
  }

  /** The error for commands in flight on a failed `ac` (the link asks once, and shares it between them). */
  private inFlightError(ac: Context): Error {
    return this.stateNow === 'closed'
      ? new ConnectionError(`disconnected by the client (${this.where()}); the command may have run`, 'ERR_DISCONNECTED')
      : this.linkError(ac);
  }

  /** The typed error for a context's failure, with a message naming the server. */
  private linkError(ac: Context): Error {
    return linkFailure(ac, this.where(), {
      ready: this.stateNow === 'ready',
      commandTimeout: this.opts.commandTimeout ?? 0,
      connectTimeout: this.opts.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    });
  }

  /** The endpoint, as tracing and error messages name it (never a password). */
  override describeServer(): string {
    return this.where();
  }

  private where(): string {
    return describeEndpoint(this.endpoint);
  }
}

function noop(): void {}

/**
 * What an entry of the offline queue counts against offlineQueueLimit: a
 * pipeline its length, a command 1, and nothing once an abort took it out
 * (abort.ts: it stays in the ring until it reaches the head).
 */
function heldCount(p: Settler): number {
  if (p instanceof HeldBatch) return p.batch.uncounted ? 0 : p.commands.length;
  return p instanceof OptionSettler && p.uncounted ? 0 : 1;
}

/**
 * One slot of the offline queue: a Settler (a timed or re-sendable command,
 * a HeldBatch), or a plain command as two slots, its argv (an array) then
 * its promise's resolve function (see holdLight).
 */
type OfflineEntry = Settler | CommandArgument[] | ((value: unknown) => void);

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (err: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits (connect() never called) must not crash the process.
  promise.catch(noop);
  return { promise, resolve, reject };
}

/** A client for `opts.url`: `await client.connect()`, or just issue commands (the first one connects, see autoConnect). */
export function createClient(opts: ClientOptions = {}): RedisClient {
  return new RedisClient(opts);
}
