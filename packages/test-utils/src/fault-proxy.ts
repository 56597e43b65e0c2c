/**
 * FaultProxy: a TCP proxy on a free loopback port that sits between a client
 * under test and a real server, and breaks the network on command.
 *
 *   client ──▶ proxy.port ══ Pipe(toServer) ══▶ target
 *          ◀──            ══ Pipe(toClient) ══◀
 *
 * Each accepted connection is a pair of sockets joined by two Pipes, one per
 * direction. A Pipe holds what its source sent and forwards it according to
 * the proxy's current faults:
 * - dribble: in pieces of `minBytes..maxBytes` bytes, one piece per turn of
 *   the event loop, with a random pause now and then (seeded, so a failing
 *   run can be replayed);
 * - resetAfter: each new connection draws a byte budget; when that many bytes
 *   have crossed (both directions counted), both sockets are reset (RST), in
 *   the middle of whatever was being sent;
 * - blackhole: nothing is forwarded and new connections are accepted but not
 *   joined to the target, as when a route drops every packet: bytes are held
 *   (as TCP would retransmit them) and flow again when the blackhole ends,
 *   unless the connection was reset meanwhile;
 * - halfClose(): the client side receives a FIN (its peer "closed") while the
 *   proxy keeps reading what it sends and drops it, a half-open connection.
 *
 * Memory stays bounded: a Pipe holding more than `highWaterMark` bytes pauses
 * its source socket, so the kernel pushes back instead of the proxy growing.
 * Only loopback addresses are used.
 */
import net from 'node:net';
import { rng } from './fuzz-random.js';

/** Where the proxy forwards to. */
export interface ProxyTarget {
  host?: string;
  port: number;
}

export interface DribbleOptions {
  /** Smallest piece forwarded at a time; default 1. */
  minBytes?: number;
  /** Largest piece; default 7. */
  maxBytes?: number;
  /** Chance that a piece waits `1..maxPauseMs` ms instead of the next turn; default 0.01. */
  pauseChance?: number;
  /** Longest such pause; default 3 ms. */
  maxPauseMs?: number;
}

export interface FaultProxyOptions {
  target: ProxyTarget;
  /** Seed of the proxy's random choices (piece sizes, pauses, reset budgets); default 1. */
  seed?: number;
  /** Bytes a Pipe may hold before it pauses its source; default 1 MiB. */
  highWaterMark?: number;
}

/** Counters a test can check after a run. */
export interface ProxyStats {
  /** Connections accepted since start. */
  accepted: number;
  /** Connections open now. */
  open: number;
  /** Connections reset by `resetAfter` or `resetAll()`. */
  resets: number;
  /** Bytes forwarded client → server and server → client. */
  bytesToServer: number;
  bytesToClient: number;
}

export interface FaultProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:PORT`, plus the target URL's credentials if given to `urlWith`. */
  readonly url: string;
  /** This proxy's address with the auth part of a real server's URL (`redis://:pw@...`). */
  urlWith(targetUrl: string): string;
  /** Forward in small pieces from now on (both directions); `false` turns it off. */
  dribble(opts?: DribbleOptions | false): void;
  /** Give each NEW connection a budget of `min..max` bytes, then reset it; `false` turns it off. */
  resetAfter(range: { min: number; max: number } | false): void;
  /** Reset every open connection now (RST on both sides). */
  resetAll(): void;
  /** Stop forwarding; with `ms`, heal by itself after that long. */
  blackhole(ms?: number): void;
  /** End a blackhole: held bytes and held connections flow again. */
  heal(): void;
  /** Half-close every open connection: FIN to the client, its writes dropped. */
  halfClose(): void;
  /** Whether a blackhole is in force. */
  readonly blackholed: boolean;
  stats(): ProxyStats;
  /** Close the listener and every connection. Idempotent. */
  close(): Promise<void>;
}

/** Starts a proxy to `opts.target` on a free 127.0.0.1 port. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new Proxy(opts);
  await proxy.listen();
  return proxy;
}


interface Dribble {
  minBytes: number;
  maxBytes: number;
  pauseChance: number;
  maxPauseMs: number;
}

class Proxy implements FaultProxy {
  readonly host = '127.0.0.1' as const;
  port = 0;
  private readonly server: net.Server;
  private readonly links = new Set<Link>();
  readonly random: () => number;
  readonly highWaterMark: number;
  dribbling: Dribble | null = null;
  private resetRange: { min: number; max: number } | null = null;
  private hole = false;
  private healTimer: NodeJS.Timeout | null = null;
  private closed = false;
  readonly counters: ProxyStats = { accepted: 0, open: 0, resets: 0, bytesToServer: 0, bytesToClient: 0 };

  constructor(readonly opts: FaultProxyOptions) {
    this.random = rng(opts.seed ?? 1);
    this.highWaterMark = opts.highWaterMark ?? 1 << 20;
    // Half-open allowed on both sides: a client's FIN is forwarded as a FIN,
    // and the server may still answer, as without the proxy.
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  urlWith(targetUrl: string): string {
    const u = new URL(targetUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get blackholed(): boolean {
    return this.hole;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        const addr = this.server.address();
        this.port = typeof addr === 'object' && addr !== null ? addr.port : 0;
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    this.counters.accepted++;
    this.counters.open++;
    const budget = this.resetRange
      ? this.resetRange.min + Math.floor(this.random() * (this.resetRange.max - this.resetRange.min + 1))
      : Infinity;
    const link = new Link(this, client, budget);
    this.links.add(link);
    link.onClose = () => {
      this.links.delete(link);
      this.counters.open--;
    };
    if (!this.hole) link.join();
  }

  dribble(o?: DribbleOptions | false): void {
    if (o === false) {
      this.dribbling = null;
    } else {
      const minBytes = Math.max(1, o?.minBytes ?? 1);
      this.dribbling = {
        minBytes,
        maxBytes: Math.max(minBytes, o?.maxBytes ?? 7),
        pauseChance: o?.pauseChance ?? 0.01,
        maxPauseMs: Math.max(1, o?.maxPauseMs ?? 3),
      };
    }
    for (const link of this.links) link.pump();
  }

  resetAfter(range: { min: number; max: number } | false): void {
    if (range !== false && (range.min < 0 || range.max < range.min)) {
      throw new RangeError(`resetAfter: need 0 <= min <= max, got ${range.min}..${range.max}`);
    }
    this.resetRange = range === false ? null : { ...range };
  }

  resetAll(): void {
    for (const link of [...this.links]) link.reset();
  }

  blackhole(ms?: number): void {
    this.hole = true;
    if (this.healTimer) clearTimeout(this.healTimer);
    this.healTimer = ms === undefined ? null : setTimeout(() => this.heal(), ms);
  }

  heal(): void {
    if (this.healTimer) clearTimeout(this.healTimer);
    this.healTimer = null;
    this.hole = false;
    for (const link of this.links) {
      link.join();
      link.pump();
    }
  }

  halfClose(): void {
    for (const link of this.links) link.halfClose();
  }

  stats(): ProxyStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.healTimer) clearTimeout(this.healTimer);
    for (const link of [...this.links]) link.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** One proxied connection: the client's socket, the target's, and a Pipe each way. */
class Link {
  private upstream: net.Socket | null = null;
  private readonly toServer: Pipe;
  private readonly toClient: Pipe;
  private done = false;
  /** Client writes are read and dropped after halfClose(). */
  private halfClosed = false;
  onClose: () => void = () => undefined;

  constructor(
    private readonly proxy: Proxy,
    private readonly client: net.Socket,
    /** Bytes left before this connection is reset (Infinity: never). */
    private budget: number,
  ) {
    this.toServer = new Pipe(proxy, client, 'toServer', this);
    this.toClient = new Pipe(proxy, null, 'toClient', this);
    this.toClient.sink = client;
    // No Nagle: a dribbled piece leaves when written, as on a slow link,
    // instead of waiting for the peer's delayed ACK (40 ms a piece).
    client.setNoDelay(true);
    client.on('data', (d: Buffer) => {
      if (!this.halfClosed) this.toServer.push(d);
    });
    client.on('end', () => this.toServer.endLater());
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
  }

  /** Connect to the target (once); held bytes flow when it is up. */
  join(): void {
    if (this.upstream || this.done) return;
    const t = this.proxy.opts.target;
    const up = net.connect({ host: t.host ?? '127.0.0.1', port: t.port, allowHalfOpen: true, noDelay: true });
    this.upstream = up;
    this.toClient.source = up;
    up.on('connect', () => {
      this.toServer.sink = up;
      this.toServer.pump();
    });
    up.on('data', (d: Buffer) => this.toClient.push(d));
    up.on('end', () => this.toClient.endLater());
    // After halfClose() the target side is dropped on purpose; the client
    // side stays open until the client closes it.
    up.on('error', () => this.halfClosed || this.destroy());
    up.on('close', () => this.halfClosed || this.destroy());
  }

  /** Called by a Pipe before it forwards `n` bytes: how many may go before the reset. */
  allowance(n: number): number {
    return Math.min(n, this.budget);
  }

  spend(n: number): void {
    this.budget -= n;
    if (this.budget <= 0) this.reset();
  }

  pump(): void {
    this.toServer.pump();
    this.toClient.pump();
  }

  halfClose(): void {
    if (this.done || this.halfClosed) return;
    this.halfClosed = true;
    this.toServer.clear();
    this.toClient.clear();
    this.upstream?.destroy();
    this.upstream = null;
    this.client.end();
  }

  reset(): void {
    if (this.done) return;
    this.proxy.counters.resets++;
    this.client.resetAndDestroy();
    if (this.upstream && !this.upstream.connecting) this.upstream.resetAndDestroy();
    else this.upstream?.destroy();
    this.destroy();
  }

  destroy(): void {
    if (this.done) return;
    this.done = true;
    this.toServer.clear();
    this.toClient.clear();
    this.client.destroy();
    this.upstream?.destroy();
    this.onClose();
  }
}

/** One direction of a Link: bytes held from `source`, forwarded to `sink`. */
class Pipe {
  private readonly held: Buffer[] = [];
  private heldBytes = 0;
  private ending = false;
  private scheduled = false;
  sink: net.Socket | null = null;

  constructor(
    private readonly proxy: Proxy,
    public source: net.Socket | null,
    private readonly direction: 'toServer' | 'toClient',
    private readonly link: Link,
  ) {}

  push(d: Buffer): void {
    this.held.push(d);
    this.heldBytes += d.length;
    if (this.heldBytes > this.proxy.highWaterMark) this.source?.pause();
    this.pump();
  }

  endLater(): void {
    this.ending = true;
    this.pump();
  }

  clear(): void {
    this.held.length = 0;
    this.heldBytes = 0;
  }

  /** Forward what the current faults allow; re-arms itself while dribbling. */
  pump(): void {
    if (this.scheduled || this.proxy.blackholed || !this.sink || this.sink.destroyed) return;
    const dribble = this.proxy.dribbling;
    if (!dribble) {
      while (this.held.length > 0) if (!this.forward(this.held[0]!.length)) return;
    } else if (this.held.length > 0) {
      const size = dribble.minBytes + Math.floor(this.proxy.random() * (dribble.maxBytes - dribble.minBytes + 1));
      if (!this.forward(size)) return;
      if (this.held.length > 0) {
        this.scheduled = true;
        const next = (): void => {
          this.scheduled = false;
          this.pump();
        };
        if (this.proxy.random() < dribble.pauseChance) {
          setTimeout(next, 1 + Math.floor(this.proxy.random() * dribble.maxPauseMs));
        } else {
          setImmediate(next);
        }
        return;
      }
    }
    if (this.held.length === 0) {
      this.source?.resume();
      if (this.ending) this.sink.end();
    }
  }

  /** Sends up to `max` bytes from the head of the queue; false once the link is gone. */
  private forward(max: number): boolean {
    const head = this.held[0]!;
    const n = this.link.allowance(Math.min(max, head.length));
    if (n > 0) {
      this.sink!.write(n === head.length ? head : head.subarray(0, n));
      if (n === head.length) this.held.shift();
      else this.held[0] = head.subarray(n);
      this.heldBytes -= n;
      if (this.direction === 'toServer') this.proxy.counters.bytesToServer += n;
      else this.proxy.counters.bytesToClient += n;
    }
    this.link.spend(n);
    return !this.sink!.destroyed;
  }
}
