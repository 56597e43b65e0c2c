/**
 * The context's pub/sub bookkeeping (hiredis's `ac->sub`).
 *
 * Two views of the subscriptions are kept, because commands and their
 * confirmations are apart by a round trip:
 * - `tables`: the callbacks, per channel / pattern / shard channel. A name is
 *   added when SUBSCRIBE is sent and removed when its unsubscribe
 *   confirmation arrives, so a late message still finds its callback.
 * - `sent`: what the server will hold once it has run everything sent so far.
 *   It tells how many confirmations an UNSUBSCRIBE without arguments will
 *   produce (one per name, or a single one with a nil name when there is none).
 *
 * Every (un)subscribe command sits in the reply FIFO like any command, with
 * the number of confirmations it still expects; Redis confirms in order, so
 * a confirmation always belongs to the FIFO's head.
 */
import { spaceOf, type SubscriptionSpace } from './command-info.js';
import type { RedisCallbackFn } from './types.js';

/** A channel's or pattern's callback, called for every message. */
export interface Subscription<R> {
  fn: RedisCallbackFn<R> | null;
  privdata: unknown;
}

/** Pub/sub reply kinds (the first element of the array or push frame). */
export const PUBSUB_KINDS: ReadonlySet<string> = new Set([
  'message',
  'pmessage',
  'smessage',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

/** True for subscribe/unsubscribe confirmations, false for messages. */
export function isConfirmation(kind: string): boolean {
  return kind.endsWith('subscribe');
}

export function isUnsubscribe(kind: string): boolean {
  return kind.endsWith('unsubscribe');
}

const SPACES: readonly SubscriptionSpace[] = ['channel', 'pattern', 'shard'];

function perSpace<T>(make: () => T): Record<SubscriptionSpace, T> {
  return { channel: make(), pattern: make(), shard: make() };
}

export class Subscriptions<R> {
  private readonly tables = perSpace(() => new Map<string, Subscription<R>>());
  private readonly sent = perSpace(() => new Set<string>());
  /** (Un)subscribe commands still waiting for confirmations. */
  inFlight = 0;

  /** Names the server will hold once it has run everything sent so far. */
  get count(): number {
    return this.sent.channel.size + this.sent.pattern.size + this.sent.shard.size;
  }

  /**
   * SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE `names` is being sent: register
   * the callback for each. Returns the number of confirmations to expect.
   */
  subscribe(command: string, names: readonly string[], fn: RedisCallbackFn<R> | null, privdata: unknown): number {
    const space = spaceOf(command);
    for (const name of names) {
      this.tables[space].set(name, { fn, privdata });
      this.sent[space].add(name);
    }
    this.inFlight++;
    return names.length;
  }

  /** (P|S)UNSUBSCRIBE [names] is being sent; returns the confirmations to expect. */
  unsubscribe(command: string, names: readonly string[]): number {
    const sent = this.sent[spaceOf(command)];
    this.inFlight++;
    if (names.length > 0) {
      for (const name of names) sent.delete(name);
      return names.length;
    }
    const n = Math.max(1, sent.size);
    sent.clear();
    return n;
  }

  /** The server refused a SUBSCRIBE: its names will never be confirmed. */
  refused(command: string, names: readonly string[], fn: RedisCallbackFn<R> | null): void {
    const space = spaceOf(command);
    for (const name of names) {
      if (this.tables[space].get(name)?.fn === fn) this.tables[space].delete(name);
      this.sent[space].delete(name);
    }
  }

  /**
   * The subscription a pub/sub reply of `kind` for `name` belongs to. An
   * unsubscribe confirmation removes it: that reply is its last.
   */
  route(kind: string, name: string): Subscription<R> | undefined {
    const table = this.tables[spaceOf(kind)];
    const sub = table.get(name);
    if (isUnsubscribe(kind)) table.delete(name);
    return sub;
  }

  /** Forgets everything (RESET, or the context closing); returns the callbacks. */
  clear(): Array<Subscription<R>> {
    const all: Array<Subscription<R>> = [];
    for (const space of SPACES) {
      for (const sub of this.tables[space].values()) all.push(sub);
      this.tables[space].clear();
      this.sent[space].clear();
    }
    this.inFlight = 0;
    return all;
  }
}
