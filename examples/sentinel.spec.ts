// examples/sentinel.ts runs end to end: it starts its own Sentinel deployment,
// counts through a SENTINEL FAILOVER and reports the move and the counter.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTsx } from '@reactor-ts/test-utils';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('examples/sentinel.ts', () => {
  it('follows the failover it asks for and counts on the new master', async () => {
    const r = await runTsx('sentinel.ts', ['--count', '2000'], { cwd: here, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const before = /master at 127\.0\.0\.1:(\d+)/.exec(r.stdout)?.[1];
    const after = /now on 127\.0\.0\.1:(\d+) after 1 switch/.exec(r.stdout)?.[1];
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const m = /INCR ok=(\d+) failed=(\d+); counter=(\d+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(2000);
    expect(Number(m![3])).toBeLessThanOrEqual(2000);
  }, 150_000);

  it('refuses a bad --count with a message', async () => {
    const r = await runTsx('sentinel.ts', ['--count', 'x'], { cwd: here, timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--count must be/);
  }, 60_000);
});
