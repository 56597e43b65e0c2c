/**
 * startSentinelGroup: a master, its replicas and a quorum of sentinels, all
 * real redis-server processes on free loopback ports, stopped by pid.
 *
 *   sentinel ×N ──monitor "mymaster"──▶ master ◀──replicaof── replica ×R
 *
 * Each sentinel gets its own config file (a sentinel rewrites it as it
 * learns), in a private folder removed on stop(). Timings are short
 * (down-after 1 s by default) so a killed master is replaced in seconds.
 * The handle resolves once every sentinel knows the master, every replica
 * and every other sentinel, and every replica's link is up.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RespConnection, type RawArg, type RawValue } from './raw-resp.js';
import { startRedis, type RedisServer } from './redis-server.js';

export interface SentinelGroupOptions {
  /** Name of the monitored master; default 'mymaster'. */
  name?: string;
  /** Replicas of the master; default 1. */
  replicas?: number;
  /** Sentinels; default 3. */
  sentinels?: number;
  /** Sentinels that must agree the master is down; default a majority. */
  quorum?: number;
  /** requirepass / masterauth of the data nodes (and `sentinel auth-pass`). */
  password?: string;
  /** requirepass of the sentinels themselves. */
  sentinelPassword?: string;
  /** `down-after-milliseconds`; default 1000. */
  downAfterMs?: number;
  /** `failover-timeout`; default 5000. */
  failoverTimeoutMs?: number;
  /** How long to wait for the group to settle after a change; default 30 s. */
  settleTimeoutMs?: number;
}

export interface SentinelGroup {
  readonly name: string;
  /** `redis://[:pw@]127.0.0.1:PORT` of each sentinel. */
  readonly sentinelUrls: string[];
  readonly sentinels: RedisServer[];
  /** Every data node started (the first master first). */
  readonly dataNodes: RedisServer[];
  /** The master's port as the sentinels report it now. */
  masterPort(): Promise<number>;
  /** The data node serving as master now. */
  master(): Promise<RedisServer>;
  /** Runs a command on a data node (AUTH first when a password is set). */
  call(port: number, ...argv: RawArg[]): Promise<RawValue>;
  /** Runs a command on a sentinel (AUTH with the sentinel password when set). */
  callSentinel(port: number, ...argv: RawArg[]): Promise<RawValue>;
  /** SENTINEL FAILOVER; resolves once a different node is master and every sentinel says so. */
  failover(): Promise<{ oldPort: number; newPort: number }>;
  /** kill -9 of the master; resolves once a replica is promoted and every sentinel says so. */
  killMaster(): Promise<{ oldPort: number; newPort: number }>;
  /** Starts a stopped or killed data node again (it rejoins as a replica). */
  revive(port: number): Promise<void>;
  /** Resolves once every live sentinel agrees on the master and knows the replicas. */
  waitForSettled(timeoutMs?: number): Promise<void>;
  /** Stops every process by pid and removes the config folder. Idempotent. */
  stop(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** SENTINEL replies are flat [k, v, k, v] lists (RESP2): one as an object. */
function fields(v: RawValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
  return out;
}

export async function startSentinelGroup(opts: SentinelGroupOptions = {}): Promise<SentinelGroup> {
  const group = new LocalSentinelGroup(opts);
  try {
    await group.create();
  } catch (err) {
    await group.stop();
    throw err;
  }
  return group;
}

class LocalSentinelGroup implements SentinelGroup {
  readonly name: string;
  readonly sentinels: RedisServer[] = [];
  readonly dataNodes: RedisServer[] = [];
  private readonly dir: string;
  private readonly dead = new Set<number>();
  private stopped = false;

  constructor(private readonly opts: SentinelGroupOptions) {
    this.name = opts.name ?? 'mymaster';
    this.dir = mkdtempSync(path.join(tmpdir(), 'reactor-ts-sentinel-'));
  }

  get sentinelUrls(): string[] {
    return this.sentinels.map((s) => s.url);
  }

  async create(): Promise<void> {
    const pw = this.opts.password;
    const auth = pw ? { password: pw } : {};
    const master = await startRedis({ ...auth, args: pw ? ['--masterauth', pw] : [] });
    this.dataNodes.push(master);
    for (let i = 0; i < (this.opts.replicas ?? 1); i++) {
      this.dataNodes.push(
        await startRedis({ ...auth, args: ['--replicaof', '127.0.0.1', String(master.port), ...(pw ? ['--masterauth', pw] : [])] }),
      );
    }
    const count = this.opts.sentinels ?? 3;
    const quorum = this.opts.quorum ?? Math.floor(count / 2) + 1;
    for (let i = 0; i < count; i++) {
      const conf = path.join(this.dir, `sentinel-${i}.conf`);
      writeFileSync(conf, [
        `sentinel monitor ${this.name} 127.0.0.1 ${master.port} ${quorum}`,
        `sentinel down-after-milliseconds ${this.name} ${this.opts.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${this.name} ${this.opts.failoverTimeoutMs ?? 5000}`,
        `sentinel parallel-syncs ${this.name} 1`,
        ...(pw ? [`sentinel auth-pass ${this.name} ${pw}`] : []),
        '',
      ].join('\n'));
      this.sentinels.push(
        await startRedis({ configFile: conf, sentinel: true, ...(this.opts.sentinelPassword ? { password: this.opts.sentinelPassword } : {}) }),
      );
    }
    await this.waitForSettled();
  }

  private async callOn(port: number, password: string | undefined, argv: RawArg[]): Promise<RawValue> {
    const c = await RespConnection.open(port);
    try {
      if (password) await c.command('AUTH', password);
      return await c.call(...argv);
    } finally {
      c.close();
    }
  }

  call(port: number, ...argv: RawArg[]): Promise<RawValue> {
    return this.callOn(port, this.opts.password, argv);
  }

  callSentinel(port: number, ...argv: RawArg[]): Promise<RawValue> {
    return this.callOn(port, this.opts.sentinelPassword, argv);
  }

  private liveSentinels(): RedisServer[] {
    return this.sentinels.filter((s) => s.pid !== 0);
  }

  async masterPort(): Promise<number> {
    for (const s of this.liveSentinels()) {
      const r = await this.callSentinel(s.port, 'SENTINEL', 'get-master-addr-by-name', this.name).catch(() => null);
      if (Array.isArray(r) && r.length === 2) return Number(r[1]);
    }
    throw new Error('no sentinel knows the master');
  }

  async master(): Promise<RedisServer> {
    const port = await this.masterPort();
    const node = this.dataNodes.find((n) => n.port === port);
    if (!node) throw new Error(`the sentinels name :${port}, which this group did not start`);
    return node;
  }

  async waitForSettled(timeoutMs = this.opts.settleTimeoutMs ?? 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const why = await this.unsettledReason().catch((err: unknown) => String(err));
      if (why === '') return;
      if (Date.now() > deadline) throw new Error(`sentinel group did not settle within ${timeoutMs} ms: ${why}`);
      await sleep(100);
    }
  }

  private async unsettledReason(): Promise<string> {
    const live = this.liveSentinels();
    const liveReplicas = this.dataNodes.length - 1 - this.dead.size;
    let agreed: number | null = null;
    for (const s of live) {
      const m = fields(await this.callSentinel(s.port, 'SENTINEL', 'master', this.name));
      const port = Number(m['port']);
      if (agreed === null) agreed = port;
      else if (agreed !== port) return `sentinels disagree on the master (:${agreed} vs :${port})`;
      if ((m['flags'] ?? '').split(',').some((f) => f === 's_down' || f === 'o_down' || f.startsWith('failover'))) {
        return `sentinel :${s.port} flags the master ${m['flags']}`;
      }
      if (Number(m['num-other-sentinels']) < live.length - 1) return `sentinel :${s.port} knows ${m['num-other-sentinels']} other sentinels`;
      // A sentinel refreshes a replica's INFO only every 10 s, so its view of
      // the replication link lags; the replicas themselves are asked below.
      const reps = await this.callSentinel(s.port, 'SENTINEL', 'replicas', this.name);
      const known = Array.isArray(reps) ? reps.map(fields).filter((r) => !(r['flags'] ?? '').includes('down')).length : 0;
      if (known < liveReplicas) return `sentinel :${s.port} knows ${known} of ${liveReplicas} replicas`;
    }
    if (agreed === null) return 'no sentinel answered';
    const role = await this.call(agreed, 'ROLE');
    if (!Array.isArray(role) || role[0] !== 'master') return `:${agreed} is not master yet`;
    for (const n of this.dataNodes) {
      if (n.port === agreed || this.dead.has(n.port)) continue;
      const repl = String(await this.call(n.port, 'INFO', 'replication'));
      if (!repl.includes(`master_port:${agreed}`) || !repl.includes('master_link_status:up')) {
        return `replica :${n.port} is not linked to :${agreed} yet`;
      }
    }
    return '';
  }

  private async waitForNewMaster(oldPort: number): Promise<{ oldPort: number; newPort: number }> {
    const deadline = Date.now() + (this.opts.settleTimeoutMs ?? 30_000);
    for (;;) {
      const now = await this.masterPort().catch(() => oldPort);
      if (now !== oldPort) {
        await this.waitForSettled();
        return { oldPort, newPort: await this.masterPort() };
      }
      if (Date.now() > deadline) throw new Error(`no failover away from :${oldPort}`);
      await sleep(100);
    }
  }

  async failover(): Promise<{ oldPort: number; newPort: number }> {
    const oldPort = await this.masterPort();
    const r = await this.callSentinel(this.liveSentinels()[0]!.port, 'SENTINEL', 'FAILOVER', this.name);
    if (r instanceof Error) throw new Error(`SENTINEL FAILOVER: ${r.message}`);
    return this.waitForNewMaster(oldPort);
  }

  async killMaster(): Promise<{ oldPort: number; newPort: number }> {
    const old = await this.master();
    await old.kill9();
    this.dead.add(old.port);
    return this.waitForNewMaster(old.port);
  }

  async revive(port: number): Promise<void> {
    const node = this.dataNodes.find((n) => n.port === port);
    if (!node) throw new Error(`revive: no data node on :${port}`);
    await node.start();
    this.dead.delete(port);
    await this.waitForSettled();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.sentinels, ...this.dataNodes].map((s) => s.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
