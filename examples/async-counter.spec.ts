// Runs examples/async-counter.ts as a user would (tsx, child process)
// against a redis-server this test starts; REDIS_URL is cleared so the
// example can only reach the server it is given.
import { fileURLToPath } from 'node:url';
import { getFreePort, runTsx, startRedis, type RedisServer, type RunTsxResult } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

function run(args: string[]): Promise<RunTsxResult> {
  return runTsx('async-counter.ts', args, { cwd: here, env: { ...process.env, REDIS_URL: '' }, timeoutMs: 60_000 });
}

describe('examples/async-counter.ts', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis({ password: '123456' });
  });
  afterAll(() => srv.stop());

  it('AUTHs, sends N INCR at once, prints each reply and the timing line, exits 0', async () => {
    const res = await run(['--url', `redis://127.0.0.1:${srv.port}`, '--password', '123456', '-n', '20', '--verbose']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `argv[count]: ${i + 1}`));
    expect(lines[20]).toMatch(/^after 20 exec redis command, used \d+ ms$/);
  });

  it('defaults to 1000 INCR (count as argv[1] works too) and prints only the timing line', async () => {
    const res = await run(['--url', `redis://:123456@127.0.0.1:${srv.port}`]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^after 1000 exec redis command, used \d+ ms\n$/);
    const positional = await run(['--url', `redis://:123456@127.0.0.1:${srv.port}`, '7']);
    expect(positional.stdout).toMatch(/^after 7 exec redis command, used \d+ ms\n$/);
  });

  it('reports a refused AUTH and a refused connection, exiting 1', async () => {
    const bad = await run(['--url', `redis://127.0.0.1:${srv.port}`, '--password', 'nope', '-n', '3']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/AUTH failed: WRONGPASS/);
    const closed = await run(['--url', `redis://127.0.0.1:${await getFreePort()}`, '-n', '3']);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/ECONNREFUSED/);
  });
});
