/**
 * Child processes for the suites whose memory must be the server's (or the
 * soak's) alone: mini-redis started from its CLI (startMiniRedisChild of
 * @reactor-ts/mini-redis, plus its RSS), and tsx scripts run with
 * --expose-gc. Every child is killed by the helper that started it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMiniRedisChild as startPackageChild, type MiniRedisChild as PackageChild } from '@reactor-ts/mini-redis';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// `node --import tsx` rather than the tsx CLI: the CLI runs the script in a
// second node process, so its own pid's RSS would not be the server's.
const NODE_TSX = `"${process.execPath}" --import tsx --conditions=source`;

/** Resident set size of `pid` in bytes (VmRSS of /proc/<pid>/status). */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** mini-redis in its own process (the package's startMiniRedisChild), with its RSS. */
export interface MiniRedisChild extends PackageChild {
  rss(): number;
}

/**
 * Starts mini-redis (one node process) on a free port with its open-files
 * limit raised to 20,000 (or the hard limit), and resolves once it is
 * listening. `args` are more CLI arguments (e.g. --maxclients).
 */
export async function startMiniRedisChild(args: string[] = []): Promise<MiniRedisChild> {
  const child = await startPackageChild({ args, fdLimit: 20_000 });
  return Object.assign(child, { rss: () => rssOf(child.pid) });
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
