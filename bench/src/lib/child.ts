/**
 * Network suites run each client in a child process of its own: the suite's
 * file started again with `--child <args>`, so RSS and CPU figures belong to
 * one client and no client warms the JIT or the heap for another. The child
 * prints one JSON line last; the parent reads it back.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Starts `fileUrl` (a suite's `import.meta.url`) under tsx with
 * `--child ...args`; resolves with the JSON of the child's last output line.
 */
export async function runSelfAsChild<T>(fileUrl: string, args: string[], timeoutMs = 120_000): Promise<T> {
  const self = fileURLToPath(fileUrl);
  const out = await collect(process.execPath, ['--import', 'tsx', '--conditions=source', self, '--child', ...args], timeoutMs);
  const line = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${args.join('/')} child failed:\n${out}`);
  }
}

/** Runs a command to its end; resolves with stdout and stderr together, rejects on a non-zero exit or past the timeout. */
export function collect(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

/**
 * Child mode: when `fileUrl` is the script this process was started with and
 * `--child` is on its command line, runs `main` with the arguments after it,
 * then exits (1 and the error on stderr if it threw). Otherwise does nothing.
 */
export function runIfChild(fileUrl: string, main: (args: string[]) => Promise<void>): void {
  const at = process.argv.indexOf('--child');
  if (at === -1 || fileURLToPath(fileUrl) !== process.argv[1]) return;
  main(process.argv.slice(at + 1)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
