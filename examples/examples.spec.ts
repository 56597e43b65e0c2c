// Every runnable file in examples/ is run by a test. Some have a spec of
// their own (async-counter, blocking, echo-server, tour; the mini-redis CLI
// is tested in packages/mini-redis); this file runs the others
// (pipeline.ts, transaction-watch.ts, lua-doubling.ts, pubsub-news.ts) as a
// user would — tsx, in a child process — against a redis-server of its own,
// REDIS_URL cleared so they can only reach the server they are given, and
// checks that no example is left without a spec and that each says how to
// run it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTsx, startRedis, type RedisServer, type RunTsxResult } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

function run(file: string, args: string[]): Promise<RunTsxResult> {
  return runTsx(file, args, { cwd: here, env: { ...process.env, REDIS_URL: '' }, timeoutMs: 60_000 });
}

/** The runnable programs: top-level .ts files that are not specs (nor someone's scratch `tmp*` file). */
function programs(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.endsWith('.d.ts') && !f.startsWith('tmp') && !f.includes('.tmp.'))
    .sort();
}

/** Every spec under examples/, as text. */
function specTexts(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      if (ent.name === 'node_modules' || ent.name === 'dist') continue;
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.spec.ts')) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(here);
  return out;
}

describe('the client examples', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis();
  });
  afterAll(() => srv?.stop());

  it('pipeline.ts: replies in order, the error in its slot, then N pipelined INCR', async () => {
    const res = await run('pipeline.ts', ['--url', srv.url, '--count', '500']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n').slice(0, 5)).toEqual([
      'reply 0: 1',
      'reply 1: 2',
      'reply 2: 2',
      'reply 3: error WRONGTYPE Operation against a key holding the wrong kind of value',
      'reply 4: not a list',
    ]);
    expect(res.stdout).toMatch(/after 500 pipelined INCR, counter = 500, used [\d.]+ ms/);
  });

  it('pipeline.ts: a bad --count is refused', async () => {
    const res = await run('pipeline.ts', ['--url', srv.url, '--count', '0']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--count must be a positive integer');
  });

  it('transaction-watch.ts: racing deposits under watchRetry lose nothing', async () => {
    const res = await run('transaction-watch.ts', ['--url', srv.url, '--workers', '3', '--rounds', '20']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('MULTI/EXEC set the balance to 0');
    expect(res.stdout).toMatch(/3 clients × 20 deposits: balance = 60 \(expected 60\); most attempts for one deposit: \d+/);
  });

  it('transaction-watch.ts: bad --workers is refused', async () => {
    const res = await run('transaction-watch.ts', ['--url', srv.url, '--workers', 'x']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--workers and --rounds must be positive integers');
  });

  it("lua-doubling.ts prints the article's results: EVAL → 2, missing key → 0, EVALSHA → 4", async () => {
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
  }, 70_000);

  it('pubsub-news.ts: both subscribers receive harmony on news.shanxi, then the program exits', async () => {
    const res = await run('pubsub-news.ts', ['--url', srv.url, '--once']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('client 1 subscribed to 3 channels');
    expect(res.stdout).toContain('client 3: publish news.shanxi harmony -> 2 receivers');
    expect(res.stdout).toContain('client 1 (subscribe):  news.shanxi -> harmony');
    expect(res.stdout).toContain('client 2 (psubscribe news.*):  news.shanxi -> harmony');
  }, 70_000);
});

describe('every example', () => {
  it('is run by some spec', () => {
    const specs = specTexts();
    const uncovered = programs().filter((f) => !specs.some((t) => t.includes(`'${f}'`) || t.includes(`examples/${f}'`)));
    expect(uncovered).toEqual([]);
  });

  it('says in its first lines how to run it, naming itself (or its pnpm script)', () => {
    const scripts = (JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const f of programs()) {
      const head = readFileSync(path.join(here, f), 'utf8').split('\n').slice(0, 12).join('\n');
      const runLine = /^\/\/ Run: +(.*)$/m.exec(head);
      expect(runLine, `${f} has no '// Run:' line`).not.toBeNull();
      const pnpm = /^pnpm (\S+)/.exec(runLine![1]!);
      if (pnpm) expect(scripts[pnpm[1]!], `pnpm ${pnpm[1]} in ${f}`).toContain(`examples/${f}`);
      else expect(runLine![1]).toContain(`examples/${f}`);
    }
  });
});
