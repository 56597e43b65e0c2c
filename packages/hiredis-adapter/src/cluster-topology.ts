/**
 * The cluster's map of slots to nodes, built from `CLUSTER SHARDS` (Redis 7)
 * or `CLUSTER SLOTS` (older), and the replies that say the map is wrong:
 * MOVED / ASK, TRYAGAIN, CLUSTERDOWN. Pure, no I/O; both the hiredis-cluster
 * API and the promise cluster use it.
 *
 *   slots: Uint16Array(16384) ──(shard index + 1, 0 = nobody)──▶ shards[i]
 *                                                         { master, replicas }
 *
 * A MOVED patches one slot (`moveSlot`) so the next command for it goes to
 * the right node at once, before the background refresh replaces the whole
 * map; an ASK changes nothing (the slot is only being migrated).
 */
import { itemsOf, textOf, integerOf, type CommandArgument } from '@reactor-ts/resp';
import { CLUSTER_SLOTS, keySlot } from './cluster-slot.js';

/** A node's address; `addr` is `host:port`, the key clients index nodes by. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
  readonly addr: string;
  /** The 40-character node id, when the reply gave one. */
  readonly id: string;
}

/** One master and the replicas that copy it. */
export interface ClusterShard {
  readonly master: NodeAddress;
  readonly replicas: readonly NodeAddress[];
}

export function nodeAddress(host: string, port: number, id = ''): NodeAddress {
  return { host, port, addr: `${host}:${port}`, id };
}

/** Parses `host:port` (IPv6 hosts may be bracketed); null if it is not one. */
export function parseAddress(text: string): NodeAddress | null {
  const at = text.lastIndexOf(':');
  if (at <= 0) return null;
  let host = text.slice(0, at);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(text.slice(at + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return null;
  return nodeAddress(host, port);
}

export class SlotMap {
  /** Shard index + 1 per slot; 0 when no master serves the slot. */
  private readonly slots = new Uint16Array(CLUSTER_SLOTS);
  private readonly shardList: ClusterShard[] = [];

  constructor(ranges: ReadonlyArray<{ from: number; to: number; shard: ClusterShard }> = []) {
    for (const r of ranges) {
      const i = this.shardIndex(r.shard);
      for (let s = Math.max(0, r.from); s <= Math.min(CLUSTER_SLOTS - 1, r.to); s++) this.slots[s] = i + 1;
    }
  }

  /** The shard of `shard.master` (merging replica lists), or a new one. */
  private shardIndex(shard: ClusterShard): number {
    const i = this.shardList.findIndex((s) => s.master.addr === shard.master.addr);
    if (i !== -1) return i;
    this.shardList.push(shard);
    return this.shardList.length - 1;
  }

  /** The shards that serve at least one slot, in the order first seen. */
  get shards(): readonly ClusterShard[] {
    return this.shardList;
  }

  /** Every master, one per shard. */
  masters(): NodeAddress[] {
    return this.shardList.map((s) => s.master);
  }

  /** How many slots have a master. */
  get covered(): number {
    let n = 0;
    for (let s = 0; s < CLUSTER_SLOTS; s++) if (this.slots[s] !== 0) n++;
    return n;
  }

  shardOf(slot: number): ClusterShard | null {
    const i = this.slots[slot];
    return i === undefined || i === 0 ? null : this.shardList[i - 1]!;
  }

  masterOf(slot: number): NodeAddress | null {
    return this.shardOf(slot)?.master ?? null;
  }

  /**
   * A MOVED said `slot` is served by `to`: point the slot at the shard whose
   * master `to` is, or at a new shard. When `to` is already one of the
   * slot's nodes (a replica answering MOVED with its own master), nothing
   * changes: the slot's node list stays as the last refresh built it.
   */
  moveSlot(slot: number, to: NodeAddress): void {
    const cur = this.shardOf(slot);
    if (cur !== null && cur.master.addr === to.addr) return;
    const i = this.shardIndex({ master: to, replicas: [] });
    this.slots[slot] = i + 1;
  }

  /**
   * From a `CLUSTER SHARDS` reply; `seedHost` replaces an empty or `?`
   * address. A node lists `port` (plain TCP), `tls-port`, or both (a
   * cluster with `tls-cluster yes` and a plain port too): a TLS client
   * (`tls`) takes the TLS port, a plain one the plain port, each falling
   * back to the other when the node has only one. (CLUSTER SLOTS and the
   * MOVED / ASK addresses need no choice: the server picks the port by the
   * asking connection's kind.)
   */
  static fromShards(reply: unknown, seedHost: string, tls = false): SlotMap {
    const ranges: Array<{ from: number; to: number; shard: ClusterShard }> = [];
    for (const entry of itemsOf(reply) ?? (reply instanceof Array ? reply : [])) {
      const f = fields(entry);
      const slots = (itemsOf(f.get('slots')) ?? []).map((x) => integerOf(x) ?? -1);
      let master: NodeAddress | null = null;
      const replicas: NodeAddress[] = [];
      for (const n of itemsOf(f.get('nodes')) ?? []) {
        const nf = fields(n);
        const health = textOf(nf.get('health')) ?? 'online';
        const plain = integerOf(nf.get('port'));
        const secure = integerOf(nf.get('tls-port'));
        const port = (tls ? (secure ?? plain) : (plain ?? secure)) ?? 0;
        if (port === 0) continue;
        const addr = nodeAddress(hostOf(textOf(nf.get('endpoint')) ?? textOf(nf.get('ip')), seedHost), port, textOf(nf.get('id')) ?? '');
        if (textOf(nf.get('role')) === 'master') {
          // A failed master keeps its role in some views until the promotion is seen.
          if (health !== 'fail' && (master === null || health === 'online')) master = addr;
        } else if (health !== 'fail') {
          // Not 'online' only: Redis 7.0 calls a replica 'loading' while its replication offset is 0.
          replicas.push(addr);
        }
      }
      if (master === null || slots.length < 2) continue;
      const shard = { master, replicas };
      for (let i = 0; i + 1 < slots.length; i += 2) ranges.push({ from: slots[i]!, to: slots[i + 1]!, shard });
    }
    return new SlotMap(ranges);
  }

  /** From a `CLUSTER SLOTS` reply: `[[from, to, [ip, port, id], replica...], ...]`. */
  static fromSlots(reply: unknown, seedHost: string): SlotMap {
    const ranges: Array<{ from: number; to: number; shard: ClusterShard }> = [];
    for (const entry of itemsOf(reply) ?? []) {
      const e = itemsOf(entry);
      if (e === null || e.length < 3) continue;
      const nodes = e.slice(2).map((n) => {
        const ni = itemsOf(n) ?? [];
        return nodeAddress(hostOf(textOf(ni[0]), seedHost), integerOf(ni[1]) ?? 0, textOf(ni[2]) ?? '');
      }).filter((n) => n.port > 0);
      if (nodes.length === 0) continue;
      ranges.push({ from: integerOf(e[0]) ?? 0, to: integerOf(e[1]) ?? -1, shard: { master: nodes[0]!, replicas: nodes.slice(1) } });
    }
    return new SlotMap(ranges);
  }
}

function hostOf(text: string | null, seedHost: string): string {
  return text === null || text === '' || text === '?' ? seedHost : text;
}

function fields(r: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (r instanceof Map) {
    for (const [k, v] of r) out.set(String(textOf(k) ?? k), v);
    return out;
  }
  const items = itemsOf(r) ?? [];
  for (let i = 0; i + 1 < items.length; i += 2) out.set(textOf(items[i]) ?? '', items[i + 1]);
  return out;
}

// ------------------------------------------------------------- redirects

/** A MOVED or ASK reply, parsed. */
export interface Redirect {
  readonly kind: 'moved' | 'ask';
  readonly slot: number;
  readonly to: NodeAddress;
}

/**
 * `MOVED 3999 127.0.0.1:6381` / `ASK 3999 127.0.0.1:6381` → a Redirect; null
 * for any other error text. An empty host (`:6381`, a node that does not
 * know its address) means the node that answered: `fromHost`.
 */
export function parseRedirect(message: string, fromHost: string): Redirect | null {
  const moved = message.startsWith('MOVED ');
  if (!moved && !message.startsWith('ASK ')) return null;
  const parts = message.split(' ');
  if (parts.length < 3) return null;
  const slot = Number(parts[1]);
  if (!Number.isInteger(slot) || slot < 0 || slot >= CLUSTER_SLOTS) return null;
  const raw = parts[2]!;
  const to = parseAddress(raw.startsWith(':') ? `${fromHost}${raw}` : raw);
  if (to === null) return null;
  return { kind: moved ? 'moved' : 'ask', slot, to };
}

/**
 * TRYAGAIN (a multi-key command during a slot's migration, with its keys
 * split), CLUSTERDOWN (no quorum, or the slot's master failed and no replica
 * took over yet), MASTERDOWN (a replica lost its master): the same command
 * may work after a pause.
 */
export function isRetryableClusterError(message: string): boolean {
  return message.startsWith('TRYAGAIN') || message.startsWith('CLUSTERDOWN') || message.startsWith('MASTERDOWN');
}

// ---------------------------------------------------------------- routing

/** A multi-key command or transaction whose keys are in different slots: refused before sending. */
export class CrossSlotError extends Error {
  override readonly name = 'CrossSlotError';
  readonly code = 'ERR_CROSSSLOT';
  constructor(
    readonly command: string,
    /** Two of the slots involved. */
    readonly slots: readonly [number, number],
  ) {
    super(
      `${command}: keys in different hash slots (${slots[0]} and ${slots[1]}) cannot be used together in a cluster; ` +
        `give them a common {hash tag} so they share a slot. Not sent.`,
    );
  }
}

/** -1 when there are no keys. */
export const NO_SLOT = -1;

/** The one slot of the keys at `indices` in `argv`; NO_SLOT without keys; throws CrossSlotError when they differ. */
export function slotOfKeys(argv: readonly CommandArgument[], indices: readonly number[]): number {
  let slot = NO_SLOT;
  for (const i of indices) {
    const s = keySlot(argv[i]!);
    if (slot === NO_SLOT) slot = s;
    else if (s !== slot) throw new CrossSlotError(String(textOf(argv[0]) ?? argv[0]).toUpperCase(), [slot, s]);
  }
  return slot;
}
