/**
 * The CLI entry as documented: `examples/mini-redis.ts --port 0` prints
 * `listening on HOST:PORT`, serves, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RawConnection } from './testing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function startCli(args: string[]): Promise<{ port: number; output: () => string; exit: Promise<number | null>; kill: () => void }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'examples/mini-redis.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  void exit.then(() => clearTimeout(killTimer));
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        resolve({ port: Number(m[1]), output: () => out, exit, kill: () => child.kill('SIGTERM') });
      }
    };
    child.stdout.on('data', onData);
    void exit.then((code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
}

describe('examples/mini-redis.ts', () => {
  it('listens on --port 0, serves, and stops on SIGTERM', async () => {
    const srv = await startCli(['--port', '0']);
    const c = await RawConnection.open(srv.port);
    expect(await c.command('set', 'k', 'v')).toBe('+OK\r\n');
    expect(await c.command('get', 'k')).toBe('$1\r\nv\r\n');
    c.close();
    srv.kill();
    expect(await srv.exit).toBe(0);
    expect(srv.output()).toContain('stopped');
  });

  it('--requirepass and --maxclients', async () => {
    const srv = await startCli(['--port', '0', '--requirepass', 'pw', '--maxclients', '1']);
    const a = await RawConnection.open(srv.port);
    expect(await a.command('get', 'k')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await a.command('auth', 'pw')).toBe('+OK\r\n');
    const b = await RawConnection.open(srv.port);
    expect(await b.read((g) => g.length > 0 && b.isClosed)).toBe('-ERR max number of clients reached\r\n');
    a.close();
    srv.kill();
    expect(await srv.exit).toBe(0);
  });
});
