// Client-side caching on a real server: reads are served from memory, a
// write from another client invalidates within one round trip, FLUSHDB
// empties it, and the cache stays within its entry and byte bounds.
import { describe, expect, it } from 'vitest';
import { createCachingClient } from './index.js';
import { clientSuite } from '../test/helpers.js';

const suite = clientSuite();

describe('createCachingClient', () => {
  it('serves repeated reads from memory and drops them when another client writes', async () => {
    const base = suite.client();
    await base.connect();
    const writer = suite.client();
    await writer.connect();
    const cache = await createCachingClient(base);
    try {
      await writer.set('ck', 'v1');
      await writer.hset('ch', 'f', '1');
      expect(await cache.get('ck')).toBe('v1');
      expect(await cache.get('ck')).toBe('v1');
      expect(await cache.hgetall('ch')).toEqual(new Map([['f', '1']]));
      expect(cache.stats).toMatchObject({ hits: 1, misses: 2, entries: 2 });
      await writer.set('ck', 'v2');
      // One round trip on the caching connection: the invalidate push was queued before its reply.
      await cache.ping();
      expect(await cache.get('ck')).toBe('v2');
      expect(cache.stats.invalidations).toBeGreaterThanOrEqual(1);
      expect(await cache.hgetall('ch')).toEqual(new Map([['f', '1']]));
      expect(cache.stats.hits).toBe(2);
      await writer.flushdb();
      await cache.ping();
      expect(cache.stats.entries).toBe(0);
      expect(await cache.get('ck')).toBeNull();
      // Writes through the caching client itself are not cached and invalidate too.
      await cache.set('ck', 'v3');
      await cache.ping();
      expect(await cache.get('ck')).toBe('v3');
    } finally {
      await cache.close();
    }
  });

  it('keeps within maxEntries and maxBytes, least recently used first', async () => {
    const base = suite.client({ url: `${suite.srv.url}/3` });
    await base.connect();
    const cache = await createCachingClient(base, { maxEntries: 50, maxBytes: 20_000 });
    try {
      for (let i = 0; i < 200; i++) await cache.set(`b${i}`, 'x'.repeat(100));
      for (let i = 0; i < 200; i++) await cache.get(`b${i}`);
      expect(cache.stats.entries).toBeLessThanOrEqual(50);
      expect(cache.stats.bytes).toBeLessThanOrEqual(20_000);
      const before = cache.stats.hits;
      await cache.get('b199');
      expect(cache.stats.hits).toBe(before + 1);
      await cache.get('b0');
      expect(cache.stats.hits).toBe(before + 1);
      // A reply larger than the whole budget is never stored.
      await cache.set('huge', 'y'.repeat(30_000));
      await cache.get('huge');
      await cache.get('huge');
      expect(cache.stats.hits).toBe(before + 1);
    } finally {
      await cache.close();
    }
  });
});
