/**
 * startCluster: a real Redis Cluster of our own on free loopback ports.
 *
 * Each node is a `redis-server --cluster-enabled yes` started by startRedis
 * (so it is stopped by pid like every other server here), with its cluster
 * bus on a second free port (`cluster-port`; the default port+10000 could be
 * anyone's). The nodes are joined with `redis-cli --cluster create`, and the
 * handle waits until every node says `cluster_state:ok`, agrees on who owns
 * all 16384 slots, and every replica's link to its master is up.
 *
 * The topology operations are the faults a cluster client must survive:
 * `killMaster` (kill -9; the cluster promotes the replica), `failover`
 * (CLUSTER FAILOVER on the replica: a clean switch), `migrateSlot` (the
 * resharding protocol done by hand, key by key and optionally slowly, so that
 * clients see ASK while it runs) and `addMaster`.
 */
import { spawn } from 'node:child_process';
import type tls from 'node:tls';
import { getFreePort } from './ports.js';
import { RespConnection, type RawArg, type RawValue } from './raw-resp.js';
import { startRedis, type RedisServer } from './redis-server.js';
import type { TlsCerts } from './tls-certs.js';

export const CLUSTER_SLOTS = 16384;

export interface ClusterOptions {
  /** Masters, each with a share of the slots; default 3. */
  masters?: number;
  /** Replicas per master; default 1. */
  replicasPerMaster?: number;
  /** requirepass and masterauth on every node. */
  password?: string;
  /** `cluster-node-timeout`, ms; default 2000, so a killed master is failed over in a few seconds. */
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node. */
  args?: string[];
  /** How long to wait for the cluster to settle after each change; default 30 s. */
  settleTimeoutMs?: number;
  /**
   * TLS everywhere: every node serves TLS only (`--tls-port`, `--port 0`,
   * startRedis's `tls`), and talks TLS to the others (`--tls-cluster yes`:
   * the cluster bus, MIGRATE; `--tls-replication yes`). The nodes then
   * announce their TLS ports (CLUSTER SHARDS / SLOTS, MOVED, ASK). The
   * harness's own connections and redis-cli use the test CA and, with
   * `authClients: 'yes'`, the client certificate. The nodes dial each
   * other with the client certificate (`tls-client-cert-file`): the cluster
   * bus asks for one whatever `tls-auth-clients` says.
   */
  tls?: { certs: TlsCerts; authClients?: 'yes' | 'no' | 'optional' };
}

/** One node as the cluster sees it now. */
export interface ClusterNode {
  /** The 40-character node id. */
  readonly id: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** For a replica, its master's id. */
  readonly masterId: string | null;
  /** Slot ranges served, inclusive `[from, to]` (masters only). */
  readonly slots: ReadonlyArray<readonly [number, number]>;
  /** Whether the process is running (false after killMaster until revive). */
  readonly alive: boolean;
  /** The process behind it. */
  readonly server: RedisServer;
}

export interface MigrateOptions {
  /** Pause between keys, ms, so that clients run into ASK while the slot moves; default 0. */
  keyDelayMs?: number;
  /** Keys per MIGRATE call; default 1 (key by key). */
  batch?: number;
}

export interface RedisCluster {
  /** `redis://[:pw@]127.0.0.1:PORT` (`rediss://` with `tls`) of every node started (masters first). */
  readonly urls: string[];
  /** `127.0.0.1:PORT` of every node, for hiredis-cluster's `addNodes`. */
  readonly addrs: string[];
  readonly password: string | undefined;
  /** The certificates the nodes serve with `tls`, else undefined. */
  readonly certs: TlsCerts | undefined;
  /** The current topology, read from a live node's CLUSTER NODES. */
  nodes(): Promise<ClusterNode[]>;
  masters(): Promise<ClusterNode[]>;
  /** The master serving `slot` now. */
  masterOf(slot: number): Promise<ClusterNode>;
  /** The node with this port. */
  nodeAt(port: number): Promise<ClusterNode>;
  /** CLUSTER KEYSLOT as the server computes it. */
  keySlot(key: string): Promise<number>;
  /** Runs a command on one node (AUTH first when a password is set). */
  call(port: number, ...argv: RawArg[]): Promise<RawValue>;
  /** kill -9 of the master of `slot`; with `waitForPromotion` (default true), resolves once its replica serves it. */
  killMaster(slot: number, opts?: { waitForPromotion?: boolean }): Promise<{ killed: ClusterNode; promoted: ClusterNode | null }>;
  /** CLUSTER FAILOVER on a replica of `slot`'s master; resolves once the replica is master. */
  failover(slot: number): Promise<{ oldMaster: ClusterNode; newMaster: ClusterNode }>;
  /** Moves `slot` to the master `toPort` with SETSLOT IMPORTING/MIGRATING, MIGRATE and SETSLOT NODE. */
  migrateSlot(slot: number, toPort: number, opts?: MigrateOptions): Promise<{ keysMoved: number }>;
  /** Starts a node, joins it with CLUSTER MEET as a master without slots. */
  addMaster(): Promise<ClusterNode>;
  /** Starts a killed node again; the cluster makes it a replica of whoever took its slots. */
  revive(port: number): Promise<void>;
  /** Resolves once every live node reports cluster_state:ok and agrees on the slot owners. */
  waitForSettled(timeoutMs?: number): Promise<void>;
  /** Stops every node by pid. Idempotent. */
  stop(): Promise<void>;
}

/** Starts and joins a cluster; rejects (and stops what it started) if it does not settle. */
export async function startCluster(opts: ClusterOptions = {}): Promise<RedisCluster> {
  const cluster = new LocalCluster(opts);
  try {
    await cluster.create();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The fields of one CLUSTER NODES line that the harness uses. */
interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string | null;
  linkState: string;
  slots: Array<[number, number]>;
}

/** Parses CLUSTER NODES (`id ip:port@bus flags master ping pong epoch link slot...`). */
export function parseClusterNodes(text: string): NodeLine[] {
  const out: NodeLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    if (f.length < 8) continue;
    const addr = f[1]!.split('@')[0]!;
    const port = Number(addr.slice(addr.lastIndexOf(':') + 1));
    const slots: Array<[number, number]> = [];
    for (const s of f.slice(8)) {
      if (s.startsWith('[')) continue; // a slot being migrated or imported
      const [a, b] = s.split('-');
      slots.push([Number(a), Number(b ?? a)]);
    }
    out.push({ id: f[0]!, port, flags: f[2]!.split(','), masterId: f[3] === '-' ? null : f[3]!, linkState: f[7]!, slots });
  }
  return out;
}

class LocalCluster implements RedisCluster {
  private readonly servers = new Map<number, RedisServer>();
  /** Cluster bus port of each node (CLUSTER MEET must be told it: the default is port+10000). */
  private readonly busPorts = new Map<number, number>();
  private readonly dead = new Set<number>();
  private readonly ordered: number[] = [];
  readonly password: string | undefined;
  readonly certs: TlsCerts | undefined;
  private stopped = false;

  constructor(private readonly opts: ClusterOptions) {
    this.password = opts.password;
    this.certs = opts.tls?.certs;
  }

  /** A raw connection to a node: TLS with the test CA (and client certificate) when the cluster is TLS. */
  private open(port: number): Promise<RespConnection> {
    const t = this.opts.tls;
    if (t === undefined) return RespConnection.open(port);
    const o: tls.ConnectionOptions = { ca: t.certs.ca.cert, cert: t.certs.client.cert, key: t.certs.client.key, servername: 'localhost' };
    return RespConnection.open(port, '127.0.0.1', { tls: o });
  }

  /** redis-cli's TLS arguments (none for a plain cluster). */
  private cliTls(): string[] {
    const t = this.opts.tls;
    if (t === undefined) return [];
    return ['--tls', '--cacert', t.certs.ca.certFile, '--cert', t.certs.client.certFile, '--key', t.certs.client.keyFile, '--sni', 'localhost'];
  }

  get urls(): string[] {
    return this.ordered.map((p) => this.servers.get(p)!.url);
  }

  get addrs(): string[] {
    return this.ordered.map((p) => `127.0.0.1:${p}`);
  }

  private async startNode(): Promise<RedisServer> {
    const busPort = await getFreePort();
    const pw = this.opts.password;
    const t = this.opts.tls;
    const srv = await startRedis({
      ...(pw ? { password: pw } : {}),
      ...(t ? { tls: { certs: t.certs, authClients: t.authClients ?? 'no' } } : {}),
      args: [
        // The cluster bus always asks its peers for a certificate, and the
        // server's is for serverAuth only: the nodes dial out with the client one.
        ...(t ? ['--tls-cluster', 'yes', '--tls-replication', 'yes', '--tls-client-cert-file', t.certs.client.certFile, '--tls-client-key-file', t.certs.client.keyFile] : []),
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-port', String(busPort),
        '--cluster-node-timeout', String(this.opts.nodeTimeoutMs ?? 2000),
        // A replica may serve reads while its link to the master is down,
        // and the cluster keeps answering for the slots it still covers.
        '--cluster-require-full-coverage', 'no',
        ...(pw ? ['--masterauth', pw] : []),
        ...(this.opts.args ?? []),
      ],
    });
    this.servers.set(srv.port, srv);
    this.busPorts.set(srv.port, busPort);
    this.ordered.push(srv.port);
    return srv;
  }

  async create(): Promise<void> {
    const masters = this.opts.masters ?? 3;
    const replicas = this.opts.replicasPerMaster ?? 1;
    if (masters < 3) {
      // redis-cli --cluster create refuses fewer than 3 masters.
      throw new RangeError(`startCluster: at least 3 masters, got ${masters}`);
    }
    const total = masters * (1 + replicas);
    for (let i = 0; i < total; i++) await this.startNode();
    const args = ['--cluster', 'create', ...this.addrs, '--cluster-replicas', String(replicas), '--cluster-yes'];
    if (this.password) args.push('-a', this.password, '--no-auth-warning');
    args.push(...this.cliTls());
    await runCli(args);
    await this.waitForSettled();
  }

  async call(port: number, ...argv: RawArg[]): Promise<RawValue> {
    const c = await this.open(port);
    try {
      if (this.password) await c.command('AUTH', this.password);
      return await c.call(...argv);
    } finally {
      c.close();
    }
  }

  private async text(port: number, ...argv: RawArg[]): Promise<string> {
    const v = await this.call(port, ...argv);
    if (v instanceof Error) throw new Error(`${argv.join(' ')} on :${port}: ${v.message}`);
    return String(v);
  }

  private livePorts(): number[] {
    return this.ordered.filter((p) => !this.dead.has(p));
  }

  async nodes(): Promise<ClusterNode[]> {
    let lastErr: unknown;
    for (const port of this.livePorts()) {
      try {
        const lines = parseClusterNodes(await this.text(port, 'CLUSTER', 'NODES'));
        return lines
          .filter((l) => this.servers.has(l.port) && !l.flags.includes('noaddr'))
          .map((l) => ({
            id: l.id,
            host: '127.0.0.1' as const,
            port: l.port,
            role: l.flags.includes('master') ? ('master' as const) : ('replica' as const),
            masterId: l.masterId,
            slots: l.slots,
            alive: !this.dead.has(l.port),
            server: this.servers.get(l.port)!,
          }));
      } catch (err) {
        lastErr = err;
      }
    }
    throw new Error(`no live cluster node answered CLUSTER NODES: ${String(lastErr)}`);
  }

  async masters(): Promise<ClusterNode[]> {
    return (await this.nodes()).filter((n) => n.role === 'master' && n.alive && n.slots.length > 0);
  }

  async masterOf(slot: number): Promise<ClusterNode> {
    const m = (await this.nodes()).find((n) => n.role === 'master' && n.alive && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!m) throw new Error(`no live master serves slot ${slot}`);
    return m;
  }

  async nodeAt(port: number): Promise<ClusterNode> {
    const n = (await this.nodes()).find((x) => x.port === port);
    if (!n) throw new Error(`no cluster node on port ${port}`);
    return n;
  }

  async keySlot(key: string): Promise<number> {
    return Number(await this.text(this.livePorts()[0]!, 'CLUSTER', 'KEYSLOT', key));
  }

  async waitForSettled(timeoutMs = this.opts.settleTimeoutMs ?? 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let why = '';
    for (;;) {
      why = await this.unsettledReason().catch((err: unknown) => String(err));
      if (why === '') return;
      if (Date.now() > deadline) throw new Error(`cluster did not settle within ${timeoutMs} ms: ${why}`);
      await sleep(100);
    }
  }

  /** '' when settled, else what is not yet true. */
  private async unsettledReason(): Promise<string> {
    let view: string | null = null;
    for (const port of this.livePorts()) {
      const info = await this.text(port, 'CLUSTER', 'INFO');
      if (!info.includes('cluster_state:ok')) return `:${port} is not cluster_state:ok`;
      const lines = parseClusterNodes(await this.text(port, 'CLUSTER', 'NODES'));
      if (lines.some((l) => l.flags.includes('fail?') || (l.flags.includes('fail') && !this.dead.has(l.port)))) {
        return `:${port} still sees a failing node`;
      }
      const owners = lines
        .filter((l) => l.flags.includes('master') && !l.flags.includes('fail'))
        .flatMap((l) => l.slots.map(([a, b]) => `${a}-${b}@${l.port}`))
        .sort()
        .join(',');
      // Roles too: after a failover every node must see the old master as a replica.
      const byId = new Map(lines.map((l) => [l.id, l.port]));
      const roles = lines
        .filter((l) => !this.dead.has(l.port))
        .map((l) => (l.masterId ? `${l.port}>${byId.get(l.masterId) ?? '?'}` : `${l.port}`))
        .sort()
        .join(',');
      const seen = `${owners} | ${roles}`;
      if (view === null) view = seen;
      else if (view !== seen) return `nodes disagree on the topology (:${port}: ${seen}; first: ${view})`;
      const me = lines.find((l) => l.flags.includes('myself'));
      if (me && me.flags.includes('slave')) {
        const repl = await this.text(port, 'INFO', 'replication');
        if (!repl.includes('master_link_status:up')) return `replica :${port} has no link to its master`;
      }
    }
    const covered = (view ?? '').split(' | ')[0]!.split(',').filter(Boolean).reduce((n, r) => {
      const [a, b] = r.split('@')[0]!.split('-').map(Number);
      return n + (b! - a! + 1);
    }, 0);
    return covered === CLUSTER_SLOTS ? '' : `only ${covered} of ${CLUSTER_SLOTS} slots are served`;
  }

  async killMaster(slot: number, o: { waitForPromotion?: boolean } = {}): Promise<{ killed: ClusterNode; promoted: ClusterNode | null }> {
    const killed = await this.masterOf(slot);
    await killed.server.kill9();
    this.dead.add(killed.port);
    if (o.waitForPromotion === false) return { killed, promoted: null };
    const deadline = Date.now() + (this.opts.settleTimeoutMs ?? 30_000);
    for (;;) {
      const m = await this.masterOf(slot).catch(() => null);
      if (m && m.port !== killed.port) {
        await this.waitForSettled();
        return { killed, promoted: m };
      }
      if (Date.now() > deadline) throw new Error(`no replica was promoted for slot ${slot}`);
      await sleep(100);
    }
  }

  async failover(slot: number): Promise<{ oldMaster: ClusterNode; newMaster: ClusterNode }> {
    const oldMaster = await this.masterOf(slot);
    const replica = (await this.nodes()).find((n) => n.alive && n.role === 'replica' && n.masterId === oldMaster.id);
    if (!replica) throw new Error(`the master of slot ${slot} (:${oldMaster.port}) has no live replica`);
    await this.text(replica.port, 'CLUSTER', 'FAILOVER');
    const deadline = Date.now() + (this.opts.settleTimeoutMs ?? 30_000);
    for (;;) {
      const m = await this.masterOf(slot);
      if (m.port === replica.port) {
        await this.waitForSettled();
        return { oldMaster, newMaster: m };
      }
      if (Date.now() > deadline) throw new Error(`CLUSTER FAILOVER on :${replica.port} did not take over slot ${slot}`);
      await sleep(50);
    }
  }

  async migrateSlot(slot: number, toPort: number, o: MigrateOptions = {}): Promise<{ keysMoved: number }> {
    const from = await this.masterOf(slot);
    const to = await this.nodeAt(toPort);
    if (to.role !== 'master') throw new Error(`migrateSlot: :${toPort} is not a master`);
    if (from.port === to.port) return { keysMoved: 0 };
    // The order matters: the target must accept ASKING'd commands before the
    // source starts sending clients there.
    await this.text(to.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id);
    await this.text(from.port, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
    const batch = Math.max(1, o.batch ?? 1);
    let moved = 0;
    const src = await this.open(from.port);
    try {
      if (this.password) await src.command('AUTH', this.password);
      for (;;) {
        const keys = (await src.call('CLUSTER', 'GETKEYSINSLOT', slot, batch)) as string[];
        if (!Array.isArray(keys) || keys.length === 0) break;
        const argv: RawArg[] = ['MIGRATE', '127.0.0.1', to.port, '', 0, 5000];
        if (this.password) argv.push('AUTH', this.password);
        argv.push('KEYS', ...keys);
        const r = await src.call(...argv);
        if (r instanceof Error) throw new Error(`MIGRATE of slot ${slot}: ${r.message}`);
        moved += keys.length;
        if (o.keyDelayMs) await sleep(o.keyDelayMs);
      }
    } finally {
      src.close();
    }
    // Target first, then source, then everyone else, as redis-cli does.
    await this.text(to.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
    await this.text(from.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
    for (const m of await this.nodes()) {
      if (m.alive && m.role === 'master' && m.port !== to.port && m.port !== from.port) {
        await this.text(m.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
      }
    }
    await this.waitForSettled();
    return { keysMoved: moved };
  }

  async addMaster(): Promise<ClusterNode> {
    const srv = await this.startNode();
    const anchor = this.livePorts().find((p) => p !== srv.port)!;
    await this.text(srv.port, 'CLUSTER', 'MEET', '127.0.0.1', anchor, this.busPorts.get(anchor)!);
    const deadline = Date.now() + (this.opts.settleTimeoutMs ?? 30_000);
    for (;;) {
      // Known to every other node, and knows them all.
      const want = [...this.ordered].sort().join(',');
      const views = await Promise.all(
        this.livePorts().map(async (p) =>
          parseClusterNodes(await this.text(p, 'CLUSTER', 'NODES'))
            .filter((l) => !l.flags.includes('handshake'))
            .map((l) => l.port)
            .sort()
            .join(','),
        ),
      );
      if (views.every((v) => v === want)) break;
      if (Date.now() > deadline) throw new Error(`the new node :${srv.port} did not join: want ${want}, views ${views.join(' / ')}`);
      await sleep(100);
    }
    await this.waitForSettled();
    return this.nodeAt(srv.port);
  }

  async revive(port: number): Promise<void> {
    const srv = this.servers.get(port);
    if (!srv) throw new Error(`revive: no node on :${port}`);
    await srv.start();
    this.dead.delete(port);
    await this.waitForSettled();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
  }
}

/** Runs redis-cli with `args`; rejects with its output when it fails. */
function runCli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`redis-cli could not start (${err.message}); install redis-tools`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`redis-cli ${args.slice(0, 2).join(' ')} exited ${code}:\n${out}`));
    });
  });
}
