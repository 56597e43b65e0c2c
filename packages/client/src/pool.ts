/**
 * RedisPool: N async connections on one reactor (article §5.2).
 *
 * Ordinary commands go to the connection with the fewest commands pending
 * (in flight plus offline), so one slow reply (a big LRANGE) delays only
 * the commands behind it on its own link. A connection can also be lent out
 * whole — for WATCH transactions and blocking commands such as BLPOP, which
 * must not share a link — and is skipped by the spreading while it is out.
 *
 * Both the pool and its wait queue are bounded: `size` connections, at most
 * `maxWaiting` borrowers waiting, each for at most `acquireTimeout` ms, with
 * an error saying which bound was hit.
 */
import type { CommandArgument } from '@reactor-ts/resp';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { RedisClient, type ClientOptions, type WatchFn } from './client.js';
import { CommandMethods, type SendOptions } from './commands.js';
import { raceSignal } from './abort.js';
import { ClientClosedError } from './errors.js';
import { Pipeline, Transaction, type BatchOptions } from './pipeline.js';
import type { Batch } from './settle.js';
import { BoundedQueue } from './queue.js';
import { watchRetryOn, type WatchRetryOptions } from './watch.js';

/** Options of `createPool`: a client's, plus the pool's bounds. */
export interface PoolOptions extends ClientOptions {
  /** Connections (default 4). */
  size?: number;
  /** Most borrowers waiting for a connection (default 1000). */
  maxWaiting?: number;
  /** Most ms a borrower waits (default 10,000). */
  acquireTimeout?: number;
}

/** acquire() could not get a connection: the wait queue is full, or the wait timed out. */
export class PoolExhaustedError extends Error {
  override readonly name = 'PoolExhaustedError';
  /** Nothing was sent (see errors.ts). */
  readonly mayHaveRun = false;
  constructor(
    message: string,
    /** ERR_POOL_QUEUE_FULL or ERR_POOL_TIMEOUT. */
    readonly code: 'ERR_POOL_QUEUE_FULL' | 'ERR_POOL_TIMEOUT',
  ) {
    super(message);
  }
}

interface Waiter {
  resolve: (c: RedisClient) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

export class RedisPool extends CommandMethods {
  private readonly conns: RedisClient[];
  private readonly lent: boolean[];
  private readonly waiters: BoundedQueue<Waiter>;
  private readonly acquireTimeout: number;
  private closed = false;

  constructor(opts: PoolOptions, reactor: Reactor) {
    super();
    const size = opts.size ?? 4;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a positive integer, got ${size}`);
    const { size: _s, maxWaiting, acquireTimeout, ...clientOpts } = opts;
    this.conns = Array.from({ length: size }, () => new RedisClient({ ...clientOpts, reactor }));
    this.lent = new Array<boolean>(size).fill(false);
    this.waiters = new BoundedQueue<Waiter>(maxWaiting ?? 1000);
    this.acquireTimeout = acquireTimeout ?? 10_000;
  }

  /** Connects every connection; resolves when all are up. */
  async connect(): Promise<this> {
    await Promise.all(this.conns.map((c) => c.connect()));
    return this;
  }

  /** Every connection of the pool, lent or not. */
  get connections(): readonly RedisClient[] {
    return this.conns;
  }

  /** Connections not lent out. */
  get available(): number {
    return this.lent.filter((l) => !l).length;
  }

  /** Borrowers waiting for a connection. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Sends on the least busy connection not lent out; waits for one if all are lent. */
  sendArgv(argv: CommandArgument[]): Promise<unknown> {
    const c = this.leastBusy();
    if (c !== null) return c.sendArgv(argv);
    return this.acquire().then((conn) => {
      const p = conn.sendArgv(argv);
      this.giveBack(conn, false);
      return p;
    });
  }

  /**
   * withAbortSignal / withBuffers on the pool: on a free connection, that
   * client's own handling; while waiting for a lent one to come back, an
   * abort rejects at once, and the command is then not sent.
   */
  override sendArgvWith(argv: CommandArgument[], opts: SendOptions): Promise<unknown> {
    const c = this.leastBusy();
    if (c !== null) return c.sendArgvWith(argv, opts);
    const send = (): Promise<unknown> =>
      this.acquire().then((conn) => {
        // Aborted while waiting: the client's own check rejects it unsent.
        const p = conn.sendArgvWith(argv, opts);
        this.giveBack(conn, false);
        return p;
      });
    return opts.signal === undefined ? send() : raceSignal(opts.signal, undefined, send);
  }

  /** A pipeline sent on the least busy free connection (or the first one freed, if all are lent). */
  pipeline(opts?: BatchOptions): Pipeline {
    return new Pipeline<[]>(this, opts);
  }

  /** MULTI/EXEC on one free connection: never on a lent one, whose WATCH or MULTI it could meet. */
  multi(opts?: BatchOptions): Transaction {
    return new Transaction<[]>(this, opts);
  }

  /** @internal */
  sendBatch(commands: CommandArgument[][], batch: Batch): void {
    const c = this.leastBusy();
    if (c !== null) {
      c.sendBatch(commands, batch);
      return;
    }
    this.acquire().then(
      (conn) => {
        conn.sendBatch(commands, batch);
        this.giveBack(conn, false);
      },
      (err: Error) => {
        for (let i = 0; i < commands.length; i++) batch.reject(err);
      },
    );
  }

  /** watchRetry on a borrowed connection (see watch.ts for the guarantees). */
  watchRetry(keys: CommandArgument[], fn: WatchFn, opts?: WatchRetryOptions): Promise<unknown[] | null> {
    return this.withConnection((conn) => watchRetryOn(conn, keys, fn, opts));
  }

  /**
   * Lends a connection for exclusive use until `release(conn)`. Waits when
   * every connection is out; rejects with PoolExhaustedError when the wait
   * queue is full or the wait exceeds `acquireTimeout`.
   */
  acquire(): Promise<RedisClient> {
    if (this.closed) return Promise.reject(new ClientClosedError('acquire() on a closed pool'));
    const i = this.freeIndex();
    if (i !== -1) {
      this.lent[i] = true;
      return Promise.resolve(this.usable(i));
    }
    return new Promise<RedisClient>((resolve, reject) => {
      const w: Waiter = { resolve, reject, timer: null };
      if (!this.waiters.push(w)) {
        reject(
          new PoolExhaustedError(
            `pool exhausted: all ${this.conns.length} connections are lent out and ${this.waiters.limit} borrowers already wait`,
            'ERR_POOL_QUEUE_FULL',
          ),
        );
        return;
      }
      w.timer = setTimeout(() => {
        w.timer = null;
        this.waiters.remove(w);
        reject(
          new PoolExhaustedError(
            `no pool connection became free within ${this.acquireTimeout} ms (all ${this.conns.length} are lent out)`,
            'ERR_POOL_TIMEOUT',
          ),
        );
      }, this.acquireTimeout);
    });
  }

  /**
   * Returns a lent connection. Any WATCH it still holds is dropped first
   * (UNWATCH), so the next user's MULTI is not voided by a stale one. Call
   * it after the borrowed commands have settled: a BLPOP still blocking
   * would hold up whoever gets the connection next.
   */
  release(conn: RedisClient): void {
    this.giveBack(conn, true);
  }

  private giveBack(conn: RedisClient, unwatch: boolean): void {
    const i = this.conns.indexOf(conn);
    if (i === -1 || !this.lent[i]) throw new Error('release() of a connection that is not lent out by this pool');
    if (unwatch && conn.state !== 'closed') conn.sendArgv(['UNWATCH']).catch(() => undefined);
    const w = this.waiters.shift();
    if (w !== undefined) {
      if (w.timer !== null) clearTimeout(w.timer);
      w.resolve(this.usable(i));
      return;
    }
    this.lent[i] = false;
  }

  /** acquire(), fn(conn), release() — also when fn throws. */
  async withConnection<T>(fn: (conn: RedisClient) => Promise<T> | T): Promise<T> {
    const conn = await this.acquire();
    try {
      return await fn(conn);
    } finally {
      this.release(conn);
    }
  }

  /** quit() on every connection; borrowers still waiting are rejected. */
  async quit(): Promise<void> {
    this.close();
    await Promise.all(this.conns.map((c) => c.quit()));
  }

  /** disconnect() on every connection. */
  async disconnect(): Promise<void> {
    this.close();
    await Promise.all(this.conns.map((c) => c.disconnect()));
  }

  private close(): void {
    this.closed = true;
    for (let w = this.waiters.shift(); w !== undefined; w = this.waiters.shift()) {
      if (w.timer !== null) clearTimeout(w.timer);
      w.reject(new ClientClosedError('the pool was closed while waiting for a connection'));
    }
  }

  private load(c: RedisClient): number {
    return c.inFlight + c.offlineQueueLength;
  }

  private leastBusy(): RedisClient | null {
    const i = this.freeIndex();
    return i === -1 ? null : this.usable(i);
  }

  /** The free connection with the fewest commands pending, or -1. */
  private freeIndex(): number {
    let best = -1;
    let bestLoad = Infinity;
    for (let i = 0; i < this.conns.length; i++) {
      if (this.lent[i]) continue;
      const c = this.conns[i]!;
      // A closed connection has nothing pending; without this it would draw all traffic.
      const load = c.state === 'closed' ? Number.MAX_SAFE_INTEGER : this.load(c);
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
        if (load === 0) break;
      }
    }
    return best;
  }

  /**
   * Connection `i`, replaced by a fresh one first if it closed for good (its
   * server went away and reconnecting was off or gave up): the pool heals
   * instead of handing out a dead client. Commands wait in the new client's
   * offline queue until it is up.
   */
  private usable(i: number): RedisClient {
    const c = this.conns[i]!;
    if (c.state !== 'closed' || this.closed) return c;
    const fresh = c.duplicate();
    this.conns[i] = fresh;
    fresh.connect().catch(() => undefined);
    return fresh;
  }
}

/**
 * A pool of `size` connections on `opts.reactor` (default: a reactor made
 * for the pool, running until the pool is closed).
 */
export function createPool(opts: PoolOptions = {}): RedisPool {
  if (opts.reactor !== undefined) return new RedisPool(opts, opts.reactor);
  const reactor = createReactor();
  reactor.eventloop().catch(() => undefined);
  const pool = new RedisPool(opts, reactor);
  const stop = (): void => {
    reactor.stopEventloop();
    reactor.release();
  };
  const quit = pool.quit.bind(pool);
  const disconnect = pool.disconnect.bind(pool);
  pool.quit = () => quit().finally(stop);
  pool.disconnect = () => disconnect().finally(stop);
  return pool;
}
