/**
 * runTsx: runs a TypeScript program as a user would (`node --import tsx
 * --conditions=source file args...`) in a child process and collects its
 * output. For specs that check an example's or a tool's exit code and text.
 *
 * node itself is spawned (not a PATH lookup), with tsx as a loader, so a spec
 * may hand the child any PATH. The child is bounded in time: past `timeoutMs`
 * it is killed with SIGKILL and the result says so (`timedOut`, `code` null)
 * instead of the spec hanging. The promise settles once, when the child's
 * streams have closed (so no output is lost); it rejects only if the child
 * could not be spawned at all.
 */
import { spawn } from 'node:child_process';

/** Options of `runTsx`. */
export interface RunTsxOptions {
  /** Working directory, against which `file` and the tsx loader resolve. Default: process.cwd(). */
  cwd?: string;
  /** The child's whole environment (not merged). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL) after this many ms. Default 60,000. */
  timeoutMs?: number;
}

/** What `runTsx` resolves with. */
export interface RunTsxResult {
  /** Exit code; null when the child ended by a signal (a timeout included). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The child was killed because it outlived `timeoutMs`. */
  timedOut: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export function runTsx(file: string, args: readonly string[] = [], opts: RunTsxOptions = {}): Promise<RunTsxResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', file, ...args], {
      cwd: opts.cwd ?? process.cwd(),
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // A failed spawn may be followed by 'close' too: the promise keeps the first.
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
