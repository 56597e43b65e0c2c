/**
 * The reconnect policy: exponential backoff with jitter and a bound on
 * attempts. Jitter spreads the reconnects of many clients that lost the same
 * server at the same moment, so a restarted server is not hit by all of them
 * in the same millisecond.
 */

export interface ReconnectPolicy {
  /** Attempts after a lost connection before giving up (Infinity: never give up). */
  retries: number;
  /** Delay before the first attempt, in ms. */
  minDelayMs: number;
  /** Cap on any delay, in ms. */
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: Readonly<ReconnectPolicy> = { retries: 10, minDelayMs: 50, maxDelayMs: 2000 };

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
 * Delay before attempt number `attempt` (0-based): the exponential step
 * `min(maxDelay, minDelay * 2^attempt)`, of which the upper half is random
 * ("equal jitter"), so a delay never collapses to zero yet two clients rarely
 * agree.
 */
export function backoffDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.min(attempt, 52));
  return Math.round(step / 2 + random() * (step / 2));
}
