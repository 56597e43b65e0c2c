/**
 * Child processes for the suites whose memory must be the server's (or the
 * soak's) alone: mini-redis started from its CLI, and tsx scripts run with
 * --expose-gc. Every child is killed by the helper that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// `node --import tsx` rather than the tsx CLI: the CLI runs the script in a
// second node process, so its own pid's RSS would not be the server's.
const NODE_TSX = `"${process.execPath}" --import tsx --conditions=source`;

/** Resident set size of `pid` in bytes (VmRSS of /proc/<pid>/status). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export interface MiniRedisChild {
  port: number;
  pid: number;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  rss(): number;
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts examples/mini-redis.ts (one node process) on a free port under `ulimit -n 20000`, and
 * resolves once it prints `listening on`.
 */
export function startMiniRedisChild(args: string[] = []): Promise<MiniRedisChild> {
  const cmd = `ulimit -n 20000 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${NODE_TSX} examples/mini-redis.ts --port 0 --host 127.0.0.1 ${args.join(' ')}`;
  const child = spawn('bash', ['-c', cmd], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mini-redis did not start: ${out} ${err}`));
    }, 30_000);
    child.on('exit', (code) => reject(new Error(`mini-redis exited (${code}): ${out} ${err}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      const pid = child.pid!;
      resolve({
        port: Number(m[1]),
        pid,
        stderr: () => err,
        rss: () => rssOf(pid),
        alive: () => child.exitCode === null && child.signalCode === null,
        stop: () => stopChild(child),
      });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs `script` (a path under the repo) with tsx and --expose-gc, passing
 * `args`; resolves with its stdout once it exits 0, rejects otherwise.
 */
export function runScript(script: string, args: string[], timeoutMs: number): Promise<string> {
  const cmd = `ulimit -n 20000 2>/dev/null; exec ${NODE_TSX} --expose-gc ${script} ${args.join(' ')}`;
  const child = spawn('bash', ['-c', cmd], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${script} exited with ${code ?? signal}: ${out}\n${err}`));
    });
  });
}
