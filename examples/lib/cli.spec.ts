/**
 * The shared command-line parser accepts what npm users type: a leading
 * `--` (`pnpm start -- --once`, `pnpm mini-redis -- --port N`) is the
 * package manager's separator, not the end of the options.
 */
import { describe, expect, it } from 'vitest';
import { parseClientArgs, parseServerArgs, withoutLeadingSeparator } from './cli.js';

describe('examples/lib/cli.ts', () => {
  it('parseServerArgs takes a leading --', () => {
    const args = parseServerArgs({ once: { type: 'boolean' } }, {}, ['--', '--port', '6390', '--once']);
    expect(args.port).toBe(6390);
    expect(args.extra['once']).toBe(true);
  });

  it('parseClientArgs takes a leading --', () => {
    const args = parseClientArgs({ count: { type: 'string' } }, ['--', '--url', 'redis://127.0.0.1:7000', '--count', '3']);
    expect(args.url).toBe('redis://127.0.0.1:7000');
    expect(args.extra['count']).toBe('3');
  });

  it('drops only the first --', () => {
    expect(withoutLeadingSeparator(['--', '--quick'])).toEqual(['--quick']);
    expect(withoutLeadingSeparator(['--quick', '--', 'x'])).toEqual(['--quick', '--', 'x']);
    expect(withoutLeadingSeparator([])).toEqual([]);
  });
});
