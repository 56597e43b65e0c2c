// The SCAN-family iterators on a real server: a static keyspace of 100,000
// keys comes back with every key exactly once; MATCH, TYPE and COUNT are
// passed through; hash, set and sorted-set iterators cover every element.
import { describe, expect, it } from 'vitest';
import { clientSuite } from '../test/helpers.js';

const suite = clientSuite();
const N = 100_000;

describe('scan iterators', () => {
  it('yields every key of a static 100,000-key keyspace exactly once', async () => {
    const c = suite.client();
    await c.connect();
    // Fill in 100 MSETs of 1,000 keys, in one pipeline.
    const p = c.pipeline();
    for (let b = 0; b < N / 1000; b++) {
      const kv: string[] = [];
      for (let i = b * 1000; i < (b + 1) * 1000; i++) kv.push(`key:${i}`, 'v');
      p.mset(...kv);
    }
    await p.exec();
    expect(await c.dbsize()).toBe(N);
    const seen = new Map<string, number>();
    for await (const k of c.scanIterator({ count: 1000 })) seen.set(String(k), (seen.get(String(k)) ?? 0) + 1);
    expect(seen.size).toBe(N);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (let i = 0; i < N; i += 9973) expect(seen.has(`key:${i}`)).toBe(true);
  });

  it('passes MATCH and TYPE, and stops early on break', async () => {
    const c = suite.client({ url: `${suite.srv.url}/1` });
    await c.connect();
    await c.mset('a:1', 'x', 'a:2', 'x', 'b:1', 'x');
    await c.rpush('a:list', 'x');
    const matched: string[] = [];
    for await (const k of c.scanIterator({ match: 'a:*', type: 'string', count: 2 })) matched.push(String(k));
    expect(matched.sort()).toEqual(['a:1', 'a:2']);
    let n = 0;
    for await (const _ of c.scanIterator({ count: 1 })) if (++n === 2) break;
    expect(n).toBe(2);
  });

  it('covers every element of a hash, a set and a sorted set', async () => {
    const c = suite.client({ url: `${suite.srv.url}/2` });
    await c.connect();
    const fields: string[] = [];
    const members: string[] = [];
    const scored: Array<[number, string]> = [];
    for (let i = 0; i < 2000; i++) {
      fields.push(`f${i}`, `v${i}`);
      members.push(`m${i}`);
      scored.push([i / 2, `m${i}`]);
    }
    await c.hset('h', ...fields);
    await c.sadd('s', ...members);
    await c.zadd('z', scored);
    const h = new Map<string, string>();
    for await (const [f, v] of c.hscanIterator('h', { count: 100 })) h.set(String(f), String(v));
    expect(h.size).toBe(2000);
    expect(h.get('f1999')).toBe('v1999');
    const s = new Set<string>();
    for await (const m of c.sscanIterator('s', { count: 100 })) s.add(String(m));
    expect(s.size).toBe(2000);
    const z = new Map<string, number>();
    for await (const [m, score] of c.zscanIterator('z', { count: 100, match: 'm1*' })) z.set(String(m), score);
    expect(z.get('m1999')).toBe(999.5);
    expect([...z.keys()].every((m) => m.startsWith('m1'))).toBe(true);
    expect(z.size).toBe(1111);
  });
});
