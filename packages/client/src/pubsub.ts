/**
 * Pub/sub for the promise client (article §4): what `client.subscribe(channels,
 * listener)`, `psubscribe`, `ssubscribe` and their unsubscribes (RedisClient
 * methods, client.ts) run, and the reply shapers of the PUBSUB introspection
 * methods (commands.ts).
 *
 * The client's own link carries the subscriptions, through hiredis's
 * subscribed mode: each SUBSCRIBE is sent with `link.send` and a settler of
 * its own (a `Subscription`), which the context then calls for every
 * confirmation and message on its names.
 * Under RESP2 the connection is then in subscribed mode and the context
 * refuses any other command at once (the client rejects it with a
 * CommandRefusedError saying which commands are allowed); the mode ends when the
 * server's count reaches 0. Under RESP3 messages are push frames and the
 * connection keeps answering commands.
 *
 * What this file keeps per client (a `PubSub`, made on first use): the
 * listeners wanted per channel / pattern / shard channel. That table, not the
 * server, is the truth: on every new link (a hook given to the client's
 * `onLink`, run before queued commands) everything in it is subscribed again, so a client
 * with `reconnect` resumes its subscriptions after a server restart.
 * Messages published while no link was up are lost, as the article warns.
 *
 * Redis delivers a channel's messages in order on one connection, and the
 * context hands replies over in arrival order, so listeners see them in
 * publish order.
 */
import { integerOf, itemsOf, ReplyError, textOf, type CommandArgument } from '@reactor-ts/resp';
import { ClientClosedError, CommandRefusedError } from './errors.js';
import type { Link, LinkSource } from './link.js';
import type { Settler } from './settle.js';

/**
 * Called for every message: its payload (a string, or a Buffer with
 * `returnBuffers`), the channel it was published to, and for a pattern
 * subscription the pattern that matched.
 */
export type MessageListener<M = string> = (message: M, channel: string, pattern?: string) => void;

export type Space = 'channel' | 'pattern' | 'shard';
type AnyListener = MessageListener<unknown>;

const SUBSCRIBE: Record<Space, string> = { channel: 'SUBSCRIBE', pattern: 'PSUBSCRIBE', shard: 'SSUBSCRIBE' };
const UNSUBSCRIBE: Record<Space, string> = { channel: 'UNSUBSCRIBE', pattern: 'PUNSUBSCRIBE', shard: 'SUNSUBSCRIBE' };
const SPACES: readonly Space[] = ['channel', 'pattern', 'shard'];

/** A subscribe() waiting for the server to confirm each of its names (on this link or a later one). */
interface Waiter {
  /** `${space} ${name}` of the names not yet confirmed. */
  remaining: Set<string>;
  resolve(count: number): void;
  reject(err: Error): void;
}

/**
 * One SUBSCRIBE and then its names' traffic: the link settles it once per
 * reply the context routes to the command (confirmations, messages), with an
 * error reply or a refusal when the names were not taken, and with null or
 * the link's failure when the link went away. It keeps what the SUBSCRIBE
 * carried, to tell which names a refusal dropped.
 */
class Subscription implements Settler {
  readonly argv: CommandArgument[];

  constructor(
    private readonly pubsub: PubSub,
    readonly space: Space,
    readonly names: string[],
  ) {
    this.argv = [SUBSCRIBE[space], ...names];
  }

  resolve(reply: unknown): void {
    if (reply === null) this.pubsub.linkLost();
    else this.pubsub.reply(reply);
  }

  reject(err: Error): void {
    // The server (ACL, arguments) or the context refused the names; any
    // other error is the link's failure.
    if (err instanceof ReplyError || err instanceof CommandRefusedError) this.pubsub.refused(this, err);
    else this.pubsub.linkLost();
  }
}

function keyOf(space: Space, name: string): string {
  return `${space} ${name}`;
}

const SPACE_OF_CONFIRMATION: Record<string, Space> = { subscribe: 'channel', psubscribe: 'pattern', ssubscribe: 'shard' };

function asList(names: string | readonly string[] | undefined): string[] {
  if (names === undefined) return [];
  return typeof names === 'string' ? [names] : [...names];
}

/** One client's subscriptions: the listeners wanted, and the subscribe() calls awaiting confirmation. */
class PubSub {
  private readonly wanted: Record<Space, Map<string, Set<AnyListener>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  private waiters: Waiter[] = [];
  /** A link loss is being looked at (once per loss, not once per name). */
  private lossCheck = false;

  constructor(private readonly client: LinkSource) {
    client.onLink((link) => this.resubscribe(link));
  }

  subscribe(space: Space, names: string[], listener: AnyListener): Promise<number> {
    if (names.length === 0) return Promise.reject(new TypeError(`${SUBSCRIBE[space]} needs at least one name`));
    if (typeof listener !== 'function') return Promise.reject(new TypeError(`${SUBSCRIBE[space]}: the listener must be a function`));
    const state = this.client.state;
    if (state === 'closed' || state === 'closing') {
      return Promise.reject(new ClientClosedError(`${SUBSCRIBE[space]} on a ${state} client`));
    }
    const fresh: string[] = [];
    for (const name of names) {
      let set = this.wanted[space].get(name);
      if (set === undefined) {
        set = new Set();
        this.wanted[space].set(name, set);
        fresh.push(name);
      }
      set.add(listener);
    }
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = { remaining: new Set(fresh.map((n) => keyOf(space, n))), resolve, reject };
      if (waiter.remaining.size === 0) {
        // Already subscribed (or on its way): only a listener was added.
        resolve(this.count());
        return;
      }
      this.waiters.push(waiter);
      const link = this.client.link;
      if (link !== null) {
        this.send(link, space, fresh);
      } else {
        // The next link's hook subscribes everything wanted, these included;
        // connect() rejects if no link will ever come.
        this.client.connect().catch((err: Error) => this.failWaiters(err));
      }
    });
  }

  unsubscribe(space: Space, names: string[], listener: AnyListener | undefined): Promise<number> {
    const table = this.wanted[space];
    const targets = names.length > 0 ? names : [...table.keys()];
    const gone: string[] = [];
    for (const name of targets) {
      const set = table.get(name);
      if (set === undefined) continue;
      if (listener !== undefined) set.delete(listener);
      if (listener === undefined || set.size === 0) {
        table.delete(name);
        gone.push(name);
      }
    }
    if (gone.length === 0) return Promise.resolve(this.count());
    this.confirm(space, gone, this.count());
    const link = this.client.link;
    if (link === null) return Promise.resolve(this.count());
    // The command's own reply is its last confirmation. An error reply or a
    // refusal rejects; a lost link leaves nothing held, so the count stands.
    return link.sendArgv([UNSUBSCRIBE[space], ...gone]).then(
      (reply) => integerOf(itemsOf(reply)?.[2]) ?? this.count(),
      (err: unknown) => {
        if (err instanceof ReplyError || err instanceof CommandRefusedError) throw err;
        return this.count();
      },
    );
  }

  /** Names wanted, over the three spaces (what the server's count is once all is confirmed). */
  count(): number {
    return this.wanted.channel.size + this.wanted.pattern.size + this.wanted.shard.size;
  }

  private send(link: Link, space: Space, names: string[]): void {
    link.send(new Subscription(this, space, names));
  }

  /** A new link is up: subscribe it to everything wanted, before any queued command. */
  private resubscribe(link: Link): void {
    for (const space of SPACES) {
      const names = [...this.wanted[space].keys()];
      if (names.length > 0) this.send(link, space, names);
    }
  }

  /** Every reply routed to a subscription but a refusal or the end: confirmations and messages. */
  reply(reply: unknown): void {
    const items = itemsOf(reply);
    const kind = items === null ? null : textOf(items[0]);
    if (items === null || kind === null) return;
    const k = kind.toLowerCase();
    switch (k) {
      case 'message':
      case 'smessage':
        this.deliver(k === 'message' ? 'channel' : 'shard', textOf(items[1]) ?? '', items[2], undefined);
        return;
      case 'pmessage': {
        const pattern = textOf(items[1]) ?? '';
        this.deliver('pattern', pattern, items[3], textOf(items[2]) ?? '', pattern);
        return;
      }
      case 'subscribe':
      case 'psubscribe':
      case 'ssubscribe':
        this.confirm(SPACE_OF_CONFIRMATION[k]!, [textOf(items[1]) ?? ''], integerOf(items[2]) ?? this.count());
        return;
      default:
        // An unsubscribe confirmation: the unsubscribe() call's own callback settles it.
        return;
    }
  }

  private deliver(space: Space, name: string, payload: unknown, channel?: string, pattern?: string): void {
    const listeners = this.wanted[space].get(name);
    if (listeners === undefined) return;
    for (const fn of listeners) {
      try {
        fn(payload, channel ?? name, pattern);
      } catch (err) {
        // As an EventEmitter listener's: the listener's bug surfaces as an
        // uncaught exception, and the other listeners and messages still run.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  private confirm(space: Space, names: string[], count: number): void {
    if (this.waiters.length === 0) return;
    const left: Waiter[] = [];
    for (const w of this.waiters) {
      for (const name of names) w.remaining.delete(keyOf(space, name));
      if (w.remaining.size === 0) w.resolve(count);
      else left.push(w);
    }
    this.waiters = left;
  }

  /** The server (ACL, arguments) or the context refused a SUBSCRIBE: its names are not held. */
  refused(sent: Subscription, err: Error): void {
    const keys = new Set(sent.names.map((n) => keyOf(sent.space, n)));
    for (const name of sent.names) this.wanted[sent.space].delete(name);
    const left: Waiter[] = [];
    for (const w of this.waiters) {
      if ([...w.remaining].some((k) => keys.has(k))) w.reject(err);
      else left.push(w);
    }
    this.waiters = left;
  }

  /**
   * The link went away. Subscriptions stay wanted: if the client reconnects,
   * the hook subscribes them again and pending subscribe() calls resolve
   * then; if it is closing for good, they reject. The client learns which
   * right after the context has settled every callback, hence the microtask.
   */
  linkLost(): void {
    if (this.lossCheck) return;
    this.lossCheck = true;
    queueMicrotask(() => {
      this.lossCheck = false;
      if (this.waiters.length === 0) return;
      const state = this.client.state;
      if (state === 'closed' || state === 'closing') this.failWaiters(new ClientClosedError('the client closed before the subscription was confirmed'));
      else if (state !== 'ready') this.client.connect().catch((err: Error) => this.failWaiters(err));
    });
  }

  private failWaiters(err: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }
}

const registry = new WeakMap<LinkSource, PubSub>();

function pubsubOf(client: LinkSource): PubSub {
  let p = registry.get(client);
  if (p === undefined) {
    p = new PubSub(client);
    registry.set(client, p);
  }
  return p;
}

/** What RedisClient's subscribe/psubscribe/ssubscribe run: `names` (one or many) gain `listener` in `space`. */
export function subscribeIn<M>(client: LinkSource, space: Space, names: string | readonly string[], listener: MessageListener<M>): Promise<number> {
  return pubsubOf(client).subscribe(space, asList(names), listener as AnyListener);
}

/** What RedisClient's unsubscribe/punsubscribe/sunsubscribe run: see PubSub.unsubscribe. */
export function unsubscribeIn<M>(client: LinkSource, space: Space, names?: string | readonly string[], listener?: MessageListener<M>): Promise<number> {
  return pubsubOf(client).unsubscribe(space, asList(names), listener as AnyListener | undefined);
}

// Reply shapers of the PUBSUB methods (commands.ts).

/** A flat [name, n, name, n, ...] array (RESP2 and RESP3 alike) or a Map, as a Map<string, number>. */
export function toCountMap(reply: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (reply instanceof Map) {
    for (const [k, v] of reply) out.set(textOf(k) ?? String(k), integerOf(v) ?? 0);
    return out;
  }
  const items = itemsOf(reply) ?? [];
  for (let i = 0; i + 1 < items.length; i += 2) out.set(textOf(items[i]) ?? '', integerOf(items[i + 1]) ?? 0);
  return out;
}

export function toNames(reply: unknown): string[] {
  return (itemsOf(reply) ?? []).map((x) => textOf(x) ?? '');
}

export function pubsubArgv(verb: string, pattern: string | undefined): CommandArgument[] {
  return pattern === undefined ? ['PUBSUB', verb] : ['PUBSUB', verb, pattern];
}
