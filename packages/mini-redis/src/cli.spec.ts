/**
 * The CLI entry as documented (`pnpm mini-redis`, src/main.ts, run in a
 * child by startMiniRedisChild): `--port 0` prints
 * `listening on HOST:PORT`, serves, and stops cleanly on SIGTERM.
 */
import { RespConnection, runTsx } from '@reactor-ts/test-utils';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startMiniRedisChild } from './child.js';

async function startCli(args: string[]): Promise<{ port: number; output: () => string; exit: Promise<number | null>; kill: () => void }> {
  // startMiniRedisChild passes --port 0 --host 127.0.0.1 first; a repeated option's last value wins.
  const child = await startMiniRedisChild({ args });
  return { port: child.port, output: () => child.stdout() + child.stderr(), exit: child.exited, kill: () => void child.stop() };
}

describe('the mini-redis CLI (src/main.ts)', () => {
  it('listens on --port 0, serves, and stops on SIGTERM', async () => {
    const srv = await startCli(['--port', '0']);
    const c = await RespConnection.open(srv.port);
    expect(await c.command('set', 'k', 'v')).toBe('+OK\r\n');
    expect(await c.command('get', 'k')).toBe('$1\r\nv\r\n');
    c.close();
    srv.kill();
    expect(await srv.exit).toBe(0);
    expect(srv.output()).toContain('stopped');
  });

  it('--requirepass and --maxclients', async () => {
    const srv = await startCli(['--port', '0', '--requirepass', 'pw', '--maxclients', '1']);
    const a = await RespConnection.open(srv.port);
    expect(await a.command('get', 'k')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await a.command('auth', 'pw')).toBe('+OK\r\n');
    const b = await RespConnection.open(srv.port);
    expect(await b.read((g) => g.length > 0 && b.isClosed)).toBe('-ERR max number of clients reached\r\n');
    a.close();
    srv.kill();
    expect(await srv.exit).toBe(0);
  });

  it('takes its options after a leading `--` (as `pnpm mini-redis -- --port N` passes them)', async () => {
    // A bad port shows the option was read; nothing binds either way.
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = await runTsx(main, ['--', '--port', 'nope'], { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--port must be 0..65535, got nope');
  });

  it('refuses an unknown option with exit code 2', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = await runTsx(main, ['--port', '0', '--bogus'], { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown option '--bogus'/);
  });
});
