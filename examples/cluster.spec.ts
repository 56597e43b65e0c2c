// Runs examples/cluster.ts as a user would (tsx, a child process); it starts and stops its own cluster.
import { fileURLToPath } from 'node:url';
import { runTsx } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('examples/cluster.ts', () => {
  it('routes with no MOVED, pipelines across masters, refuses cross-slot, follows a moved slot, runs the callback API', async () => {
    const res = await runTsx('cluster.ts', ['--keys', '200'], { cwd: here, env: { ...process.env, REDIS_URL: '' }, timeoutMs: 90_000 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('SET 200 keys, MOVED seen: 0');
    expect(res.stdout).toContain('pipeline of 200 INCR across masters: all 1 = true');
    expect(res.stdout).toContain('MSET a b: CrossSlotError, not sent');
    expect(res.stdout).toMatch(/slot \d+ moved :\d+ → :\d+; multi\(\) after the move: \[1,"ann"\]/);
    expect(res.stdout).toContain('hiredis-cluster API: 1000 INCR, last reply 1000');
  }, 120_000);
});
