/**
 * Client-side caching: RESP3 `CLIENT TRACKING ON` on a connection of its
 * own, and an in-process cache of read-only single-key replies that the
 * server's `invalidate` pushes empty. The connection is the client's
 * duplicate with `protocol: 3`; on every (re)connect it turns tracking on and
 * drops the whole cache, since invalidations sent while the link was down
 * were lost.
 *
 * What is cached: commands the table flags `readonly`, with exactly one key
 * and no nondeterministic output (GET, HGETALL, LRANGE, ZSCORE, ...; not
 * SRANDMEMBER or HRANDFIELD, which the table tips as nondeterministic), keyed
 * by their whole argv. A read that an invalidation of its key overtakes
 * while in flight is answered but not stored (it might predate the write).
 * Bounded: at most `maxEntries` replies and about `maxBytes` bytes of keys
 * and reply text; the least recently used go first.
 */
import { specOfArgv, keyIndexes, prefixKeys } from '@reactor-ts/commands';
import type { CommandArgument, PushFrame } from '@reactor-ts/resp';
import type { RedisClient } from './client.js';
import { CommandMethods, type SendOptions } from './commands.js';

export interface ClientCacheOptions {
  /** Most cached replies. Default 10,000. */
  maxEntries?: number;
  /** About the most bytes of cached keys and replies. Default 16 MiB. */
  maxBytes?: number;
}

export interface ClientCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  entries: number;
  bytes: number;
}

type Arg = CommandArgument;

interface Entry {
  readonly key: string;
  readonly reply: unknown;
  readonly bytes: number;
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length * 2;
  if (Buffer.isBuffer(v)) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + sizeOf(x), 16);
  if (v instanceof Map) return [...v].reduce((n: number, [k, x]) => n + sizeOf(k) + sizeOf(x), 16);
  if (v instanceof Set) return [...v].reduce((n: number, x) => n + sizeOf(x), 16);
  return 8;
}

function text(a: Arg): string {
  return typeof a === 'string' ? a : typeof a === 'number' || typeof a === 'bigint' ? String(a) : Buffer.from(a).toString('latin1');
}

/** A client whose cacheable reads are answered from memory until the server invalidates them. */
export class CachingClient extends CommandMethods {
  /** argv text → entry; Map order is recency (oldest first). */
  private readonly entries = new Map<string, Entry>();
  /** Redis key → the argv texts cached for it. */
  private readonly byKey = new Map<string, Set<string>>();
  /** Keys with a read in flight, and whether an invalidation overtook it. */
  private readonly inFlight = new Map<string, { n: number; stale: boolean }>();
  private bytes = 0;
  private readonly stat = { hits: 0, misses: 0, invalidations: 0 };

  /** @internal use createCachingClient */
  constructor(
    readonly conn: RedisClient,
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    /**
     * The client's keyPrefix, applied here rather than by `conn`: the cache
     * must index replies by the keys as stored, which `invalidate` names.
     */
    private readonly prefix: string | Buffer | null = null,
  ) {
    super();
  }

  get stats(): ClientCacheStats {
    return { ...this.stat, entries: this.entries.size, bytes: this.bytes };
  }

  override describeServer(): string | undefined {
    return this.conn.describeServer();
  }

  /**
   * Buffer replies bypass the cache (its entries are in the connection's
   * string mode); a signal rejects at once (raceSignal), a hit first.
   */
  override sendArgvWith(argv: Arg[], opts: SendOptions): Promise<unknown> {
    if (opts.buffers === true) return this.conn.sendArgvWith(this.prefix === null ? argv : prefixKeys(argv, this.prefix), opts);
    return super.sendArgvWith(argv, opts);
  }

  sendArgv(argv: Arg[]): Promise<unknown> {
    if (this.prefix !== null) argv = prefixKeys(argv, this.prefix);
    const spec = specOfArgv(argv);
    const at = spec !== undefined && spec.flags.includes('readonly') && !spec.tips.includes('nondeterministic_output') ? keyIndexes(argv) : [];
    if (at.length !== 1) return this.conn.sendArgv(argv);
    const key = text(argv[at[0]!]!);
    const id = argv.map(text).join('\u0000');
    const hit = this.entries.get(id);
    if (hit !== undefined) {
      this.stat.hits++;
      this.entries.delete(id);
      this.entries.set(id, hit);
      return Promise.resolve(hit.reply);
    }
    this.stat.misses++;
    const f = this.inFlight.get(key) ?? { n: 0, stale: false };
    f.n++;
    this.inFlight.set(key, f);
    const done = (): boolean => {
      const stale = f.stale;
      if (--f.n === 0) this.inFlight.delete(key);
      return stale;
    };
    return this.conn.sendArgv(argv).then(
      (reply) => {
        if (!done()) this.store(id, key, reply);
        return reply;
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
  }

  private store(id: string, key: string, reply: unknown): void {
    const bytes = id.length * 2 + sizeOf(reply);
    if (bytes > this.maxBytes) return;
    this.drop(id);
    this.entries.set(id, { key, reply, bytes });
    this.bytes += bytes;
    let ids = this.byKey.get(key);
    if (ids === undefined) this.byKey.set(key, (ids = new Set()));
    ids.add(id);
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    this.entries.delete(id);
    this.bytes -= e.bytes;
    const ids = this.byKey.get(e.key);
    ids?.delete(id);
    if (ids?.size === 0) this.byKey.delete(e.key);
  }

  /** An `invalidate` push: its keys, or null for everything (FLUSHDB / FLUSHALL). */
  invalidate(keys: readonly unknown[] | null): void {
    this.stat.invalidations++;
    if (keys === null) {
      this.clear();
      for (const f of this.inFlight.values()) f.stale = true;
      return;
    }
    for (const k of keys) {
      const key = Buffer.isBuffer(k) ? k.toString('latin1') : String(k);
      for (const id of [...(this.byKey.get(key) ?? [])]) this.drop(id);
      const f = this.inFlight.get(key);
      if (f !== undefined) f.stale = true;
    }
  }

  /** Forgets every cached reply. */
  clear(): void {
    this.entries.clear();
    this.byKey.clear();
    this.bytes = 0;
  }

  /** Closes the caching connection. */
  async close(): Promise<void> {
    this.clear();
    await this.conn.quit().catch(() => this.conn.disconnect());
  }
}

/** A caching client over a RESP3 duplicate of `client` (same URL and options); resolves once connected. */
export async function createCachingClient(client: RedisClient, opts: ClientCacheOptions = {}): Promise<CachingClient> {
  let cache: CachingClient | undefined;
  const prefix = client.keyPrefix ?? null;
  const conn = client.duplicate({
    protocol: 3,
    keyPrefix: undefined,
    onPush: (frame: PushFrame) => {
      const [kind, keys] = frame.items;
      if (cache !== undefined && String(kind) === 'invalidate') cache.invalidate(Array.isArray(keys) ? keys : null);
    },
  });
  cache = new CachingClient(conn, opts.maxEntries ?? 10_000, opts.maxBytes ?? 16 * 1024 * 1024, prefix);
  const c = cache;
  conn.onLink((link) => {
    c.clear();
    void link.sendArgv(['CLIENT', 'TRACKING', 'ON']).catch(() => undefined);
  });
  await conn.connect();
  return cache;
}
