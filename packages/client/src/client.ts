/**
 * RedisClient: the promise API over the hiredis callback layer.
 *
 * It owns at most one `RedisAsyncContext` at a time (a "link"), asks it for
 * native JS replies, and turns each command's callback into a promise. What
 * the client adds over the context is the life around the link:
 *
 *   idle ──connect()──▶ connecting ──up──▶ ready ──link lost──▶ reconnecting ─┐
 *                           │                 │                   ▲  (backoff) │
 *                           └──failed─────────┴──(no retry left)──┴─▶ closed ◀─┘
 *   ready ──quit()──▶ closing ──▶ closed          any ──disconnect()──▶ closed
 *
 * Commands issued while there is no usable link wait in a bounded offline
 * queue and are sent, once, when a link comes up. A command handed to a link
 * is "in flight": if the link dies before its reply, nobody can tell whether
 * Redis ran it, so it is rejected with ConnectionError rather than sent again
 * (unless `resendOnReconnect`). Every promise settles exactly once: the
 * context calls each callback exactly once, and commands the client still
 * holds itself (offline queue, resend list) are settled when they leave it.
 */
import type { CommandArgument } from '@reactor-ts/resp';
import { PushFrame, ReplyError } from '@reactor-ts/resp';
import type { Reactor } from '@reactor-ts/reactor';
import {
  REDIS_ERR,
  REDIS_OK,
  redisAsyncCommandArgv,
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
import { CommandMethods } from './commands.js';
import { Pipeline, Transaction } from './pipeline.js';
import { NO_ARGS, PromiseSettler, type Batch, type Settler } from './settle.js';
import { DedicatedLane, watchRetryOn, type WatchFn, type WatchRetryOptions } from './watch.js';
import { backoffDelay, resolveReconnect, type ReconnectPolicy } from './backoff.js';
import { acquireDefaultReactor, releaseDefaultReactor } from './default-reactor.js';
import { ClientClosedError, ConnectionError, OfflineQueueFullError, TimeoutError } from './errors.js';
import { closedBecause, commandNotSent, linkFailure } from './link-errors.js';
import { subscribeIn, unsubscribeIn, type MessageListener } from './pubsub.js';
import { BoundedQueue } from './queue.js';
import { describeEndpoint, parseRedisUrl, type RedisEndpoint } from './url.js';

/** Options of `createClient`. */
export interface ClientOptions {
  /** `redis://[user[:password]@]host[:port][/db]` or `redis+unix:///path?db=N`; default redis://127.0.0.1:6379. */
  url?: string;
  /** Run on this reactor; default: a shared one started on demand (see default-reactor.ts). */
  reactor?: Reactor;
  /** 3 sends `HELLO 3`: maps, sets, doubles, booleans arrive as Map, Set, number, boolean. Default 2. */
  protocol?: 2 | 3;
  /** Reconnect after a lost link: `true` for the defaults, or a policy. Default off. */
  reconnect?: boolean | Partial<ReconnectPolicy>;
  /** Deadline of each connect attempt (TCP + handshake), ms. Default 10,000. */
  connectTimeout?: number;
  /** Deadline of each command, ms; on expiry the link is closed (reply order is lost). Default none. */
  commandTimeout?: number;
  /** Most commands waiting for a link; past it commands fail with OfflineQueueFullError. Default 100,000. */
  offlineQueueLimit?: number;
  /** Re-send commands that were in flight when the link dropped (they may run twice). Default false. */
  resendOnReconnect?: boolean;
  /** Strings as Buffers instead of UTF-8 decoded strings. Default false. */
  returnBuffers?: boolean;
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
}

/** Where the client is in its life; see the diagram at the top of this file. */
export type ClientState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed';


type Context = RedisAsyncContext<unknown>;

const DEFAULT_CONNECT_TIMEOUT = 10_000;
const DEFAULT_OFFLINE_LIMIT = 100_000;

export class RedisClient extends CommandMethods {
  /** The parsed URL. */
  readonly endpoint: RedisEndpoint;
  private readonly opts: ClientOptions;
  private readonly policy: ReconnectPolicy | null;
  /** resendOnReconnect: keep each command's argv until its reply. */
  private readonly resendOn: boolean;
  private readonly offline: BoundedQueue<Settler>;
  /** In-flight commands to send again on the next link (resendOnReconnect only). */
  private resend: Settler[] = [];
  private stateNow: ClientState = 'idle';
  private reactor: Reactor | null = null;
  private ownsDefaultReactor = false;
  private ac: Context | null = null;
  /** Reconnect attempts since the last link was up. */
  private attempt = 0;
  private retryTimer = 0;
  /** The ready check's next poll while the server loads its dataset. */
  private readyTimer = 0;
  private ready: Deferred<void> | null = null;
  /** The dedicated connection of watchRetry, opened on first use. */
  private lane: DedicatedLane | null = null;
  /**
   * Run with each new link once its handshake is done, before queued commands
   * go out: pub/sub resubscribes and script preloads ride on it (pubsub.ts, script.ts).
   * @internal
   */
  readonly linkHooks: Array<(ac: Context) => void> = [];
  private closed: Deferred<void> | null = null;
  /** The reply callback given to the context; one closure per client, not per command. */
  private readonly onReply: (ac: Context, reply: unknown, privdata: unknown) => void;
  /** The link whose failure `failedWith` describes (see inFlightError). */
  private failedLink: Context | null = null;
  private failedWith: Error | null = null;

  constructor(opts: ClientOptions = {}) {
    super();
    this.opts = opts;
    this.endpoint = parseRedisUrl(opts.url ?? 'redis://127.0.0.1:6379');
    this.policy = resolveReconnect(opts.reconnect);
    this.resendOn = opts.resendOnReconnect === true;
    this.offline = new BoundedQueue<Settler>(opts.offlineQueueLimit ?? DEFAULT_OFFLINE_LIMIT);
    this.onReply = (ac, reply, privdata) => this.settle(ac, reply, privdata);
    if (opts.busyPollMicros !== undefined) {
      if (opts.reactor !== undefined) {
        throw new TypeError('busyPollMicros applies to the default reactor; with your own reactor, use createReactor({ busyPollMicros }) or reactor.setBusyPoll()');
      }
      if (!(opts.busyPollMicros >= 0)) throw new RangeError(`busyPollMicros must be >= 0, got ${opts.busyPollMicros}`);
    }
  }

  /** Current life stage. */
  get state(): ClientState {
    return this.stateNow;
  }

  /** Commands waiting for a link. */
  get offlineQueueLength(): number {
    return this.offline.length;
  }

  /** The link while the client is ready, else null (pubsub.ts sends on it directly). @internal */
  get readyLink(): Context | null {
    return this.stateNow === 'ready' ? this.ac : null;
  }

  /** Commands sent and not yet answered. */
  get inFlight(): number {
    return this.ac === null ? 0 : this.ac.pending;
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

  /** `command()` with the arguments as one array. */
  sendArgv(argv: CommandArgument[]): Promise<unknown> {
    // A shared executor instead of a closure per call: one object fewer per
    // command, which matters when 200,000 are issued at once.
    const promise = new Promise<unknown>(captureResolvers);
    const resolve = capturedResolve;
    const reject = capturedReject;
    if (this.stateNow === 'ready' && !this.resendOn) {
      // Fast path: the context's privdata is the promise's resolve function
      // itself, with no record around it (see settle()).
      const ac = this.ac!;
      if (redisAsyncCommandArgv(ac, this.onReply, resolve, argv) === REDIS_ERR) reject(this.refused(ac));
    } else {
      this.enqueue(new PromiseSettler(argv, resolve, reject));
    }
    return promise;
  }

  /**
   * Sends `s.argv` now if the link is up, else holds it in the offline
   * queue; `s` is settled exactly once either way. For the pipeline and
   * transaction builders of this package.
   * @internal
   */
  enqueue(s: Settler): void {
    if (this.stateNow === 'ready') this.submit(s);
    else this.hold(s);
  }

  /** A pipeline's commands, back to back on this connection. @internal */
  sendBatch(commands: CommandArgument[][], batch: Batch): void {
    if (this.stateNow === 'ready' && !this.resendOn) {
      // All on the link now, so their callbacks come in this order and the
      // batch settles them itself (see Batch). A refused command rejects the
      // whole batch, so its place in that order does not matter.
      const ac = this.ac!;
      for (const argv of commands) {
        if (redisAsyncCommandArgv(ac, this.onReply, batch, argv) === REDIS_ERR) batch.reject(this.refused(ac));
      }
      return;
    }
    for (let i = 0; i < commands.length; i++) this.enqueue(batch.slot(i, commands[i]!));
  }

  /** Collects commands for one `exec()`: one write, replies in order, errors in place. */
  pipeline(): Pipeline {
    return new Pipeline(this);
  }

  /** MULTI … EXEC as one pipeline; safe on this shared connection because nothing can interleave. */
  multi(): Transaction {
    return new Transaction(this);
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
    this.lane ??= new DedicatedLane(() => this.duplicate());
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
        if (this.ac === null) this.finish(new ClientClosedError(`client quit before a connection to ${this.where()} was up; the command was not sent`));
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
      const ac = this.ac;
      this.ac = null;
      // Freeing calls every pending callback with a null reply; settle() sees
      // state 'closed' and rejects each with a ConnectionError.
      if (ac !== null) redisAsyncFree(ac);
      this.finish(err);
    }
    return this.closed.promise;
  }

  // ---- links --------------------------------------------------------------

  private openLink(): void {
    const ep = this.endpoint;
    const o: RedisAsyncOptions = {
      connectTimeout: this.opts.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
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
    if (this.opts.commandTimeout !== undefined) o.commandTimeout = this.opts.commandTimeout;
    if (this.opts.name !== undefined) o.name = this.opts.name;

    const ac = redisAsyncConnectWithOptions(o) as Context;
    this.ac = ac;
    // Callbacks before attaching, as in hiredis: attach may fail at once.
    redisAsyncSetConnectCallback(ac, (c, status) => {
      if (status === REDIS_OK) this.linkUp(c);
      else this.linkDown(c);
    });
    redisAsyncSetDisconnectCallback(ac, (c) => this.linkDown(c));
    const onPush = this.opts.onPush;
    if (onPush !== undefined) {
      redisAsyncSetPushCallback(ac, (_c, reply) => {
        if (reply instanceof PushFrame) onPush(reply);
      });
    }
    if (ac.err !== 0 || redisAttach(this.reactor!, ac) !== REDIS_OK) {
      this.linkDown(ac);
      redisAsyncFree(ac);
    }
  }

  private linkUp(ac: Context): void {
    if (ac !== this.ac) return;
    if (this.opts.readyCheck === false) this.goLive(ac);
    else this.checkReady(ac);
  }

  /**
   * The ready check (as ioredis's): a server restarted from a snapshot or
   * AOF accepts connections while still loading its dataset and refuses
   * most commands with LOADING meanwhile. So before the queue is flushed,
   * INFO persistence (allowed during loading) is asked until `loading:0`,
   * polling at most every second; queued commands keep waiting, in order.
   */
  private checkReady(ac: Context): void {
    // A refused INFO means the context is already failing: linkDown follows.
    redisAsyncCommandArgv(ac, (c, reply) => {
      if (c !== this.ac || reply === null) return; // that link is gone: linkDown decides
      const text = typeof reply === 'string' ? reply : Buffer.isBuffer(reply) ? reply.toString('latin1') : '';
      if (!/^loading:1\r?$/m.test(text)) {
        this.goLive(c);
        return;
      }
      const eta = Number(/^loading_eta_seconds:(\d+)/m.exec(text)?.[1] ?? 1);
      const delay = Math.min(1000, Math.max(20, eta * 1000));
      this.readyTimer = this.reactor!.addTimer(delay, () => {
        this.readyTimer = 0;
        if (this.ac === c) this.checkReady(c);
      });
    }, null, ['INFO', 'persistence']);
  }

  /** The link is usable: hooks, then resent and queued commands, in order. */
  private goLive(ac: Context): void {
    this.attempt = 0;
    const quitting = this.stateNow === 'closing';
    if (!quitting) this.stateNow = 'ready';
    if (!quitting) for (const hook of this.linkHooks) hook(ac);
    // Resent commands first: they were issued before anything in the queue.
    const resend = this.resend;
    this.resend = [];
    for (const p of resend) this.submit(p);
    for (let p = this.offline.shift(); p !== undefined; p = this.offline.shift()) this.submit(p);
    if (quitting) this.beginQuit();
    const ready = this.ready;
    this.ready = null;
    ready?.resolve();
  }

  /** The link `ac` is gone (failed to open, dropped, or closed by quit). Idempotent per link. */
  private linkDown(ac: Context): void {
    if (ac !== this.ac) return;
    this.ac = null;
    if (this.readyTimer !== 0) {
      this.reactor?.delTimer(this.readyTimer);
      this.readyTimer = 0;
    }
    if (this.stateNow === 'closed') return;
    if (this.stateNow === 'closing' && ac.err === 0) {
      this.finish(new ClientClosedError(`client quit (${this.where()})`));
      return;
    }
    const err = this.linkError(ac);
    const fatal = err instanceof ConnectionError && err.code === 'ERR_AUTH';
    if (this.policy !== null && !fatal && this.stateNow !== 'closing' && this.attempt < this.policy.retries) {
      this.stateNow = 'reconnecting';
      const delay = backoffDelay(this.policy, this.attempt++);
      this.retryTimer = this.reactor!.addTimer(delay, () => {
        this.retryTimer = 0;
        if (this.stateNow === 'reconnecting') this.openLink();
      });
      return;
    }
    this.finish(err);
  }

  private beginQuit(): void {
    const ac = this.ac!;
    this.submit(new PromiseSettler(['QUIT'], noop, noop));
    redisAsyncDisconnect(ac);
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
    const held = [...this.resend, ...this.offline.drain()];
    this.resend = [];
    for (const p of held) p.reject(err instanceof ClientClosedError ? err : closedBecause(err, this.where()));
    const ready = this.ready;
    this.ready = null;
    ready?.reject(err);
    if (this.closed === null) this.closed = deferred<void>();
    this.closed.resolve();
    if (this.ownsDefaultReactor && this.reactor !== null) {
      this.ownsDefaultReactor = false;
      releaseDefaultReactor(this.reactor);
    }
  }

  // ---- commands -----------------------------------------------------------

  private submit(p: Settler): void {
    const ac = this.ac!;
    if (redisAsyncCommandArgv(ac, this.onReply, p, p.argv) === REDIS_ERR) {
      p.reject(this.refused(ac));
    } else if (!this.resendOn && p instanceof PromiseSettler) {
      p.argv = NO_ARGS;
    }
  }

  private hold(p: Settler): void {
    if (this.stateNow === 'closed' || this.stateNow === 'closing') {
      p.reject(new ClientClosedError(`the client is ${this.stateNow} (${this.where()}); command not sent`));
      return;
    }
    if (!this.offline.push(p)) p.reject(new OfflineQueueFullError(this.offline.limit));
  }

  /**
   * The context's callback for every command; called exactly once per
   * command. `privdata` is a Settler, or, on the fast path of sendArgv, the
   * promise's resolve function: a rejection then goes through it as a
   * rejected promise, which the outer promise adopts (two ticks later, on
   * error paths only).
   */
  private settle(ac: Context, reply: unknown, privdata: unknown): void {
    if (typeof privdata === 'function') {
      const resolve = privdata as (value: unknown) => void;
      if (reply === null && ac.err !== 0) resolve(Promise.reject(this.inFlightError(ac)));
      else if (reply instanceof ReplyError) resolve(Promise.reject(reply));
      else resolve(reply);
      return;
    }
    const p = privdata as Settler;
    if (reply === null && ac.err !== 0) {
      this.failInFlight(ac, p);
    } else if (reply instanceof ReplyError) {
      p.reject(reply);
    } else {
      p.resolve(reply);
    }
  }

  /** A command that was handed to `ac` got no reply because the link failed. */
  private failInFlight(ac: Context, p: Settler): void {
    const err = this.inFlightError(ac);
    const willRetry = this.stateNow !== 'closed' && this.policy !== null && this.stateNow !== 'closing' && !(err instanceof TimeoutError);
    if (willRetry && this.resendOn) this.resend.push(p);
    else p.reject(err);
  }

  /**
   * The error for commands in flight on a failed `ac`: one instance per
   * failure, shared by all of them — 100,000 Errors with stack traces would
   * cost more than the crash they report.
   */
  private inFlightError(ac: Context): Error {
    if (this.failedLink === ac && this.failedWith !== null) return this.failedWith;
    const err =
      this.stateNow === 'closed'
        ? new ConnectionError(`disconnected by the client (${this.where()}); the command may not have run`, 'ERR_DISCONNECTED')
        : this.linkError(ac);
    this.failedLink = ac;
    this.failedWith = err;
    return err;
  }

  /** Why redisAsyncCommandArgv said REDIS_ERR: a dead context, or the command itself. */
  private refused(ac: Context): Error {
    return commandNotSent(ac, this.where());
  }

  /** The typed error for a context's failure, with a message naming the server. */
  private linkError(ac: Context): Error {
    return linkFailure(ac, this.where(), {
      ready: this.stateNow === 'ready',
      commandTimeout: this.opts.commandTimeout ?? 0,
      connectTimeout: this.opts.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    });
  }

  private where(): string {
    return describeEndpoint(this.endpoint);
  }
}

function noop(): void {}

// Filled by captureResolvers, which the Promise constructor runs
// synchronously; read right after, so no other promise can overwrite them.
let capturedResolve: (value: unknown) => void = noop;
let capturedReject: (err: Error) => void = noop;
function captureResolvers(resolve: (value: unknown) => void, reject: (err: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits (connect() never called) must not crash the process.
  promise.catch(noop);
  return { promise, resolve, reject };
}

/** A client for `opts.url`; call `connect()` (commands issued before it wait in the offline queue). */
export function createClient(opts: ClientOptions = {}): RedisClient {
  return new RedisClient(opts);
}
