/**
 * Hostile input to the Lua libraries written here (cmsgpack, struct, bit)
 * and to FUNCTION RESTORE: random bytes and formats never crash the server
 * or poison the VM; each EVAL answers a value or a script error, and the
 * next script still runs. Bounded: a fixed number of runs per property.
 */
import { RespConnection } from '@reactor-ts/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniRedis, type MiniRedis } from '../server.js';

describe('Lua libraries under random input', () => {
  let mini: MiniRedis;
  let c: RespConnection;
  beforeAll(async () => {
    mini = await startMiniRedis({ port: 0 });
    c = await RespConnection.open(mini.port);
  });
  afterAll(async () => {
    c?.close();
    await mini?.close();
  });

  /** The reply is a value or a script error, and the VM still answers. */
  async function survives(script: string, arg: Buffer | string): Promise<void> {
    const r = await c.command('eval', script, '0', arg);
    expect(r).toMatch(/^([-+:$*_,#%~]|-ERR )/);
    expect(r.startsWith('-ERR internal error')).toBe(false);
    expect(await c.command('eval', 'return 1', '0')).toBe(':1\r\n');
  }

  it('cmsgpack.unpack / unpack_one / unpack_limit of random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: -2, max: 70 }), async (bytes, n) => {
        const b = Buffer.from(bytes);
        await survives('return {cmsgpack.unpack(ARGV[1])}', b);
        await survives(`return {cmsgpack.unpack_one(ARGV[1], ${n})}`, b);
        await survives(`return {cmsgpack.unpack_limit(ARGV[1], ${n}, 0)}`, b);
        await survives('return cmsgpack.pack(cmsgpack.unpack(ARGV[1]))', b);
      }),
      { numRuns: 150 },
    );
  });

  it('cmsgpack: a declared length far past the input, deep nesting', async () => {
    await survives('return {cmsgpack.unpack(ARGV[1])}', Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await survives('return {cmsgpack.unpack(ARGV[1])}', Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]));
    await survives("return type(cmsgpack.unpack(string.rep('\\145', 200000) .. '\\1'))", '');
    await survives("return type(cmsgpack.unpack(string.rep('\\129\\1', 100000) .. '\\1'))", '');
  });

  it('struct.pack / unpack / size with random formats and data', async () => {
    const fmt = fc.array(fc.constantFrom(...'<>!=bBhHlLTiIfdsxc0123456789 z@'.split('')), { maxLength: 12 }).map((a) => a.join(''));
    await fc.assert(
      fc.asyncProperty(fmt, fc.uint8Array({ maxLength: 40 }), async (f, bytes) => {
        const b = Buffer.from(bytes);
        await survives(`return {struct.unpack(${JSON.stringify(f)}, ARGV[1])}`, b);
        await survives(`return struct.size(${JSON.stringify(f)})`, b);
        await survives(`return struct.pack(${JSON.stringify(f)}, 1, ARGV[1], 2.5, ARGV[1], -3, 'abc', 4)`, b);
      }),
      { numRuns: 150 },
    );
  });

  it('bit with random arguments', async () => {
    const v = fc.oneof(fc.double(), fc.integer(), fc.constantFrom("'x'", "'12'", 'nil', '{}', 'true', '1/0', '0/0'));
    const names = ['tobit', 'tohex', 'bnot', 'band', 'bor', 'bxor', 'lshift', 'rshift', 'arshift', 'rol', 'ror', 'bswap'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.array(v, { maxLength: 3 }), async (name, args) => {
        const text = args.map((a) => (typeof a === 'number' ? (Number.isFinite(a) ? String(a) : '0') : a)).join(', ');
        await survives(`return bit.${name}(${text})`, '');
      }),
      { numRuns: 150 },
    );
  });

  it('FUNCTION RESTORE of random bytes, with a valid footer or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 48 }), async (bytes) => {
        const r = await c.command('function', 'restore', Buffer.from(bytes));
        expect(r.startsWith('-ERR ') || r === '+OK\r\n').toBe(true);
        expect(r.startsWith('-ERR internal error')).toBe(false);
        expect(await c.command('ping')).toBe('+PONG\r\n');
      }),
      { numRuns: 150 },
    );
  });
});
