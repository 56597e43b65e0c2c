/**
 * createSentinel: a client for a Redis deployment behind Sentinel. It asks
 * the sentinels where the master (or a replica) is, talks to that node with
 * an ordinary RedisClient, and moves to the new node when the sentinels
 * announce a failover (`+switch-master`) or when the node's connection drops.
 *
 *   sentinels ──get-master-addr-by-name──▶ node client (ROLE checked) ──commands──▶ master
 *       │                                        ▲
 *       └─ one of them: SUBSCRIBE +switch-master ┘ switch: old node quits, commands wait
 *
 * Invariants:
 * - A command goes only to a node whose ROLE was checked after the sentinels
 *   named it, and never to a node after the client learned it was replaced:
 *   from the moment a switch starts (+switch-master, a dropped connection, a
 *   READONLY reply) new commands wait, bounded by `switchTimeout` and
 *   `waitQueueLimit`, and go to the next node in the order they were issued.
 * - Commands already in flight on the old node are not moved: its
 *   connection quits politely, so they settle with the old node's reply, or
 *   with a ConnectionError ("may have run") if it died. A READONLY reply
 *   means the command did not run: a single command is re-sent to the new
 *   master (at most MAX_READONLY_RETRIES times); a batch is never split and
 *   settles as the node answered it.
 * - The node client never reconnects by itself (its offline queue could
 *   otherwise send to a demoted master); this file decides where to go.
 * - Sentinels that are down, do not know `name`, or name a node whose ROLE
 *   disagrees are skipped; the one that answered moves to the front, and
 *   its `SENTINEL sentinels` reply adds the others it knows.
 */
import type { ClientTlsOptions } from '@reactor-ts/reactor';
import type { CommandArgument } from '@reactor-ts/resp';
import { createClient, type ClientOptions, type RedisClient } from './client.js';
import { CommandMethods, type SendOptions } from './commands.js';
import { raceSignal } from './abort.js';
import { ClientClosedError, ConnectionError, OfflineQueueFullError, ReplyError } from './errors.js';
import { Pipeline, Transaction, type BatchOptions, type BatchTarget } from './pipeline.js';
import type { MessageListener } from './pubsub.js';
import type { Batch } from './settle.js';
import { parseRedisUrl } from './url.js';

/** Options of `createSentinel`: where the sentinels are, which node, and the node client's options. */
export interface SentinelOptions extends Omit<ClientOptions, 'url' | 'reconnect'> {
  /** Sentinel URLs, `redis://host:port` (a password in the URL is the sentinel's). At least one. */
  sentinels: string[];
  /** The monitored master's name (`sentinel monitor NAME ...`). */
  name: string;
  /** 'master' (default): reads and writes; 'replica': a replica the sentinels consider healthy. */
  role?: 'master' | 'replica';
  /** requirepass of the sentinels (unless their URLs carry it). */
  sentinelPassword?: string;
  /** ACL user of the sentinels. */
  sentinelUsername?: string;
  /**
   * TLS to the sentinels (node:tls options, or true for the defaults); on by
   * itself for rediss:// sentinel URLs. The data nodes follow `tls`, as
   * createClient's does.
   */
  sentinelTls?: ClientTlsOptions | boolean;
  /** The data nodes' password, ACL user and database. */
  password?: string;
  username?: string;
  db?: number;
  /** Longest a command waits for a node during a switch, ms (then ConnectionError, not sent). Default 30,000. */
  switchTimeout?: number;
  /** Most commands waiting during a switch; past it OfflineQueueFullError. Default 100,000. */
  waitQueueLimit?: number;
}

interface Address {
  host: string;
  port: number;
}

interface Subscription {
  kind: 'subscribe' | 'psubscribe' | 'ssubscribe';
  names: readonly string[];
  listener: MessageListener<unknown>;
}

type SentinelState = 'idle' | 'switching' | 'ready' | 'closed';

const DEFAULT_SWITCH_TIMEOUT = 30_000;
const DEFAULT_WAIT_LIMIT = 100_000;
const SENTINEL_TIMEOUT = 1_000;
const HEALTH_MS = 100;
const MAX_READONLY_RETRIES = 3;
/** Longest the old master stays fenced without a +switch-master (see onFailoverEvent). */
const FENCE_MS = 10_000;
/** The leader's failover steps that fence the old master, and those that lift the fence. */
const FENCE_EVENTS = [
  '+failover-state-send-slaveof-noone',
  '+promoted-slave',
  '-failover-abort-not-elected',
  '-failover-abort-no-good-slave',
  '-failover-abort-slave-timeout',
];

const key = (a: Address): string => `${a.host}:${a.port}`;

export class SentinelClient extends CommandMethods implements BatchTarget {
  private readonly opts: SentinelOptions;
  /** Which node it follows (the option `role`; not named role, which is the ROLE command's method). */
  private readonly wantRole: 'master' | 'replica';
  private sentinels: Address[];
  private readonly sentinelAuth: { username?: string; password?: string };
  /** The sentinels speak TLS (a rediss:// URL or sentinelTls). */
  private readonly sentinelTls: ClientTlsOptions | boolean | undefined;
  private stateNow: SentinelState = 'idle';
  /** The data node's client, usable while state is 'ready'. */
  private node: RedisClient | null = null;
  private nodeAt: Address | null = null;
  /** The sentinel connection subscribed to +switch-master. */
  private watch: RedisClient | null = null;
  private watchAt: string | null = null;
  /** Commands waiting for the next node, in issue order. */
  private waiters: Array<{ go: (node: RedisClient) => void; fail: (err: Error) => void; timer: NodeJS.Timeout }> = [];
  private readonly subs: Subscription[] = [];
  private health: NodeJS.Timeout | null = null;
  /** The old master while its replica is being promoted (see onFailoverEvent). */
  private fence: { at: string; until: number } | null = null;
  private connecting: Promise<this> | null = null;
  /** Moves from one node to another completed (the first connect is not one). */
  switches = 0;
  private everReady = false;

  constructor(opts: SentinelOptions) {
    super();
    if (!Array.isArray(opts.sentinels) || opts.sentinels.length === 0) {
      throw new TypeError('createSentinel: sentinels must be a non-empty list of redis:// URLs');
    }
    if (typeof opts.name !== 'string' || opts.name === '') throw new TypeError('createSentinel: name is required');
    if (opts.role !== undefined && opts.role !== 'master' && opts.role !== 'replica') {
      throw new TypeError(`createSentinel: role must be 'master' or 'replica', got ${String(opts.role)}`);
    }
    this.opts = opts;
    this.wantRole = opts.role ?? 'master';
    this.sentinelAuth = {};
    let tls = false;
    this.sentinels = opts.sentinels.map((u) => {
      const ep = parseRedisUrl(u);
      if (ep.tls === true) tls = true;
      if (ep.host === undefined || ep.port === undefined) throw new TypeError(`createSentinel: ${u} is not a TCP address`);
      if (ep.password !== undefined) this.sentinelAuth.password ??= ep.password;
      if (ep.username !== undefined) this.sentinelAuth.username ??= ep.username;
      return { host: ep.host, port: ep.port };
    });
    if (opts.sentinelPassword !== undefined) this.sentinelAuth.password = opts.sentinelPassword;
    if (opts.sentinelUsername !== undefined) this.sentinelAuth.username = opts.sentinelUsername;
    this.sentinelTls = opts.sentinelTls ?? (tls ? true : undefined);
  }

  /** 'ready' while a checked node serves; 'switching' while looking for one. */
  get state(): SentinelState {
    return this.stateNow;
  }

  /** The node commands go to now, or null while switching. */
  get address(): Address | null {
    return this.stateNow === 'ready' ? this.nodeAt : null;
  }

  /** The sentinels known now, the last one that answered first. */
  get knownSentinels(): readonly Address[] {
    return this.sentinels;
  }

  /** Commands waiting for a node. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Finds the node and connects; resolves once commands can go (or rejects after switchTimeout). */
  connect(): Promise<this> {
    if (this.stateNow === 'closed') return Promise.reject(new ClientClosedError('connect() on a closed sentinel client'));
    if (this.connecting === null) {
      if (this.stateNow === 'idle') this.startSwitch(null);
      this.connecting = this.nodeNow().then(() => this);
      this.connecting.catch(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  sendArgv(argv: CommandArgument[]): Promise<unknown> {
    return this.sendTo(argv, 0, null);
  }

  /**
   * On a ready node, the node's own handling of the options. While no node
   * is ready, an abort rejects at once (raceSignal), and the node's client,
   * seeing the signal fired, then refuses to send it.
   */
  override sendArgvWith(argv: CommandArgument[], opts: SendOptions): Promise<unknown> {
    const send = (): Promise<unknown> => this.sendTo(argv, 0, opts);
    return opts.signal === undefined || this.readyNode() !== null ? send() : raceSignal(opts.signal, this.describeServer(), send);
  }

  sendBatch(commands: CommandArgument[][], batch: Batch): void {
    const node = this.readyNode();
    if (node !== null) {
      node.sendBatch(commands, batch);
      return;
    }
    this.nodeNow().then(
      (n) => n.sendBatch(commands, batch),
      (err: Error) => {
        for (let i = 0; i < commands.length; i++) batch.reject(err);
      },
    );
  }

  pipeline(opts?: BatchOptions): Pipeline {
    return new Pipeline<[]>(this, opts);
  }

  multi(opts?: BatchOptions): Transaction {
    return new Transaction<[]>(this, opts);
  }

  /** SUBSCRIBE on the current node, and again on every node after a switch. */
  subscribe<M = string>(channels: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return this.addSub('subscribe', channels, listener);
  }
  psubscribe<M = string>(patterns: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return this.addSub('psubscribe', patterns, listener);
  }
  ssubscribe<M = string>(channels: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    return this.addSub('ssubscribe', channels, listener);
  }
  /** Drops the subscriptions to `channels` (all with no argument), here and on later nodes. */
  unsubscribe(channels?: string | readonly string[]): Promise<number> {
    return this.removeSub('subscribe', channels);
  }
  punsubscribe(patterns?: string | readonly string[]): Promise<number> {
    return this.removeSub('psubscribe', patterns);
  }
  sunsubscribe(channels?: string | readonly string[]): Promise<number> {
    return this.removeSub('ssubscribe', channels);
  }

  /** QUIT on the node and the sentinel watch; waiting commands fail with ClientClosedError. */
  async quit(): Promise<'OK'> {
    const node = this.close(new ClientClosedError('sentinel client quit; the command was not sent'));
    await Promise.all([node?.quit().catch(() => 'OK'), this.dropWatch()]);
    return 'OK';
  }

  /** Drops every connection now; in-flight commands fail with ConnectionError. */
  async disconnect(): Promise<void> {
    const node = this.close(new ClientClosedError('sentinel client disconnected; the command was not sent'));
    await Promise.all([node?.disconnect(), this.dropWatch()]);
  }

  // ---- commands ----------------------------------------------------------

  private readyNode(): RedisClient | null {
    return this.stateNow === 'ready' && this.node !== null && this.node.state === 'ready' ? this.node : null;
  }

  private sendTo(argv: CommandArgument[], attempt: number, opts: SendOptions | null): Promise<unknown> {
    const node = this.readyNode();
    const on = (n: RedisClient): Promise<unknown> => (opts === null ? n.sendArgv(argv) : n.sendArgvWith(argv, opts));
    const sent = node !== null ? on(node) : this.nodeNow().then(on);
    return sent.catch((err: unknown) => this.afterFailure(err, argv, attempt, opts));
  }

  private afterFailure(err: unknown, argv: CommandArgument[], attempt: number, opts: SendOptions | null): Promise<unknown> {
    if (err instanceof ReplyError && /^READONLY\b/.test(err.message) && this.wantRole === 'master' && this.stateNow !== 'closed') {
      // The node was demoted under us; READONLY means the command did not run.
      this.startSwitch(this.nodeAt);
      if (attempt < MAX_READONLY_RETRIES) return this.sendTo(argv, attempt + 1, opts);
    } else if (err instanceof ConnectionError && this.stateNow === 'ready' && this.node?.state !== 'ready') {
      this.startSwitch(this.nodeAt);
    }
    return Promise.reject(err);
  }

  /** The node once one is ready: now, or after the switch (bounded). */
  private nodeNow(): Promise<RedisClient> {
    const node = this.readyNode();
    if (node !== null) return Promise.resolve(node);
    if (this.stateNow === 'closed') return Promise.reject(new ClientClosedError('the sentinel client is closed; command not sent'));
    if (this.stateNow === 'idle') this.startSwitch(null);
    if (this.waiters.length >= (this.opts.waitQueueLimit ?? DEFAULT_WAIT_LIMIT)) {
      return Promise.reject(new OfflineQueueFullError(this.opts.waitQueueLimit ?? DEFAULT_WAIT_LIMIT));
    }
    return new Promise<RedisClient>((resolve, reject) => {
      const ms = this.opts.switchTimeout ?? DEFAULT_SWITCH_TIMEOUT;
      const w = {
        go: resolve,
        fail: reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new ConnectionError(`no ${this.wantRole} for '${this.opts.name}' within ${ms} ms (sentinels: ${this.sentinels.map(key).join(', ')}); the command was not sent`, 'ERR_NO_NODE'));
        }, ms),
      };
      this.waiters.push(w);
    });
  }

  private addSub<M>(kind: Subscription['kind'], names: string | readonly string[], listener: MessageListener<M>): Promise<number> {
    const sub: Subscription = { kind, names: typeof names === 'string' ? [names] : [...names], listener: listener as MessageListener<unknown> };
    this.subs.push(sub);
    return this.nodeNow().then((n) => n[kind](sub.names, sub.listener));
  }

  private async removeSub(kind: Subscription['kind'], channels: string | readonly string[] | undefined): Promise<number> {
    const names = channels === undefined ? null : typeof channels === 'string' ? [channels] : [...channels];
    for (let i = this.subs.length - 1; i >= 0; i--) {
      const s = this.subs[i]!;
      if (s.kind !== kind) continue;
      s.names = names === null ? [] : s.names.filter((n) => !names.includes(n));
      if (s.names.length === 0) this.subs.splice(i, 1);
    }
    const node = await this.nodeNow();
    const verb = kind === 'subscribe' ? 'unsubscribe' : kind === 'psubscribe' ? 'punsubscribe' : 'sunsubscribe';
    return names === null ? node[verb]() : node[verb](names);
  }

  // ---- switching ---------------------------------------------------------

  /** From now on commands wait; `from` (the node being left) is quit. Idempotent while switching. */
  private startSwitch(from: Address | null): void {
    if (this.stateNow === 'closed' || this.stateNow === 'switching') return;
    if (from !== null && this.nodeAt !== null && key(from) !== key(this.nodeAt)) return;
    this.stateNow = 'switching';
    const old = this.node;
    this.node = null;
    this.nodeAt = null;
    // In-flight replies still arrive; nothing new is handed to it.
    if (old !== null) void old.quit().catch(() => undefined);
    this.health ??= setInterval(() => this.checkHealth(), HEALTH_MS);
    this.health.unref();
    void this.findNode();
  }

  private checkHealth(): void {
    if (this.stateNow === 'ready' && this.node !== null && this.node.state !== 'ready') this.startSwitch(this.nodeAt);
    if (this.stateNow !== 'closed' && this.watch !== null && this.watch.state === 'closed') {
      this.watch = null;
      this.watchAt = null;
      void this.openWatch();
    }
  }

  /** Asks the sentinels in turn until a node with the right ROLE answers; retries with a short pause. */
  private async findNode(): Promise<void> {
    let pause = 50;
    while (this.stateNow === 'switching') {
      for (const s of [...this.sentinels]) {
        if (this.stateNow !== 'switching') return;
        const at = await this.askSentinel(s).catch(() => null);
        if (at === null || this.isFenced(at)) continue;
        const node = await this.openNode(at);
        if (node === null) continue;
        if (this.stateNow !== 'switching') {
          void node.quit().catch(() => undefined);
          return;
        }
        this.sentinels = [s, ...this.sentinels.filter((x) => key(x) !== key(s))];
        this.becomeReady(node, at);
        void this.refreshSentinels(s);
        if (this.watch === null) void this.openWatch();
        return;
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, this.fence !== null ? 100 : 500);
    }
  }

  private becomeReady(node: RedisClient, at: Address): void {
    this.node = node;
    this.nodeAt = at;
    this.stateNow = 'ready';
    if (this.everReady) this.switches++;
    this.everReady = true;
    for (const sub of this.subs) void node[sub.kind](sub.names, sub.listener).catch(() => undefined);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.go(node);
    }
  }

  /** A node client for `at` if its ROLE is the one asked for, else null (and closed). */
  private async openNode(at: Address): Promise<RedisClient | null> {
    const o: ClientOptions = { ...this.opts, url: this.nodeUrl(at), reconnect: false };
    delete (o as Partial<SentinelOptions>).sentinels;
    const node = createClient(o);
    try {
      await node.connect();
      const role = await node.sendArgv(['ROLE']);
      const first = Array.isArray(role) ? String(role[0]) : '';
      if (first === (this.wantRole === 'master' ? 'master' : 'slave')) return node;
    } catch {
      // Down or refusing: the next sentinel's answer may be better.
    }
    await node.disconnect();
    return null;
  }

  private nodeUrl(at: Address): string {
    const o = this.opts;
    const auth =
      o.password === undefined ? '' : `${o.username === undefined ? '' : encodeURIComponent(o.username)}:${encodeURIComponent(o.password)}@`;
    const host = at.host.includes(':') ? `[${at.host}]` : at.host;
    return `redis://${auth}${host}:${at.port}${o.db === undefined ? '' : `/${o.db}`}`;
  }

  private sentinelClient(s: Address): RedisClient {
    const a = this.sentinelAuth;
    const auth = a.password === undefined ? '' : `${a.username === undefined ? '' : encodeURIComponent(a.username)}:${encodeURIComponent(a.password)}@`;
    const o: ClientOptions = { url: `redis://${auth}${s.host}:${s.port}`, connectTimeout: SENTINEL_TIMEOUT, readyCheck: false };
    if (this.opts.reactor !== undefined) o.reactor = this.opts.reactor;
    if (this.sentinelTls !== undefined) o.tls = this.sentinelTls;
    return createClient(o);
  }

  /** One question to one sentinel, on a short-lived connection. */
  private async ask(s: Address, argv: CommandArgument[]): Promise<unknown> {
    const c = this.sentinelClient(s);
    try {
      await c.connect();
      const timer = new Promise<never>((_, rej) => setTimeout(() => rej(new Error('sentinel timeout')), SENTINEL_TIMEOUT).unref());
      return await Promise.race([c.sendArgv(argv), timer]);
    } finally {
      void c.disconnect();
    }
  }

  /** Where the sentinel says the node is; null when it does not know (or knows no healthy replica). */
  private async askSentinel(s: Address): Promise<Address | null> {
    if (this.wantRole === 'master') {
      const r = await this.ask(s, ['SENTINEL', 'get-master-addr-by-name', this.opts.name]);
      if (!Array.isArray(r) || r.length !== 2) return null;
      return { host: String(r[0]), port: Number(r[1]) };
    }
    const r = await this.ask(s, ['SENTINEL', 'replicas', this.opts.name]);
    const healthy = (Array.isArray(r) ? r : []).map(fields).filter((f) => {
      const flags = (f['flags'] ?? '').split(',');
      return !flags.some((x) => x === 's_down' || x === 'o_down' || x === 'disconnected') && f['master-link-status'] !== 'err';
    });
    if (healthy.length === 0) return null;
    const pick = healthy[Math.floor(Math.random() * healthy.length)]!;
    return { host: pick['ip'] ?? '', port: Number(pick['port']) };
  }

  /** Adds the sentinels `s` knows of (SENTINEL sentinels) to the list. */
  private async refreshSentinels(s: Address): Promise<void> {
    const r = await this.ask(s, ['SENTINEL', 'sentinels', this.opts.name]).catch(() => null);
    if (!Array.isArray(r)) return;
    const seen = new Set(this.sentinels.map(key));
    for (const f of r.map(fields)) {
      const at = { host: f['ip'] ?? '', port: Number(f['port']) };
      if (at.host === '' || !Number.isInteger(at.port) || seen.has(key(at))) continue;
      if ((f['flags'] ?? '').includes('down')) continue;
      seen.add(key(at));
      this.sentinels.push(at);
    }
  }

  /** Subscribes to +switch-master on the first sentinel that takes it. */
  private async openWatch(): Promise<void> {
    for (const s of [...this.sentinels]) {
      if (this.stateNow === 'closed' || this.watch !== null) return;
      const c = this.sentinelClient(s);
      try {
        await c.connect();
        await c.subscribe('+switch-master', (msg: string) => this.onSwitchMaster(msg));
        await c.subscribe(FENCE_EVENTS, (msg: string, channel: string) => this.onFailoverEvent(channel, msg));
        if (this.isClosed() || this.watch !== null) {
          void c.disconnect();
          return;
        }
        this.watch = c;
        this.watchAt = key(s);
        return;
      } catch {
        void c.disconnect();
      }
    }
  }

  /**
   * The failover's leader publishes its steps on its own channels. From
   * `+failover-state-send-slaveof-noone` on, the replica is being promoted
   * and writes to the old master would be lost when it resyncs, so the old
   * master is fenced: left now and not used again until FENCE_MS pass
   * without `+switch-master` (a failover that stalled) or the leader says
   * the failover was aborted. Only the leader sends these; when the watched
   * sentinel is another one, `+switch-master` alone moves the client.
   * Message: `<type> <name> <ip> <port> @ <master-name> <master-ip> <master-port>`.
   */
  private onFailoverEvent(channel: string, msg: string): void {
    const at = msg.split(' @ ')[1]?.split(' ');
    if (at === undefined || at[0] !== this.opts.name || this.stateNow === 'closed' || this.wantRole !== 'master') return;
    const master = `${at[1]}:${at[2]}`;
    if (channel.startsWith('-failover-abort')) {
      this.fence = null;
      return;
    }
    this.fence = { at: master, until: performance.now() + FENCE_MS };
    if (this.stateNow === 'ready' && this.nodeAt !== null && key(this.nodeAt) === master) this.startSwitch(this.nodeAt);
  }

  private isFenced(at: Address): boolean {
    const f = this.fence;
    if (f === null) return false;
    if (performance.now() > f.until) {
      this.fence = null;
      return false;
    }
    return f.at === key(at);
  }

  /** `<name> <old-ip> <old-port> <new-ip> <new-port>` */
  private onSwitchMaster(msg: string): void {
    const [name, , , newHost, newPort] = msg.split(' ');
    if (name !== this.opts.name || this.stateNow === 'closed') return;
    this.fence = null;
    if (this.wantRole === 'master' && this.nodeAt !== null && `${newHost}:${newPort}` === key(this.nodeAt)) return;
    // A replica may be the new master, or follow it: look again either way.
    if (this.stateNow === 'ready') this.startSwitch(this.nodeAt);
  }

  private async dropWatch(): Promise<void> {
    const w = this.watch;
    this.watch = null;
    this.watchAt = null;
    await w?.disconnect();
  }

  /** A method, not a field test: TypeScript keeps a narrowing of stateNow across awaits. */
  private isClosed(): boolean {
    return this.stateNow === 'closed';
  }

  private close(err: Error): RedisClient | null {
    const node = this.node;
    this.stateNow = 'closed';
    this.node = null;
    this.nodeAt = null;
    if (this.health !== null) clearInterval(this.health);
    this.health = null;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.fail(err);
    }
    return node;
  }
}

/** SENTINEL replies are flat [k, v, k, v] lists under RESP2 (Maps under RESP3). */
function fields(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v instanceof Map) {
    for (const [k, x] of v) out[String(k)] = String(x);
  } else if (Array.isArray(v)) {
    for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
  }
  return out;
}

/** A client that finds its node through Sentinel; `connect()`, or just issue commands (they wait for the first node). */
export function createSentinel(opts: SentinelOptions): SentinelClient {
  return new SentinelClient(opts);
}
