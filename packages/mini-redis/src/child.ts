/**
 * startMiniRedisChild: mini-redis in a process of its own, for whoever needs
 * a server that shares no event loop, heap or file-descriptor table with the
 * caller (the benchmarks, the hostile-client suite reading the server's RSS,
 * the CLI's own tests). It runs this package's CLI (main.ts) and resolves
 * once the child prints `listening on HOST:PORT`.
 *
 * Which file runs: from the TypeScript sources (this module loaded as .ts,
 * as in the repo's tests and tsx scripts), `node --import tsx
 * --conditions=source src/main.ts`, so the child runs the same sources the
 * caller does; from the built package, `node dist/main.js`, no loader. tsx
 * is then resolved from `cwd` (default: this package's folder, which sees
 * the workspace root's tsx); the installed package never needs it.
 *
 * Why not test-utils' `runTsx`: it runs a program to completion and collects
 * its output, while this is a long-lived server resolved once listening;
 * and test-utils is private, so a published package cannot depend on it.
 *
 * Every child is stopped by `stop()` (SIGTERM, then SIGKILL after 5 s) and,
 * as a last resort, killed when the parent process exits. Captured output is
 * bounded (the last 1 MiB of each stream).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface MiniRedisChildOptions {
  /** Default 0: any free port (the child reports the one it bound). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  requirepass?: string;
  maxclients?: number;
  /** More CLI arguments, passed as they are. */
  args?: readonly string[];
  /**
   * Raise the child's open-files limit (`ulimit -n`) to this before it
   * starts, or to the hard limit if this is above it: for tests with
   * thousands of connections. Runs the child through /bin/sh, which then
   * `exec`s node, so the pid is still the server's.
   */
  fdLimit?: number;
  /** Reject (and kill the child) if it is not listening after this many ms. Default 30,000. */
  startTimeoutMs?: number;
  /** The child's working directory (see above for tsx). Default: the package's folder. */
  cwd?: string;
  /** The child's environment. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface MiniRedisChild {
  readonly port: number;
  readonly host: string;
  /** The server's own pid (node's, not a shell's). */
  readonly pid: number;
  /** redis://host:port */
  readonly url: string;
  /** What the child wrote to stdout / stderr so far (the last 1 MiB of each). */
  stdout(): string;
  stderr(): string;
  /** The child has not exited. */
  alive(): boolean;
  /** Resolves with the exit code (null if ended by a signal) once it has exited, however that happened. */
  readonly exited: Promise<number | null>;
  /** SIGTERM (a clean close), SIGKILL if it is still there after 5 s; resolves with `exited`'s value. Idempotent. */
  stop(): Promise<number | null>;
}

const OUTPUT_CAP = 1024 * 1024;
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The command line that runs the CLI beside this module. */
function cliCommand(): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const main = fileURLToPath(new URL(fromSource ? './main.ts' : './main.js', import.meta.url));
  return fromSource ? [process.execPath, '--import', 'tsx', '--conditions=source', main] : [process.execPath, main];
}

export function startMiniRedisChild(opts: MiniRedisChildOptions = {}): Promise<MiniRedisChild> {
  const host = opts.host ?? '127.0.0.1';
  const cliArgs = ['--port', String(opts.port ?? 0), '--host', host];
  if (opts.requirepass !== undefined) cliArgs.push('--requirepass', opts.requirepass);
  if (opts.maxclients !== undefined) cliArgs.push('--maxclients', String(opts.maxclients));
  cliArgs.push(...(opts.args ?? []));
  let argv = [...cliCommand(), ...cliArgs];
  if (opts.fdLimit !== undefined) {
    const n = Math.floor(opts.fdLimit);
    if (!(n > 0)) throw new RangeError(`fdLimit must be a positive integer, got ${opts.fdLimit}`);
    // "$0" "$@" carry node and its arguments through the shell unquoted-safe.
    const script = `ulimit -n ${n} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;
    argv = ['/bin/sh', '-c', script, ...argv];
  }
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: opts.cwd ?? PACKAGE_DIR,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  let err = '';
  const keep = (text: string, more: string): string => {
    const all = text + more;
    return all.length > OUTPUT_CAP ? all.slice(all.length - OUTPUT_CAP) : all;
  };
  child.stdout!.on('data', (d: Buffer) => (out = keep(out, d.toString())));
  child.stderr!.on('data', (d: Buffer) => (err = keep(err, d.toString())));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    });
    // A spawn failure may not be followed by 'exit'.
    child.once('error', () => {
      process.off('exit', killOnExit);
      resolve(null);
    });
  });

  return new Promise<MiniRedisChild>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`mini-redis did not start within ${opts.startTimeoutMs ?? 30_000} ms: ${out} ${err}`));
    }, opts.startTimeoutMs ?? 30_000);
    void exited.then((code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`mini-redis exited (${code ?? child.signalCode ?? 'spawn failed'}) before listening: ${out} ${err}`));
    });
    const onData = (): void => {
      const m = /listening on [^\s]+:(\d+)/.exec(out);
      if (m === null || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      const port = Number(m[1]);
      resolve({
        port,
        host,
        pid: child.pid as number,
        url: `redis://${host}:${port}`,
        stdout: () => out,
        stderr: () => err,
        alive: () => child.exitCode === null && child.signalCode === null,
        exited,
        stop: once(() => stopChild(child, exited)),
      });
    };
    child.stdout!.on('data', onData);
  });
}

function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    void exited.then(() => clearTimeout(hard));
    child.kill('SIGTERM');
  }
  return exited;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
