/**
 * HRANDFIELD's random cases, which no differential test can compare: the
 * reply's size, distinctness and field/value pairing, in both protocols.
 */
import { RespConnection, type RawValue } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniRedis, type MiniRedis } from './server.js';

describe('HRANDFIELD with a count', () => {
  let mini: MiniRedis;
  let c: RespConnection;
  const fields: Record<string, string> = { a: '1', b: '2', c: '3', d: '4', e: '5' };
  beforeAll(async () => {
    mini = await startMiniRedis({ port: 0 });
    c = await RespConnection.open(mini.port);
    await c.call('hset', 'h', ...Object.entries(fields).flat());
  });
  afterAll(async () => {
    c?.close();
    await mini?.close();
  });

  it('a negative count gives exactly |count| fields, repeats allowed', async () => {
    for (let i = 0; i < 20; i++) {
      const r = (await c.call('hrandfield', 'h', '-12')) as string[];
      expect(r).toHaveLength(12);
      for (const f of r) expect(Object.keys(fields)).toContain(f);
    }
  });

  it('a positive count below the size gives that many distinct fields', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const r = (await c.call('hrandfield', 'h', '3')) as string[];
      expect(r).toHaveLength(3);
      expect(new Set(r).size).toBe(3);
      for (const f of r) seen.add(f);
    }
    // 50 draws of 3 out of 5 miss a given field with probability (2/5)^50.
    expect([...seen].sort()).toEqual(Object.keys(fields));
  });

  it('WITHVALUES pairs each field with its value: flat in RESP2, pairs in RESP3', async () => {
    const flat = (await c.call('hrandfield', 'h', '-4', 'withvalues')) as string[];
    expect(flat).toHaveLength(8);
    for (let i = 0; i < flat.length; i += 2) expect(fields[flat[i] as string]).toBe(flat[i + 1]);
    const c3 = await RespConnection.open(mini.port);
    try {
      await c3.command('hello', '3');
      const pairs = (await c3.call('hrandfield', 'h', '2', 'withvalues')) as RawValue[][];
      expect(pairs).toHaveLength(2);
      for (const [f, v] of pairs as string[][]) expect(fields[f as string]).toBe(v);
    } finally {
      c3.close();
    }
  });

  it('without a count: one field of the hash', async () => {
    expect(Object.keys(fields)).toContain(await c.call('hrandfield', 'h'));
  });
});
