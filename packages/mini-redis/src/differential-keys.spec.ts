/**
 * Keyspace commands against redis-server 7.0, byte for byte, in RESP2 and
 * RESP3 (harness: ../test/differential.ts); SCAN over many pages is
 * compared by the set of keys it returns.
 */
import { RespConnection, decodeReply } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { differential, withBothServers, type Script } from '../test/differential.js';

const scripts: Record<string, Script> = {
  'COPY, MOVE, RENAMENX, SWAPDB': [
    ['set', 'a', '1'],
    ['expire', 'a', '100'],
    ['copy', 'a', 'b'],
    ['get', 'b'],
    ['ttl', 'b'],
    ['copy', 'a', 'b'],
    ['copy', 'a', 'b', 'replace'],
    ['copy', 'a', 'a'],
    ['copy', 'nosuch', 'c'],
    ['copy', 'a', 'a', 'db', '1'],
    ['copy', 'a', 'a', 'db', '16'],
    ['copy', 'a', 'a', 'db', '-1'],
    ['copy', 'a', 'a', 'db', 'x'],
    ['copy', 'a', 'a', 'db', '4294967296'],
    ['copy', 'a', 'a', 'db'],
    ['copy', 'a', 'x', 'foo'],
    ['rpush', 'l', 'x', 'y'],
    ['copy', 'l', 'l2'],
    ['rpush', 'l2', 'z'],
    ['lrange', 'l', '0', '-1'],
    ['lrange', 'l2', '0', '-1'],
    ['hset', 'h', 'f', 'v'],
    ['copy', 'h', 'h2'],
    ['hset', 'h2', 'g', 'w'],
    ['hlen', 'h'],
    ['sadd', 's', '1', '2'],
    ['copy', 's', 's2'],
    ['sadd', 's2', '3'],
    ['scard', 's'],
    ['zadd', 'z', '1', 'm'],
    ['copy', 'z', 'z2'],
    ['zadd', 'z2', '2', 'n'],
    ['zcard', 'z'],
    ['move', 'a', '1'],
    ['exists', 'a'],
    ['select', '1'],
    ['get', 'a'],
    ['ttl', 'a'],
    ['move', 'a', '1'],
    ['move', 'a', '0'],
    ['select', '0'],
    ['set', 'a', 'again'],
    ['select', '1'],
    ['move', 'a', '0'],
    ['move', 'a', '16'],
    ['move', 'a', 'x'],
    ['move', 'nosuch', '0'],
    ['select', '0'],
    ['renamenx', 'b', 'c'],
    ['renamenx', 'c', 'l'],
    ['renamenx', 'c', 'c'],
    ['renamenx', 'nosuch', 'x'],
    ['renamenx', 'nosuch', 'nosuch'],
    ['ttl', 'c'],
    ['swapdb', '0', '1'],
    ['get', 'a'],
    ['exists', 'c'],
    ['swapdb', '0', '1'],
    ['get', 'a'],
    ['swapdb', '0', '0'],
    ['swapdb', '0', '16'],
    ['swapdb', 'x', '1'],
    ['swapdb', '0', 'y'],
    ['swapdb', '-1', '0'],
  ],
  'expiry: EXPIRETIME, PEXPIRETIME, int64 deadlines': [
    ['set', 'k', 'v'],
    ['expiretime', 'k'],
    ['pexpiretime', 'k'],
    ['expiretime', 'nosuch'],
    ['pexpiretime', 'nosuch'],
    ['expireat', 'k', '33177117420'],
    ['expiretime', 'k'],
    ['pexpiretime', 'k'],
    ['pexpireat', 'k', '33177117420123'],
    ['expiretime', 'k'],
    ['pexpiretime', 'k'],
    ['pexpireat', 'k', '9007199254740993'],
    ['pexpiretime', 'k'],
    ['expiretime', 'k'],
    ['pexpireat', 'k', '9223372036854775807'],
    ['pexpiretime', 'k'],
    ['pexpireat', 'k', '9007199254740995', 'GT'],
    ['pexpireat', 'k', '9007199254740995', 'LT'],
    ['pexpiretime', 'k'],
    ['expireat', 'k', '9223372036854775'],
    ['pexpiretime', 'k'],
    ['expireat', 'k', '9223372036854776'],
    ['expireat', 'k', '-9223372036854776'],
    ['expire', 'k', '9223372036854775'],
    ['pexpire', 'k', '9223372036854775807'],
    ['pexpire', 'k', '9223372036854775807000'],
    ['expireat', 'k', '-9223372036854775'],
    ['exists', 'k'],
    ['set', 'k', 'v'],
    ['expire', 'k', '-100'],
    ['exists', 'k'],
    ['set', 'k', 'v'],
    ['pexpireat', 'k', '1', 'NX'],
    ['exists', 'k'],
    ['set', 'k', 'v'],
    ['rename', 'k', 'k2'],
    ['pexpireat', 'k2', '9007199254740993'],
    ['rename', 'k2', 'k3'],
    ['pexpiretime', 'k3'],
    ['copy', 'k3', 'k4'],
    ['pexpiretime', 'k4'],
    ['persist', 'k4'],
    ['pexpiretime', 'k4'],
  ],
  'TOUCH, WAIT, RANDOMKEY': [
    ['randomkey'],
    ['set', 'only', '1'],
    ['randomkey'],
    ['touch', 'only', 'nosuch', 'only'],
    ['touch', 'nosuch'],
    ['wait', '0', '0'],
    ['wait', '1', '1'],
    ['multi'],
    ['wait', '1', '0'],
    ['exec'],
    ['wait', 'x', '0'],
    ['wait', '0', 'x'],
    ['wait', '0', '-1'],
    ['wait', '0', '9223372036854775807'],
    ['pexpire', 'only', '-1'],
    ['randomkey'],
  ],
  'OBJECT': [
    ['set', 'int', '12345'],
    ['set', 'neg', '-5'],
    ['set', 'bigint', '123456789012345678901'],
    ['set', 'str', 'hello'],
    ['set', 'long', 'x'.repeat(44)],
    ['set', 'longer', 'x'.repeat(45)],
    ['set', 'lead', '012'],
    ['object', 'encoding', 'int'],
    ['object', 'encoding', 'neg'],
    ['object', 'encoding', 'bigint'],
    ['object', 'encoding', 'str'],
    ['object', 'encoding', 'long'],
    ['object', 'encoding', 'longer'],
    ['object', 'encoding', 'lead'],
    ['object', 'refcount', 'int'],
    ['object', 'refcount', 'str'],
    ['set', 'big', '10000'],
    ['object', 'refcount', 'big'],
    ['object', 'refcount', 'neg'],
    ['append', 'str', '!'],
    ['object', 'encoding', 'str'],
    ['append', 'fresh', '12'],
    ['object', 'encoding', 'fresh'],
    ['incr', 'fresh'],
    ['object', 'encoding', 'fresh'],
    ['incrbyfloat', 'fl', '1.5'],
    ['object', 'encoding', 'fl'],
    ['incrbyfloat', 'fl', '1.5'],
    ['object', 'encoding', 'fl'],
    ['setrange', 'sr', '0', '5'],
    ['object', 'encoding', 'sr'],
    ['setbit', 'bits', '3', '1'],
    ['object', 'encoding', 'bits'],
    ['rpush', 'list', 'a'],
    ['object', 'encoding', 'list'],
    ['hset', 'h', 'f', 'v'],
    ['object', 'encoding', 'h'],
    ['hset', 'h', 'g', 'x'.repeat(65)],
    ['object', 'encoding', 'h'],
    ['sadd', 'is', '1', '2', '-3'],
    ['object', 'encoding', 'is'],
    ['sadd', 'is', 'a'],
    ['object', 'encoding', 'is'],
    ['zadd', 'z', '1', 'a'],
    ['object', 'encoding', 'z'],
    ['zadd', 'z', '2', 'm'.repeat(65)],
    ['object', 'encoding', 'z'],
    ['object', 'encoding', 'nosuch'],
    ['object', 'refcount', 'nosuch'],
    ['object', 'freq', 'int'],
    ['object', 'help'],
    ['object', 'foo', 'x'],
    ['object', 'encoding'],
    ['object', 'encoding', 'a', 'b'],
    ['object', 'help', 'x'],
  ],
  'SCAN, HSCAN, SSCAN, ZSCAN (one page)': [
    ['mset', 'a1', '1', 'a2', '2', 'b1', '3'],
    ['rpush', 'l1', 'x'],
    { cmd: ['scan', '0'], sorted: true },
    { cmd: ['scan', '0', 'match', 'a*'], sorted: true },
    { cmd: ['scan', '0', 'count', '100', 'match', '*1'], sorted: true },
    { cmd: ['scan', '0', 'type', 'list'], sorted: true },
    { cmd: ['scan', '0', 'type', 'STRING', 'match', 'b*'], sorted: true },
    { cmd: ['scan', '0', 'type', 'nosuchtype'], sorted: true },
    ['scan', '0', 'count', '0'],
    ['scan', '0', 'count', 'x'],
    ['scan', '0', 'count'],
    ['scan', '0', 'foo', 'bar'],
    ['scan', 'x'],
    ['scan', '-'],
    ['scan', ' 1'],
    ['scan', '18446744073709551616'],
    ['hset', 'h', 'f1', 'v1', 'f2', 'v2', 'g1', 'v3'],
    ['hscan', 'h', '0'],
    ['hscan', 'h', '0', 'match', 'f*'],
    ['hscan', 'h', '0', 'count', '1'],
    ['hscan', 'h', '0', 'type', 'string'],
    ['hscan', 'h', 'x'],
    ['hscan', 'nosuch', '0'],
    ['hscan', 'nosuch', '0', 'bad'],
    ['hscan', 'a1', '0'],
    ['sadd', 'is', '5', '-2', '10', '3'],
    ['sscan', 'is', '0'],
    ['sscan', 'is', '0', 'match', '1*'],
    ['sadd', 'ss', 'x', 'y', 'z'],
    { cmd: ['sscan', 'ss', '0'], sorted: true },
    ['zadd', 'z', '1', 'a', '2.5', 'b', '-1', 'c', '1e300', 'd', 'inf', 'e'],
    ['zscan', 'z', '0'],
    ['zscan', 'z', '0', 'match', '[ab]'],
    ['zscan', 'z', '0', 'count', '1'],
    ['zscan', 'a1', '0'],
  ],
};

differential('keyspace commands like redis-server, byte for byte', scripts);

describe('SCAN over many pages returns what redis-server returns', () => {
  const servers = withBothServers();

  /** Every name a full SCAN-family iteration returns (with duplicates removed), sorted. */
  async function fullScan(conn: RespConnection, argv: string[], pick: (page: unknown[]) => string[]): Promise<string[]> {
    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      // SCAN cursor [options]; HSCAN/SSCAN/ZSCAN key cursor [options].
      const head = argv[0] === 'scan' ? 1 : 2;
      const [next, items] = decodeReply(await conn.command(...argv.slice(0, head), cursor, ...argv.slice(head))) as [string, unknown[]];
      for (const name of pick(items)) seen.add(name);
      cursor = next;
      pages++;
    } while (cursor !== '0' && pages < 10_000);
    return [...seen].sort();
  }

  it('keys, a big hash, a big set, a big sorted set; MATCH and TYPE', async () => {
    for (const port of [servers.redis.port, servers.mini.port]) {
      const conn = await RespConnection.open(port);
      await conn.command('flushall');
      for (let i = 0; i < 500; i++) await conn.command('set', `key:${i}`, String(i));
      for (let i = 0; i < 50; i++) await conn.command('rpush', `list:${i}`, 'x');
      const fields = Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat();
      await conn.command('hset', 'bighash', ...fields);
      await conn.command('sadd', 'bigset', ...Array.from({ length: 600 }, (_, i) => `m${i}`));
      await conn.command('zadd', 'bigz', ...Array.from({ length: 300 }, (_, i) => [String(i), `z${i}`]).flat());
      conn.close();
    }
    const a = await RespConnection.open(servers.redis.port);
    const b = await RespConnection.open(servers.mini.port);
    try {
      const keys = (items: unknown[]): string[] => items as string[];
      const evens = (items: unknown[]): string[] => (items as string[]).filter((_, i) => i % 2 === 0);
      for (const [argv, pick] of [
        [['scan'], keys],
        [['scan', 'count', '7'], keys],
        [['scan', 'match', 'key:1*', 'count', '50'], keys],
        [['scan', 'type', 'list'], keys],
        [['hscan', 'bighash'], evens],
        [['hscan', 'bighash', 'match', 'f1?', 'count', '20'], evens],
        [['sscan', 'bigset', 'count', '33'], keys],
        [['zscan', 'bigz'], evens],
      ] as const) {
        const expected = await fullScan(a, [...argv], pick);
        const got = await fullScan(b, [...argv], pick);
        expect({ argv, got }).toEqual({ argv, got: expected });
      }
      // The hash pairs and the scores too, not only the names.
      const pairs = async (conn: RespConnection, cmd: string, key: string): Promise<string[]> => {
        const out: string[] = [];
        let cursor = '0';
        do {
          const [next, items] = decodeReply(await conn.command(cmd, key, cursor, 'count', '25')) as [string, string[]];
          for (let i = 0; i < items.length; i += 2) out.push(`${items[i]}=${items[i + 1]}`);
          cursor = next;
        } while (cursor !== '0');
        return [...new Set(out)].sort();
      };
      expect(await pairs(b, 'hscan', 'bighash')).toEqual(await pairs(a, 'hscan', 'bighash'));
      expect(await pairs(b, 'zscan', 'bigz')).toEqual(await pairs(a, 'zscan', 'bigz'));
    } finally {
      a.close();
      b.close();
    }
  });

  it('keys present for the whole scan are all returned while others are added and deleted', async () => {
    const b = await RespConnection.open(servers.mini.port);
    try {
      await b.command('flushall');
      for (let i = 0; i < 300; i++) await b.command('set', `stay:${i}`, '1');
      const seen = new Set<string>();
      let cursor = '0';
      let round = 0;
      do {
        const [next, items] = decodeReply(await b.command('scan', cursor, 'count', '20')) as [string, string[]];
        for (const key of items) seen.add(key);
        // Churn between pages: new keys and deletions of keys that come and go.
        await b.command('set', `churn:${round}`, '1');
        if (round > 0) await b.command('del', `churn:${round - 1}`);
        cursor = next;
        round++;
      } while (cursor !== '0' && round < 1000);
      for (let i = 0; i < 300; i++) expect(seen.has(`stay:${i}`)).toBe(true);
      // An unknown cursor restarts the scan rather than failing.
      const [, again] = decodeReply(await b.command('scan', '987654321', 'count', '1000')) as [string, string[]];
      expect(again.filter((k) => k.startsWith('stay:')).length).toBe(300);
    } finally {
      b.close();
    }
  });
});

describe('WAIT with replicas asked for waits its timeout, then answers 0', () => {
  const servers = withBothServers();
  it('like redis-server (RESP2 and RESP3), within a generous bound', async () => {
    {
      for (const port of [servers.redis.port, servers.mini.port]) {
        for (const protocol of ['2', '3']) {
          const conn = await RespConnection.open(port);
          await conn.command('hello', protocol);
          const t0 = Date.now();
          expect(await conn.command('wait', '2', '150')).toBe(':0\r\n');
          const took = Date.now() - t0;
          expect(took).toBeGreaterThanOrEqual(140);
          expect(took).toBeLessThan(5000);
          conn.close();
        }
      }
    }
  });
});
