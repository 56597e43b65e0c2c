// Runs the blocking examples as a user would, in a child process with tsx,
// against a redis-server of their own.
import { fileURLToPath } from 'node:url';
import { getFreePort, runTsx, startRedis, type RedisServer, type RunTsxResult } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

function runExample(file: string, args: string[]): Promise<RunTsxResult> {
  return runTsx(file, args, { cwd: here, env: { ...process.env, REDIS_URL: '' }, timeoutMs: 60_000 });
}

describe('examples/sync-counter.ts', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis({ password: 'pw123456' });
  });
  afterAll(() => srv.stop());

  it('AUTHs, counts to N and prints the timing line', async () => {
    const url = `redis://127.0.0.1:${srv.port}`;
    const res = await runExample('sync-counter.ts', ['--url', url, '--password', 'pw123456', '--count', '50', '--verbose']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => `INCR counter: ${i + 1}`));
    expect(lines[50]).toMatch(/^after 50 exec redis command, used \d+ ms$/);
  });

  it('defaults to 1000 INCR and prints only the timing line', async () => {
    const res = await runExample('sync-counter.ts', ['--url', `redis://:pw123456@127.0.0.1:${srv.port}`]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^after 1000 exec redis command, used \d+ ms\n$/);
  });

  it('reports a failed AUTH and exits non-zero', async () => {
    const res = await runExample('sync-counter.ts', ['--url', `redis://127.0.0.1:${srv.port}`, '--password', 'nope']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/AUTH failed/);
  });
});

describe('examples/blocking-client.ts', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis();
  });
  afterAll(() => srv.stop());

  it('walks through SET/GET, a pipeline and both kinds of error', async () => {
    const res = await runExample('blocking-client.ts', ['--url', srv.url]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('SET: OK\nGET: hello\n');
    expect(res.stdout).toContain('pipeline: 0 1 3 6 10\n');
    expect(res.stdout).toMatch(/error reply: ERR value is not an integer/);
    expect(res.stdout).toContain('still usable: PONG\n');
    expect(res.stdout).toContain('context error: Timeout');
    expect(res.stdout).toContain('after the error: null\n');
  });

  it('says so when the server is not there', async () => {
    const port = await getFreePort();
    const res = await runExample('blocking-client.ts', ['--url', `redis://127.0.0.1:${port}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Connection error: Connection refused');
  });
});
