/**
 * The reconnect policy: the first attempt at once, then exponential backoff
 * with jitter, capped, forever unless bounded. Jitter spreads the
 * reconnects of many clients that lost the same server at the same moment,
 * so a restarted server is not hit by all of them in the same millisecond.
 * The first attempt waits for nothing: most lost links are a reset or a
 * failover, over by the time the client notices, and ioredis and node-redis
 * users are used to being back in a few milliseconds.
 *
 * Users of those clients bring their own hooks: `RetryStrategy` replaces
 * the policy (a delay, or false to give up), `ReconnectOnError` turns a
 * reply error (READONLY after a failover) into a reconnect.
 */

export interface ReconnectPolicy {
  /** Attempts after a lost connection before giving up (Infinity: never give up). */
  retries: number;
  /** Delay before the first attempt, in ms. */
  minDelayMs: number;
  /** Cap on any delay, in ms. */
  maxDelayMs: number;
}

/**
 * Retry forever, the cap at 2 s: a service must come back after an outage
 * of any length without a restart. `{ retries: N }` bounds it.
 */
const DEFAULT_RECONNECT: Readonly<ReconnectPolicy> = { retries: Infinity, minDelayMs: 50, maxDelayMs: 2000 };

/**
 * ioredis's `retryStrategy`: called after each failed attempt (0-based,
 * reset once a link is up) with the failure; returns the delay in ms before
 * the next attempt, or false to give up (the client closes with `err`).
 */
export type RetryStrategy = (attempt: number, err: Error) => number | false;

/**
 * ioredis's `reconnectOnError`: called with every error reply; true closes
 * the link and opens a new one (e.g. on `READONLY` when the master was
 * demoted). The command that got the error is rejected with it; the others
 * in flight fail with ConnectionError (mayHaveRun).
 */
export type ReconnectOnError = (err: Error) => boolean;

/** `true`, `false` or a partial policy, as `createClient` accepts it; null means "no reconnect". */
export function resolveReconnect(opt: boolean | Partial<ReconnectPolicy> | undefined): ReconnectPolicy | null {
  if (opt === undefined || opt === false) return null;
  const p = { ...DEFAULT_RECONNECT, ...(opt === true ? {} : opt) };
  if (!(p.retries >= 0)) throw new RangeError(`reconnect.retries must be >= 0, got ${p.retries}`);
  if (!(p.minDelayMs >= 0) || !Number.isFinite(p.minDelayMs)) {
    throw new RangeError(`reconnect.minDelayMs must be a finite number >= 0, got ${p.minDelayMs}`);
  }
  if (!(p.maxDelayMs >= p.minDelayMs) || !Number.isFinite(p.maxDelayMs)) {
    throw new RangeError(`reconnect.maxDelayMs must be finite and >= minDelayMs, got ${p.maxDelayMs}`);
  }
  return p;
}

/**
 * Delay before attempt number `attempt` (0-based): 0 for the first; then the
 * exponential step `min(maxDelay, minDelay * 2^(attempt-1))`, of which the
 * upper half is random ("equal jitter"), so a delay never collapses to zero
 * yet two clients rarely agree.
 */
export function backoffDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  if (attempt <= 0) return 0;
  const step = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.min(attempt - 1, 52));
  return Math.round(step / 2 + random() * (step / 2));
}
