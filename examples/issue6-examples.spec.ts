// Runs examples/lua-doubling.ts and examples/pubsub-news.ts as a user would
// (tsx, child process) against a redis-server this test starts; REDIS_URL is
// cleared so they can only reach the server they are given.
import { fileURLToPath } from 'node:url';
import { runTsx, startRedis, type RedisServer, type RunTsxResult } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

function run(file: string, args: string[]): Promise<RunTsxResult> {
  return runTsx(file, args, { cwd: here, env: { ...process.env, REDIS_URL: '' }, timeoutMs: 30_000 });
}

let srv: RedisServer;
beforeAll(async () => {
  srv = await startRedis();
});
afterAll(() => srv.stop());

describe('examples/lua-doubling.ts', () => {
  it("prints the article's results: EVAL → 2, missing key → 0, EVALSHA → 4", async () => {
    const res = await run('lua-doubling.ts', ['--url', srv.url]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toBe('set mark 1 -> OK');
    expect(lines[1]).toBe('eval ... 1 mark -> 2');
    expect(lines[2]).toBe('eval ... 1 darren -> 0');
    expect(lines[3]).toMatch(/^script load \.\.\. -> [0-9a-f]{40}$/);
    expect(lines[4]).toMatch(/^evalsha [0-9a-f]{40} 1 mark -> 4$/);
    expect(lines[5]).toBe('script exists -> [ true ]');
    expect(lines[6]).toBe('local sha1 matches: true');
    expect(lines[7]).toBe('script flush -> OK');
    expect(lines[8]).toBe('script object, 1 mark (NOSCRIPT, recovered) -> 8');
    expect(lines[9]).toBe('script object, 1 mark (EVALSHA) -> 16');
  }, 40_000);
});

describe('examples/pubsub-news.ts', () => {
  it('both subscribers receive harmony on news.shanxi, then the program exits', async () => {
    const res = await run('pubsub-news.ts', ['--url', srv.url, '--once']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('client 1 subscribed to 3 channels');
    expect(res.stdout).toContain('client 3: publish news.shanxi harmony -> 2 receivers');
    expect(res.stdout).toContain('client 1 (subscribe):  news.shanxi -> harmony');
    expect(res.stdout).toContain('client 2 (psubscribe news.*):  news.shanxi -> harmony');
  }, 40_000);
});
