// runTsx against tiny programs written for the test: exit code, both
// streams, the environment given, and the time bound.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runTsx } from './index.js';

// tsx resolves from the package, the programs live in a scratch directory.
const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'run-tsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function program(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

describe('runTsx', () => {
  it('resolves with the exit code, stdout and stderr of a TypeScript program', async () => {
    const file = program('echo.ts', `const args: string[] = process.argv.slice(2);\nconsole.log(args.join(' '));\nconsole.error('to stderr');\nprocess.exitCode = 3;\n`);
    const res = await runTsx(file, ['a', 'b'], { cwd: pkgDir });
    expect(res).toEqual({ code: 3, stdout: 'a b\n', stderr: 'to stderr\n', timedOut: false });
  });

  it('gives the child exactly the environment passed', async () => {
    const file = program('env.ts', `console.log(JSON.stringify([process.env['RUN_TSX_A'] ?? null, process.env['RUN_TSX_B'] ?? null]));\n`);
    const res = await runTsx(file, [], { cwd: pkgDir, env: { PATH: process.env['PATH'] ?? '', RUN_TSX_A: 'x' } });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(['x', null]);
  });

  it('kills a child that outlives timeoutMs and says so', async () => {
    const file = program('hang.ts', `console.log('started');\nsetInterval(() => {}, 1000);\n`);
    const res = await runTsx(file, [], { cwd: pkgDir, timeoutMs: 3000 });
    expect(res.timedOut).toBe(true);
    expect(res.code).toBeNull();
  });
});
