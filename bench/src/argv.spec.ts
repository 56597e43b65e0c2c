/**
 * `pnpm bench -- --list`: the leading `--` pnpm hands on is not a suite
 * name (issue 13, item 11). `--list` exits before any suite runs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTsx } from '@reactor-ts/test-utils';
import { suiteNames } from './suites.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('bench command line', () => {
  it('accepts a leading --', async () => {
    const r = await runTsx('bench/src/main.ts', ['--', '--list'], { cwd: ROOT, timeoutMs: 30_000 });
    expect(r.stderr).not.toMatch(/unknown suite/);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(suiteNames());
  });
});
