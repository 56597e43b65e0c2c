/**
 * maxmemory: the OOM refusals against redis-server 7.0 (both servers over a
 * 1-byte limit, so both refuse the same commands with the same words), the
 * eviction policies on mini-redis (which keys go, the "evicted" events,
 * INFO's counters), and a SET flood against a mini-redis in its own process
 * whose RSS must stay bounded by the limit.
 */
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { decodeReply, rawCall, RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { differential } from '../test/differential.js';
import { startMiniRedisChild } from './child.js';
import { startMiniRedis } from './server.js';

differential('maxmemory under noeviction, like redis-server 7.0', {
  'denyoom commands are refused with OOM, reads and deletions are not': [
    ['set', 'keep', 'v'],
    ['rpush', 'list', 'a', 'b'],
    ['set', 'gone', 'v'],
    ['config', 'set', 'maxmemory', '1'],
    ['config', 'get', 'maxmemory'],
    ['set', 'x', 'y'],
    ['incr', 'n'],
    ['lpush', 'list', 'c'],
    ['sadd', 's', 'm'],
    ['get', 'keep'],
    ['lrange', 'list', 0, -1],
    ['lpop', 'list'],
    ['del', 'gone'],
    ['expire', 'keep', 100],
    ['ping'],
    ['multi'],
    ['get', 'keep'],
    ['del', 'keep'],
    ['exec'],
    ['multi'],
    ['discard'],
    ['config', 'set', 'maxmemory', '0'],
    ['set', 'x', 'y'],
  ],
  'CONFIG SET of the maxmemory family: values, units and errors': [
    ['config', 'set', 'maxmemory', '50mb'],
    ['config', 'get', 'maxmemory'],
    ['config', 'set', 'maxmemory', '10K'],
    ['config', 'get', 'maxmemory'],
    ['config', 'set', 'maxmemory', '1GB'],
    ['config', 'get', 'maxmemory'],
    ['config', 'set', 'maxmemory', 'abc'],
    ['config', 'set', 'maxmemory', '-1'],
    ['config', 'set', 'maxmemory', '1.5mb'],
    ['config', 'set', 'maxmemory', ''],
    ['config', 'get', 'maxmemory'],
    ['config', 'set', 'maxmemory-policy', 'ALLKEYS-LRU'],
    ['config', 'get', 'maxmemory-policy'],
    ['config', 'set', 'maxmemory-policy', 'volatile-ttl'],
    ['config', 'get', 'maxmemory-policy'],
    ['config', 'set', 'maxmemory-policy', 'lru'],
    ['config', 'set', 'maxmemory-policy', 'noeviction'],
    ['config', 'set', 'maxmemory-samples', '10'],
    ['config', 'get', 'maxmemory-samples'],
    ['config', 'set', 'maxmemory-samples', '0'],
    ['config', 'set', 'maxmemory-samples', 'x'],
    ['config', 'set', 'maxmemory-samples', '5'],
    ['config', 'set', 'maxmemory', '1', 'maxmemory', '2'],
    ['config', 'set', 'maxmemory', '1', 'MAXMEMORY', '2'],
    ['config', 'set', 'maxmemory', '5', 'maxmemory-policy', 'bad'],
    ['config', 'get', 'maxmemory'],
    ['config', 'set', 'maxmemory', '5', 'no-such-thing', '1'],
    ['config', 'set', 'databases', '3'],
    ['config', 'set', 'maxmemory', '0', 'maxmemory-policy', 'noeviction'],
    ['config', 'get', 'maxmemory'],
    ['config', 'get', 'maxmemory-policy'],
  ],
});

/** INFO's `field:value` as a number. */
function infoField(info: string, field: string): number {
  const m = new RegExp(`\\r\\n${field}:(\\d+)`).exec(info);
  if (m === null) throw new Error(`no ${field} in INFO`);
  return Number(m[1]);
}

describe('eviction on mini-redis', () => {
  it('allkeys-lru: keys read recently survive a flood, others go with "evicted" events and INFO counts them', async () => {
    const mini = await startMiniRedis({ port: 0 });
    const c = await RespConnection.open(mini.port);
    const sub = await RespConnection.open(mini.port);
    try {
      await c.command('config', 'set', 'notify-keyspace-events', 'Ee');
      await sub.command('subscribe', '__keyevent@0__:evicted');
      for (let i = 0; i < 200; i++) await c.command('set', `old:${i}`, 'x'.repeat(100));
      // Room for about 260 such keys (each ~580 bytes as estimated).
      await c.command('config', 'set', 'maxmemory', '150kb', 'maxmemory-policy', 'allkeys-lru', 'maxmemory-samples', '10');
      // Reads refresh the access time (on the clock each read of a connection sets).
      await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < 20; i++) await c.command('get', `old:${i}`);
      await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < 200; i++) await c.command('set', `new:${i}`, 'y'.repeat(100));
      const info = await c.command('info', 'everything');
      const evicted = infoField(info, 'evicted_keys');
      expect(evicted).toBeGreaterThan(100);
      expect(infoField(info, 'used_memory_dataset')).toBeLessThanOrEqual(150 * 1024);
      expect(infoField(info, 'maxmemory')).toBe(150 * 1024);
      expect(info).toContain('\r\nmaxmemory_policy:allkeys-lru\r\n');
      // The keys read after the others were written are still there; most of the others are not.
      const kept = decodeReply(await c.command('exists', ...Array.from({ length: 20 }, (_, i) => `old:${i}`))) as number;
      const others = decodeReply(await c.command('exists', ...Array.from({ length: 180 }, (_, i) => `old:${i + 20}`))) as number;
      expect(kept).toBeGreaterThanOrEqual(18);
      expect(others).toBeLessThan(90);
      expect(decodeReply(await c.command('exists', 'new:199'))).toBe(1);
      // One event per evicted key, on the keyevent channel, naming the key.
      await c.command('publish', '__keyevent@0__:evicted', 'end');
      const messages = await sub.read((got) => got.includes('$3\r\nend\r\n'));
      expect(messages.split('$7\r\nmessage\r\n').length - 2).toBe(evicted);
    } finally {
      c.close();
      sub.close();
      await mini.close();
    }
  });

  it('volatile-ttl evicts the nearest deadline first; volatile-* with no TTL left refuses writes (OOM)', async () => {
    const mini = await startMiniRedis({ port: 0 });
    const c = await RespConnection.open(mini.port);
    try {
      await c.command('set', 'forever', 'x'.repeat(2000));
      await c.command('set', 'soon', 'x'.repeat(2000), 'ex', 100);
      await c.command('set', 'later', 'x'.repeat(2000), 'ex', 10000);
      const used = infoField(await c.command('info', 'memory'), 'used_memory_dataset');
      expect(used).toBe(0); // nothing is accounted until maxmemory is set
      await c.command('config', 'set', 'maxmemory-policy', 'volatile-ttl', 'maxmemory', '7000');
      expect(await c.command('set', 'more', 'x'.repeat(10))).toBe('+OK\r\n');
      expect(decodeReply(await c.command('exists', 'forever', 'soon', 'later'))).toBe(2);
      expect(decodeReply(await c.command('exists', 'soon'))).toBe(0);
      await c.command('config', 'set', 'maxmemory', '2000');
      expect(await c.command('set', 'again', 'x')).toBe("-OOM command not allowed when used memory > 'maxmemory'.\r\n");
      expect(decodeReply(await c.command('exists', 'forever', 'soon', 'later'))).toBe(1);
      expect(await c.command('get', 'more')).toBe('$10\r\nxxxxxxxxxx\r\n');
    } finally {
      c.close();
      await mini.close();
    }
  });

  it('allkeys-random and allkeys-lfu evict until the dataset fits; OBJECT FREQ/IDLETIME follow the policy', async () => {
    const mini = await startMiniRedis({ port: 0 });
    const c = await RespConnection.open(mini.port);
    try {
      expect(await c.command('set', 'k', 'v')).toBe('+OK\r\n');
      expect(decodeReply(await c.command('object', 'idletime', 'k'))).toBe(0);
      expect(await c.command('object', 'freq', 'k')).toMatch(/^-ERR An LFU maxmemory policy is not selected/);
      for (const policy of ['allkeys-random', 'allkeys-lfu']) {
        await c.command('flushall');
        await c.command('config', 'set', 'maxmemory-policy', policy, 'maxmemory', '100kb');
        for (let i = 0; i < 1000; i++) await c.command('set', `k:${i}`, 'z'.repeat(200));
        const info = await c.command('info', 'memory');
        expect(infoField(info, 'used_memory_dataset')).toBeLessThanOrEqual(100 * 1024);
        const n = decodeReply(await c.command('dbsize')) as number;
        expect(n).toBeGreaterThan(50);
        expect(n).toBeLessThan(1000);
        await c.command('config', 'set', 'maxmemory', '0');
      }
      // LFU: a new key starts at LFU_INIT_VAL (5), and IDLETIME is refused.
      await c.command('set', 'fresh', 'v');
      expect(decodeReply(await c.command('object', 'freq', 'fresh'))).toBeGreaterThanOrEqual(5);
      expect(await c.command('object', 'idletime', 'fresh')).toMatch(/^-ERR An LFU maxmemory policy is selected, idle time not tracked/);
      await c.command('config', 'set', 'maxmemory-policy', 'noeviction');
    } finally {
      c.close();
      await mini.close();
    }
  });

  it(
    'maxmemory 50mb allkeys-lru: a bounded SET flood (3x the limit) leaves the process RSS growth within 1.5x of the limit',
    async () => {
      // The child runs with a 1 MiB young generation: V8's default grows it
      // to 3 x 16 MiB under a write flood, which alone is a third of the
      // limit and is no part of the dataset (see the README).
      const child = await startMiniRedisChild({ env: { ...process.env, NODE_OPTIONS: '--max-semi-space-size=1' } });
      const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024;
      try {
        const limit = 50 * 1024 * 1024;
        expect(await rawCall(child.port, ['config', 'set', 'maxmemory', '50mb', 'maxmemory-policy', 'allkeys-lru'])).toBe('OK');
        const idle = rss();
        // 150,000 SETs of 1 KB values with new keys: 150 MB offered (3x the limit), bounded in count.
        const code = await new Promise<number | null>((resolve) => {
          const p = spawn('redis-benchmark', ['-p', String(child.port), '-t', 'set', '-n', '150000', '-r', '100000000', '-d', '1000', '-P', '16', '-c', '10', '-q'], { stdio: 'ignore' });
          p.on('exit', resolve);
        });
        expect(code).toBe(0);
        const grown = rss() - idle;
        const info = String(await rawCall(child.port, ['info', 'everything']));
        expect(infoField(info, 'used_memory_dataset')).toBeLessThanOrEqual(limit);
        expect(infoField(info, 'evicted_keys')).toBeGreaterThan(100_000);
        const keys = (await rawCall(child.port, ['dbsize'])) as number;
        expect(keys).toBeGreaterThan(20_000);
        expect(grown).toBeLessThanOrEqual(1.5 * limit);
      } finally {
        await child.stop();
      }
    },
    180_000,
  );
});
