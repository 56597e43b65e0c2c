// Runs the promise-client examples as a user would (tsx, in a child process)
// against a redis-server of their own, and checks what they print.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTsx, startRedis, type RedisServer } from '@reactor-ts/test-utils';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let srv: RedisServer;

beforeAll(async () => {
  srv = await startRedis();
});
afterAll(() => srv.stop());

async function runExample(file: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const res = await runTsx(path.join(root, 'examples', file), args, { cwd: root, timeoutMs: 30_000 });
  // Both streams: the checks look for each line wherever the example printed it.
  return { code: res.code, out: res.stdout + res.stderr };
}

describe('examples', () => {
  it('pipeline.ts prints the replies in order, the error in place, and the counter', async () => {
    const { code, out } = await runExample('pipeline.ts', ['--url', srv.url, '--count', '500']);
    expect(out).toContain('reply 0: 1');
    expect(out).toContain('reply 2: 2');
    expect(out).toMatch(/reply 3: error WRONGTYPE/);
    expect(out).toMatch(/after 500 pipelined INCR, counter = 500, used [\d.]+ ms/);
    expect(code).toBe(0);
  });

  it('transaction-watch.ts ends with the exact balance', async () => {
    const { code, out } = await runExample('transaction-watch.ts', ['--url', srv.url, '--workers', '3', '--rounds', '20']);
    expect(out).toContain('MULTI/EXEC set the balance to 0');
    expect(out).toMatch(/3 clients × 20 deposits: balance = 60 \(expected 60\)/);
    expect(code).toBe(0);
  });
});
