// The default reactor must let a script end once its clients are closed. The
// script runs in a child process, because only a process of its own can show
// that nothing keeps Node's loop alive.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let srv: RedisServer;

beforeAll(async () => {
  srv = await startRedis();
});
afterAll(() => srv.stop());

/** Runs `code` as an ES module in a child (tsx, source condition); resolves with its exit code and output. */
function runScript(code: string, timeoutMs = 20_000): Promise<{ code: number | null; out: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', code], {
      cwd: pkgDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, out, timedOut });
    });
  });
}

describe('default reactor', () => {
  it('needs no reactor, and the process exits by itself after quit()', async () => {
    const res = await runScript(`
      import { createClient } from './src/index.ts';
      const a = await createClient({ url: '${srv.url}' }).connect();
      const b = await createClient({ url: '${srv.url}' }).connect();
      console.log(await a.incr('exit-check'), await b.ping());
      await a.quit();
      await b.disconnect();
      console.log('done');
    `);
    expect(res.timedOut).toBe(false);
    expect(res.out).toContain('1 PONG');
    expect(res.out).toContain('done');
    expect(res.code).toBe(0);
  });

  it('exits after quit() of a client that used watchRetry (its dedicated connection closes too) and of a pool', async () => {
    const res = await runScript(`
      import { createClient, createPool } from './src/index.ts';
      const c = await createClient({ url: '${srv.url}' }).connect();
      const r = await c.watchRetry(['exit-w'], (conn) => conn.multi().incr('exit-w'));
      const pool = await createPool({ url: '${srv.url}', size: 2 }).connect();
      console.log('exec', r.length, await pool.ping());
      await c.quit();
      await pool.quit();
    `);
    expect(res.timedOut).toBe(false);
    expect(res.out).toContain('exec 1 PONG');
    expect(res.code).toBe(0);
  });

  it('busyPollMicros: commands awaited one by one stay correct, a client given its own reactor refuses it, and the script still exits', async () => {
    const res = await runScript(`
      import { createClient } from './src/index.ts';
      import { createReactor } from '@reactor-ts/reactor';
      const c = await createClient({ url: '${srv.url}', busyPollMicros: 50 }).connect();
      let last = 0;
      for (let i = 0; i < 2000; i++) last = await c.incr('busy-poll-check');
      console.log('last', last);
      let refused = '';
      try { createClient({ url: '${srv.url}', reactor: createReactor(), busyPollMicros: 50 }); } catch (e) { refused = e.name; }
      console.log('with a reactor:', refused);
      await c.quit();
    `);
    expect(res.timedOut).toBe(false);
    expect(res.out).toContain('last 2000');
    expect(res.out).toContain('with a reactor: TypeError');
    expect(res.code).toBe(0);
  });

  it('also exits after a failed connect without reconnect', async () => {
    const res = await runScript(`
      import { createClient } from './src/index.ts';
      const err = await createClient({ url: 'redis://127.0.0.1:1' }).connect().catch((e) => e);
      console.log(err.name, err.code);
    `);
    expect(res.timedOut).toBe(false);
    expect(res.out).toContain('ConnectionError ECONNREFUSED');
    expect(res.code).toBe(0);
  });
});
