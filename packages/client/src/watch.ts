/**
 * Optimistic locking made bearable (article §3.2): `watchRetry` runs
 * WATCH → read → MULTI … EXEC and starts over when EXEC reports that a
 * watched key changed, up to a bound.
 *
 * WATCH belongs to a connection, not to a caller: on a connection shared by
 * concurrent callers, one caller's EXEC would also be voided by (or clear)
 * another's WATCH. So the loop always runs on a connection nobody else uses
 * while it runs — `client.watchRetry` keeps one dedicated connection per
 * client and runs its transactions one after another on it;
 * `pool.watchRetry` borrows a pooled connection for the duration.
 *
 * What is guaranteed: the transaction's commands run only if none of the
 * watched keys was modified (by anyone) between WATCH and EXEC, and `fn`'s
 * reads happen after WATCH, so a value read in `fn` is still current when
 * the commands run. Nothing is guaranteed about keys not passed to WATCH.
 */
import type { CommandArgument } from '@reactor-ts/resp';
import type { ClientState } from './link.js';
import type { Transaction } from './pipeline.js';

/** Options of `watchRetry`. */
export interface WatchRetryOptions {
  /** Most attempts before WatchConflictError (default 10). */
  attempts?: number;
}

/** What the retry loop needs of the connection it runs on (a RedisClient; client.ts's WatchFn names it). */
export interface WatchConnection {
  sendArgv(argv: CommandArgument[]): Promise<unknown>;
}

/** What a DedicatedLane needs of the connection it opens and closes. */
export interface LaneConnection {
  readonly state: ClientState;
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): Promise<unknown>;
}

/** Every attempt's EXEC was voided by a concurrent change of a watched key. */
export class WatchConflictError extends Error {
  override readonly name = 'WatchConflictError';
  readonly code = 'ERR_WATCH_CONFLICT';
  constructor(
    readonly keys: string[],
    readonly attempts: number,
  ) {
    super(`transaction gave up after ${attempts} attempts: watched keys [${keys.join(', ')}] kept changing before EXEC`);
  }
}

/**
 * The retry loop on `conn`, which the caller guarantees nobody else uses
 * meanwhile. Resolves with EXEC's replies, or null when `fn` gave up.
 */
export async function watchRetryOn<C extends WatchConnection>(
  conn: C,
  keys: CommandArgument[],
  fn: (conn: C, attempt: number) => Promise<Transaction<unknown[]> | null> | Transaction<unknown[]> | null,
  opts: WatchRetryOptions = {},
): Promise<unknown[] | null> {
  const attempts = opts.attempts ?? 10;
  if (!(attempts >= 1)) throw new RangeError(`watchRetry attempts must be >= 1, got ${attempts}`);
  if (keys.length === 0) throw new TypeError('watchRetry needs at least one key to WATCH');
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await conn.sendArgv(['WATCH', ...keys]);
    let tx: Transaction<unknown[]> | null;
    try {
      tx = await fn(conn, attempt);
    } catch (err) {
      await conn.sendArgv(['UNWATCH']).catch(() => undefined);
      throw err;
    }
    if (tx === null) {
      await conn.sendArgv(['UNWATCH']);
      return null;
    }
    // EXEC clears the WATCH whatever its outcome.
    const replies = await tx.exec();
    if (replies !== null) return replies;
  }
  throw new WatchConflictError(keys.map(String), attempts);
}

/**
 * A connection reserved for one client's watchRetry calls, opened on first
 * use; calls queue behind each other so their WATCHes never mix.
 */
export class DedicatedLane<C extends LaneConnection> {
  private conn: C | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly open: () => C) {}

  run<T>(job: (conn: C) => Promise<T>): Promise<T> {
    const next = this.tail.then(async () => {
      if (this.conn === null || this.conn.state === 'closed') {
        this.conn = this.open();
        await this.conn.connect();
      }
      return job(this.conn);
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Closes the connection (after the queued calls when `polite`). */
  async close(polite: boolean): Promise<void> {
    if (polite) await this.tail;
    const c = this.conn;
    this.conn = null;
    if (c === null) return;
    if (polite) await c.quit().catch(() => undefined);
    else await c.disconnect();
  }
}
