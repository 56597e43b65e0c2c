/**
 * startMiniRedisChild: from the sources (tsx) and from the built dist/ (no
 * loader), the pid is the server's own, fdLimit reaches the child, and a
 * child that cannot listen rejects with its reason instead of hanging.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rawCall } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { startMiniRedisChild } from './child.js';

/** The open-files soft limit of `pid` (Linux). */
function softFdLimit(pid: number): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3]);
}

/** The command line of `pid` (Linux), NUL-separated in /proc. */
function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

describe('startMiniRedisChild', () => {
  it('from the sources: runs src/main.ts through tsx, serves, and stops with exit code 0', async () => {
    const child = await startMiniRedisChild();
    try {
      expect(child.url).toBe(`redis://127.0.0.1:${child.port}`);
      expect(await rawCall(child.port, ['SET', 'k', 'v'])).toBe('OK');
      expect(await rawCall(child.port, ['GET', 'k'])).toBe('v');
      const argv = cmdline(child.pid);
      expect(argv).toContain('--conditions=source');
      expect(argv.some((a) => a.endsWith('main.ts'))).toBe(true);
      expect(child.alive()).toBe(true);
    } finally {
      expect(await child.stop()).toBe(0);
    }
    expect(child.alive()).toBe(false);
    expect(child.stdout()).toContain('stopped');
    // stop() is idempotent.
    expect(await child.stop()).toBe(0);
  });

  it('from the built package: runs dist/main.js with no loader', async () => {
    // dist/ exists once `tsc -b` has run (pnpm test builds first).
    const dist = fileURLToPath(new URL('../dist/child.js', import.meta.url));
    const built = (await import(dist)) as typeof import('./child.js');
    const child = await built.startMiniRedisChild();
    try {
      expect(await rawCall(child.port, ['PING'])).toBe('PONG');
      const argv = cmdline(child.pid);
      expect(argv.some((a) => a.endsWith('dist/main.js'))).toBe(true);
      expect(argv.join(' ')).not.toContain('tsx');
    } finally {
      await child.stop();
    }
  });

  it('fdLimit raises the open-files limit, and the pid is still the server (the shell exec-ed node)', async () => {
    const hard = Number(
      readFileSync('/proc/self/limits', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('Max open files'))
        ?.split(/\s+/)[4],
    );
    const want = Math.min(4096, hard);
    const child = await startMiniRedisChild({ fdLimit: want, args: ['--maxclients', '3000'] });
    try {
      expect(softFdLimit(child.pid)).toBe(want);
      expect(cmdline(child.pid)[0]).toBe(process.execPath);
      expect(await rawCall(child.port, ['CONFIG', 'GET', 'maxclients'])).toEqual(['maxclients', '3000']);
    } finally {
      await child.stop();
    }
  });

  it('rejects with the reason when the child exits before listening', async () => {
    const other = await startMiniRedisChild();
    try {
      await expect(startMiniRedisChild({ port: other.port })).rejects.toThrow(/exited \(1\) before listening: .*cannot listen on 127\.0\.0\.1:\d+/s);
      await expect(startMiniRedisChild({ args: ['--bogus'] })).rejects.toThrow(/exited \(2\) before listening/);
    } finally {
      await other.stop();
    }
  });
});
