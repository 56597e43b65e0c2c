import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getFreePort } from './ports.js';
import type { TlsCerts } from './tls-certs.js';

/** An ACL user created at start-up (`ACL SETUSER name on >password rules`). */
export interface RedisAclUser {
  name: string;
  password: string;
  /** ACL rules; default `~* &* +@all` (everything). */
  rules?: string;
}

export interface RedisServerOptions {
  /** `requirepass`: the default user's password. */
  password?: string;
  /** Extra ACL users. */
  users?: RedisAclUser[];
  /** `enable-debug-command yes` (Redis ≥ 7), so tests can use DEBUG SLEEP and friends. */
  enableDebug?: boolean;
  /** Also listen on a unix socket in the server's private directory (`server.socketPath`). */
  unixSocket?: boolean;
  /** Extra `--name value` arguments, passed as they are. */
  args?: string[];
  /** How long to wait for the first PING answer; default 10 s. */
  startTimeoutMs?: number;
  /**
   * Serve TLS only: `--tls-port` on `port`, `--port 0`, the server
   * certificate and CA from `certs` (makeTlsCerts). `authClients` is
   * `tls-auth-clients` (default 'no'); `plainPort: true` also opens a
   * plain TCP port (`server.plainPort`).
   */
  tls?: { certs: TlsCerts; authClients?: 'yes' | 'no' | 'optional'; plainPort?: boolean };
  /** A config file read first (redis-server CONF ...); sentinels need one they can rewrite. */
  configFile?: string;
  /** Run as a sentinel (`redis-server CONF --sentinel`); needs `configFile`. */
  sentinel?: boolean;
}

/**
 * A redis-server process that this harness started and owns. It never
 * points at a server it did not start, and never at port 6379.
 */
export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** pid of the running process (0 while stopped). */
  readonly pid: number;
  /** `redis://[:password@]127.0.0.1:port` (`rediss://` when started with `tls`). */
  readonly url: string;
  /** With `tls.plainPort`, the plain TCP port beside the TLS one; else undefined. */
  readonly plainPort: number | undefined;
  /** Unix socket path when started with `unixSocket: true`. */
  readonly socketPath: string | undefined;
  /** Starts it again on the same port after `stop()` or `kill9()`. */
  start(): Promise<void>;
  /** SIGTERM, and SIGKILL if it has not exited within 5 s. Idempotent. */
  stop(): Promise<void>;
  /** stop() then start(), same port, same options. */
  restart(): Promise<void>;
  /** SIGKILL: the crash a client must survive. Resolves once the process is gone. */
  kill9(): Promise<void>;
}

const INSTALL_HINT =
  'redis-server was not found. Install it (Debian/Ubuntu: `apt-get install redis-server`; ' +
  'macOS: `brew install redis`) or point REDIS_SERVER_BIN at the binary.';

/** The redis-server binary: REDIS_SERVER_BIN, else the first on PATH, else undefined. */
export function redisServerBinary(): string | undefined {
  const fromEnv = process.env['REDIS_SERVER_BIN'];
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'redis-server');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function hasRedisServer(): boolean {
  return redisServerBinary() !== undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let cachedMajor: number | undefined;
function serverMajorVersion(bin: string): number {
  if (cachedMajor === undefined) {
    const out = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
    const m = /v=(\d+)\./.exec(out);
    cachedMajor = m ? Number(m[1]) : 0;
  }
  return cachedMajor;
}

/** Every server started in this process, so an abrupt exit still stops them. */
const live = new Set<ManagedRedis>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of live) s.killNow();
  });
}

/** Stops every server this process started (for global teardown). */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}

/**
 * Starts a redis-server on a free loopback port and resolves once it answers
 * PING. Persistence is off and its working directory is a fresh temporary
 * folder removed on stop().
 */
export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = redisServerBinary();
  if (!bin) throw new Error(INSTALL_HINT);
  installExitHook();
  let lastError: unknown;
  // A free port can be taken between probing and binding: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await getFreePort();
    const plain = opts.tls?.plainPort ? await getFreePort() : undefined;
    const server = new ManagedRedis(bin, port, opts, plain);
    try {
      await server.start();
      return server;
    } catch (err) {
      lastError = err;
      await server.stop();
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

class ManagedRedis implements RedisServer {
  readonly host = '127.0.0.1' as const;
  readonly url: string;
  readonly socketPath: string | undefined;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly dir: string;
  private output = '';

  constructor(
    private readonly bin: string,
    readonly port: number,
    private readonly opts: RedisServerOptions,
    readonly plainPort: number | undefined,
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), `reactor-ts-redis-${port}-`));
    this.socketPath = opts.unixSocket ? path.join(this.dir, 'redis.sock') : undefined;
    const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
    this.url = `${opts.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  private argv(): string[] {
    const t = this.opts.tls;
    if (this.opts.sentinel && !this.opts.configFile) throw new Error('startRedis: a sentinel needs a configFile');
    const a = [
      ...(this.opts.configFile ? [this.opts.configFile] : []),
      ...(this.opts.sentinel ? ['--sentinel'] : []),
      ...(t
        ? [
            '--port', String(this.plainPort ?? 0),
            '--tls-port', String(this.port),
            '--tls-cert-file', t.certs.server.certFile,
            '--tls-key-file', t.certs.server.keyFile,
            '--tls-ca-cert-file', t.certs.ca.certFile,
            '--tls-auth-clients', t.authClients ?? 'no',
          ]
        : ['--port', String(this.port)]),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--dir', this.dir,
      '--daemonize', 'no',
      '--logfile', '',
      '--protected-mode', 'no',
    ];
    if (this.socketPath) a.push('--unixsocket', this.socketPath, '--unixsocketperm', '700');
    if (this.opts.password) a.push('--requirepass', this.opts.password);
    for (const u of this.opts.users ?? []) {
      // One argv element per ACL token: redis-server quotes an element that
      // contains spaces, which would turn the whole rule into a user name.
      a.push('--user', u.name, 'on', `>${u.password}`, ...(u.rules ?? '~* &* +@all').split(/\s+/));
    }
    if (this.opts.enableDebug && serverMajorVersion(this.bin) >= 7) {
      a.push('--enable-debug-command', 'yes');
    }
    a.push(...(this.opts.args ?? []));
    return a;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.output = '';
    const child = spawn(this.bin, this.argv(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(this);
    // Keep only the tail of the log: enough to explain a failed start.
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    const spawnFailed = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(err));
      void this.exited.then(() =>
        reject(new Error(`redis-server on port ${this.port} exited during start-up:\n${this.output}`)),
      );
    });
    try {
      await Promise.race([this.waitForPing(this.opts.startTimeoutMs ?? 10_000), spawnFailed]);
    } catch (err) {
      await this.stop({ keepDir: true });
      throw err;
    }
    spawnFailed.catch(() => undefined);
  }

  private async waitForPing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await pingOnce(this.port, this.opts.tls?.certs)) return;
      if (Date.now() > deadline) {
        throw new Error(`redis-server on port ${this.port} did not answer PING within ${timeoutMs} ms:\n${this.output}`);
      }
      await sleep(25);
    }
  }

  async stop(o: { keepDir?: boolean } = {}): Promise<void> {
    const child = this.child;
    if (child) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    if (!o.keepDir) {
      live.delete(this);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  async restart(): Promise<void> {
    await this.stop({ keepDir: true });
    await this.start();
  }

  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Synchronous last resort from the process 'exit' hook. */
  killNow(): void {
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * True when something on the port answers a RESP PING (PONG, or NOAUTH when a
 * password is set); over TLS with the test CA and client certificate when `certs`.
 */
function pingOnce(port: number, certs?: TlsCerts): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = certs
      ? tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key, servername: 'localhost' })
      : net.connect({ port, host: '127.0.0.1' });
    const ready = certs ? 'secureConnect' : 'connect';
    let got = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once(ready, () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done(got.startsWith('+PONG') || got.startsWith('-NOAUTH'));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
