/**
 * Pub/sub for the cluster client. Classic channels and patterns: a message
 * published on any node reaches every node, so they are subscribed on one
 * master. Shard channels (SSUBSCRIBE, Redis 7) live on the master of their
 * slot. Each subscribing node gets a client of its own (a subscribed RESP2
 * connection takes no other command), with reconnect, so a dropped
 * connection resubscribes by itself (pubsub.ts).
 *
 * The table here (what is wanted, and on which node it is subscribed now)
 * is the truth: after every map read, a subscription whose node is no
 * longer the right one (a dead master replaced by its replica, a shard
 * channel whose slot moved) is moved: unsubscribed there (if it still
 * answers) and subscribed on the new node. Messages published between the
 * loss and the move are lost, as with one client.
 */
import { keySlot, type NodeAddress, type SlotMap } from '@reactor-ts/hiredis-adapter';
import type { RedisClient } from './client.js';

/** What pub/sub needs of the cluster client (RedisCluster implements it). */
export interface PubSubHost {
  readonly state: string;
  readonly map: SlotMap | null;
  connect(): Promise<unknown>;
  pubsubClient(a: NodeAddress): RedisClient;
}
import type { MessageListener, Space } from './pubsub.js';

type Listener = MessageListener<unknown>;

interface Entry {
  readonly space: Space;
  readonly name: string;
  readonly listeners: Set<Listener>;
  /** `host:port` of the node it is subscribed on, or null before the first subscribe. */
  home: string | null;
}

function sub(c: RedisClient, space: Space, name: string, l: Listener): Promise<number> {
  return space === 'channel' ? c.subscribe(name, l) : space === 'pattern' ? c.psubscribe(name, l) : c.ssubscribe(name, l);
}

function unsub(c: RedisClient, space: Space, name: string, l?: Listener): Promise<number> {
  return space === 'channel' ? c.unsubscribe(name, l) : space === 'pattern' ? c.punsubscribe(name, l) : c.sunsubscribe(name, l);
}

export class ClusterPubSub {
  private readonly entries = new Map<string, Entry>();
  private readonly clients = new Map<string, RedisClient>();

  constructor(private readonly cluster: PubSubHost) {}

  async subscribe(space: Space, names: string | readonly string[], listener: Listener): Promise<number> {
    if (this.cluster.state !== 'ready') await this.cluster.connect();
    let count = 0;
    for (const name of typeof names === 'string' ? [names] : names) {
      const key = `${space} ${name}`;
      let e = this.entries.get(key);
      if (e === undefined) {
        e = { space, name, listeners: new Set(), home: null };
        this.entries.set(key, e);
      }
      e.listeners.add(listener);
      e.home ??= this.homeFor(e);
      if (e.home === null) throw new Error(`no master to subscribe to ${name} on`);
      count = await sub(this.client(e.home), space, name, listener);
    }
    return count;
  }

  async unsubscribe(space: Space, names: string | readonly string[] | undefined, listener: Listener | undefined): Promise<void> {
    const wanted = names === undefined ? [...this.entries.values()].filter((e) => e.space === space).map((e) => e.name) : typeof names === 'string' ? [names] : names;
    for (const name of wanted) {
      const key = `${space} ${name}`;
      const e = this.entries.get(key);
      if (e === undefined) continue;
      if (listener !== undefined) e.listeners.delete(listener);
      else e.listeners.clear();
      if (e.home !== null) await unsub(this.client(e.home), space, name, listener).catch(() => 0);
      if (e.listeners.size === 0) this.entries.delete(key);
    }
    this.release();
  }

  /** Where `e` belongs now: its slot's master (shard channels), else its current node if still a master, else the first master. */
  private homeFor(e: Entry): string | null {
    const map = this.cluster.map;
    if (map === null) return null;
    if (e.space === 'shard') return map.masterOf(keySlot(e.name))?.addr ?? null;
    const masters = map.masters().map((m) => m.addr);
    if (e.home !== null && masters.includes(e.home)) return e.home;
    const used = [...this.clients.keys()].find((a) => masters.includes(a));
    return used ?? masters.sort()[0] ?? null;
  }

  private client(addr: string): RedisClient {
    let c = this.clients.get(addr);
    if (c === undefined || c.state === 'closed') {
      const at = addr.lastIndexOf(':');
      c = this.cluster.pubsubClient({ host: addr.slice(0, at), port: Number(addr.slice(at + 1)), addr, id: '' });
      this.clients.set(addr, c);
    }
    return c;
  }

  /** After a map read: moves every subscription whose node is not the right one any more. */
  rehome(): void {
    for (const e of this.entries.values()) {
      const want = this.homeFor(e);
      if (want === null || want === e.home) continue;
      const old = e.home;
      e.home = want;
      if (old !== null) {
        const oc = this.clients.get(old);
        if (oc !== undefined && oc.state === 'ready') void unsub(oc, e.space, e.name).catch(() => 0);
      }
      const nc = this.client(want);
      for (const l of e.listeners) void sub(nc, e.space, e.name, l).catch(() => 0);
    }
    this.release();
  }

  /** Closes the clients no subscription uses any more. */
  private release(): void {
    const used = new Set([...this.entries.values()].map((e) => e.home));
    for (const [addr, c] of this.clients) {
      if (!used.has(addr)) {
        this.clients.delete(addr);
        void (c.state === 'ready' ? c.quit() : c.disconnect()).catch(() => undefined);
      }
    }
  }

  async close(polite: boolean): Promise<void> {
    const cs = [...this.clients.values()];
    this.clients.clear();
    this.entries.clear();
    await Promise.all(cs.map((c) => (polite && c.state === 'ready' ? c.quit() : c.disconnect()).catch(() => undefined)));
  }
}
