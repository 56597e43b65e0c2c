/**
 * Stream commands against redis-server 7.0, byte for byte, in RESP2 and
 * RESP3 (harness: ../test/differential.ts). IDs are given explicitly so
 * both servers hold the same entries; `*` IDs are checked for their shape.
 */
import { decodeReply, RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { differential, withBothServers, type Script } from '../test/differential.js';
import { startMiniRedis } from './server.js';

const scripts: Record<string, Script> = {
  'XADD, XRANGE, XREVRANGE, XLEN, XDEL': [
    ['xadd', 's', '1-1', 'f', 'v'],
    ['xadd', 's', '1-2', 'a', '1', 'b', '2'],
    ['xadd', 's', '1-*', 'c', '3'],
    ['xadd', 's', '2', 'd', '4'],
    ['xadd', 's', '5-*', 'e', '5'],
    ['xadd', 's', '1-5', 'x', 'y'],
    ['xadd', 's', '5-0', 'x', 'y'],
    ['xadd', 's', '0-0', 'x', 'y'],
    ['xadd', 'fresh', '0-*', 'x', 'y'],
    ['xadd', 's', 'bad', 'x', 'y'],
    ['xadd', 's', '1-x', 'x', 'y'],
    ['xadd', 's', '-', 'x', 'y'],
    ['xadd', 's', '9-9', 'x'],
    ['xadd', 's', '9-9', 'x', 'y', 'z'],
    ['xadd', 'nomk', 'nomkstream', '1-1', 'x', 'y'],
    ['exists', 'nomk'],
    ['xadd', 's', '18446744073709551615-18446744073709551615', 'x', 'y'],
    ['xadd', 's', '*', 'x', 'y'],
    ['xlen', 's'],
    ['xlen', 'nosuch'],
    ['xrange', 's', '-', '+'],
    ['xrange', 's', '1', '1'],
    ['xrange', 's', '(1-1', '+', 'count', '2'],
    ['xrange', 's', '-', '(2-0'],
    ['xrange', 's', '-', '+', 'count', '0'],
    ['xrange', 's', '-', '+', 'count', '-1'],
    ['xrange', 's', '-', '+', 'count'],
    ['xrange', 's', '-', '+', 'foo', '1'],
    ['xrange', 's', '(-', '+'],
    ['xrange', 's', 'x', '+'],
    ['xrange', 's', '3', '2'],
    ['xrange', 'nosuch', '-', '+'],
    ['xrange', 'nosuch', '-', '+', 'count', '0'],
    ['xrevrange', 's', '+', '-'],
    ['xrevrange', 's', '+', '-', 'count', '2'],
    ['xrevrange', 's', '(5-0', '(1-1'],
    ['xdel', 's', '1-2', '9-9', '1-2'],
    ['xdel', 's', 'bad'],
    ['xdel', 'nosuch', 'bad'],
    ['xrange', 's', '-', '+'],
    ['xlen', 's'],
    ['type', 's'],
    ['object', 'encoding', 's'],
    ['set', 'str', 'x'],
    ['xadd', 'str', '1-1', 'a', 'b'],
    ['xrange', 'str', '-', '+'],
    ['xlen', 'str'],
    ['copy', 's', 's2'],
    ['xrange', 's2', '-', '+'],
  ],
  'XTRIM and XADD trimming (exact and approximate)': [
    ...Array.from({ length: 250 }, (_, i) => ['xadd', 'big', `${i + 1}-0`, 'n', String(i)]),
    ['xtrim', 'big', 'maxlen', '~', '200'],
    ['xlen', 'big'],
    ['xtrim', 'big', 'maxlen', '~', '120'],
    ['xlen', 'big'],
    ['xtrim', 'big', 'maxlen', '=', '120'],
    ['xlen', 'big'],
    ['xtrim', 'big', 'maxlen', '~', '0', 'limit', '10'],
    ['xtrim', 'big', 'minid', '~', '230'],
    ['xlen', 'big'],
    ['xtrim', 'big', 'minid', '240'],
    ['xrange', 'big', '-', '+', 'count', '2'],
    ['xadd', 'big', 'maxlen', '3', '300-0', 'n', 'last'],
    ['xrange', 'big', '-', '+'],
    ['xadd', 'big', 'minid', '=', '300', '301-0', 'n', 'x'],
    ['xrange', 'big', '-', '+'],
    ['xtrim', 'big'],
    ['xtrim', 'big', 'maxlen'],
    ['xtrim', 'big', 'maxlen', '-1'],
    ['xtrim', 'big', 'maxlen', 'x'],
    ['xtrim', 'big', 'maxlen', '1', 'limit', '5'],
    ['xtrim', 'big', 'maxlen', '~', '1', 'limit', '-1'],
    ['xtrim', 'big', 'maxlen', '1', 'minid', '1'],
    ['xtrim', 'big', 'minid', 'x'],
    ['xtrim', 'big', 'foo'],
    ['xtrim', 'nosuch', 'foo'],
    ['xadd', 'big', 'limit', '5', '400-0', 'a', 'b'],
    ['xadd', 'big', 'maxlen', '5', 'limit', '5', '400-0', 'a', 'b'],
    ['xadd', 'big', 'maxlen', '-1', '400-0', 'a', 'b'],
    ['xtrim', 'big', 'maxlen', '0'],
    ['xlen', 'big'],
    ['exists', 'big'],
  ],
  'XREAD (no BLOCK)': [
    ['xadd', 'a', '1-1', 'f', '1'],
    ['xadd', 'a', '2-1', 'f', '2'],
    ['xadd', 'b', '3-1', 'g', '3'],
    ['xread', 'streams', 'a', '0'],
    ['xread', 'count', '1', 'streams', 'a', 'b', '0', '0'],
    ['xread', 'streams', 'a', 'b', '1-1', '3-1'],
    ['xread', 'streams', 'a', '$'],
    ['xread', 'streams', 'nosuch', '0'],
    ['xread', 'streams', 'a', 'nosuch', '0', '0'],
    ['xread', 'streams', 'a'],
    ['xread', 'streams', 'a', 'b', '0'],
    ['xread', 'streams', 'a', '>'],
    ['xread', 'streams', 'a', 'bad'],
    ['xread', 'group', 'g', 'c', 'streams', 'a', '0'],
    ['xread', 'noack', 'streams', 'a', '0'],
    ['xread', 'count', 'x', 'streams', 'a', '0'],
    ['xread', 'foo', 'streams', 'a', '0'],
    ['xread', 'count', '1', 'a', '0'],
    ['set', 'str', 'x'],
    ['xread', 'streams', 'str', '0'],
    ['xread', 'streams', 'a', 'str', '0', '0'],
  ],
  'consumer groups: XGROUP, XREADGROUP, XACK, XPENDING': [
    ['xadd', 's', '1-1', 'f', '1'],
    ['xadd', 's', '2-1', 'f', '2'],
    ['xadd', 's', '3-1', 'f', '3'],
    ['xgroup', 'create', 's', 'g', '0'],
    ['xgroup', 'create', 's', 'g', '0'],
    ['xgroup', 'create', 's', 'late', '$'],
    ['xgroup', 'create', 'nosuch', 'g', '0'],
    ['xgroup', 'create', 'made', 'g', '$', 'mkstream'],
    ['type', 'made'],
    ['xlen', 'made'],
    ['xgroup', 'create', 's', 'g2', 'bad'],
    ['xgroup', 'create', 's', 'g3', '0', 'entriesread', '-5'],
    ['xgroup', 'create', 's', 'g4', '0', 'foo'],
    ['xgroup', 'create', 's'],
    ['xgroup', 'foo', 's', 'g'],
    ['xpending', 's', 'g'],
    ['xreadgroup', 'group', 'g', 'alice', 'count', '1', 'streams', 's', '>'],
    ['xreadgroup', 'group', 'g', 'bob', 'streams', 's', '>'],
    ['xreadgroup', 'group', 'g', 'bob', 'streams', 's', '>'],
    ['xpending', 's', 'g'],
    ['xpending', 's', 'g', 'idle', '999999999', '-', '+', '10'],
    ['xpending', 's', 'g', '-', '+', '10', 'nobody'],
    ['xpending', 's', 'g', '-', '+', '0'],
    ['xpending', 's', 'g', '-', '+'],
    ['xpending', 's', 'nogroup'],
    ['xpending', 'nosuch', 'g'],
    ['xreadgroup', 'group', 'g', 'alice', 'streams', 's', '0'],
    ['xreadgroup', 'group', 'g', 'bob', 'count', '1', 'streams', 's', '0'],
    ['xack', 's', 'g', '1-1', '9-9'],
    ['xack', 's', 'g', '1-1'],
    ['xack', 's', 'nogroup', '2-1'],
    ['xack', 'nosuch', 'g', '2-1'],
    ['xack', 's', 'g', 'bad'],
    ['xpending', 's', 'g'],
    ['xdel', 's', '2-1'],
    ['xreadgroup', 'group', 'g', 'bob', 'streams', 's', '0'],
    ['xreadgroup', 'group', 'late', 'carol', 'streams', 's', '>'],
    ['xadd', 's', '4-1', 'f', '4'],
    ['xreadgroup', 'group', 'late', 'carol', 'noack', 'streams', 's', '>'],
    ['xpending', 's', 'late'],
    ['xreadgroup', 'group', 'g', 'alice', 'streams', 's', '$'],
    ['xreadgroup', 'group', 'nogroup', 'alice', 'streams', 's', '>'],
    ['xreadgroup', 'group', 'g', 'alice', 'streams', 'nosuch', '>'],
    ['xreadgroup', 'streams', 's', '>'],
    ['xgroup', 'createconsumer', 's', 'g', 'dave'],
    ['xgroup', 'createconsumer', 's', 'g', 'dave'],
    ['xgroup', 'createconsumer', 's', 'nogroup', 'dave'],
    ['xgroup', 'delconsumer', 's', 'g', 'bob'],
    ['xgroup', 'delconsumer', 's', 'g', 'nobody'],
    ['xpending', 's', 'g'],
    ['xgroup', 'setid', 's', 'g', '0'],
    ['xreadgroup', 'group', 'g', 'erin', 'count', '1', 'streams', 's', '>'],
    ['xgroup', 'setid', 's', 'g', '$'],
    ['xreadgroup', 'group', 'g', 'erin', 'streams', 's', '>'],
    ['xgroup', 'setid', 's', 'g', '0', 'foo', '1'],
    ['xgroup', 'setid', 's', 'g', '0', 'entriesread', 'x'],
    ['xgroup', 'setid', 's', 'g', '0', 'entriesread', '-2'],
    ['xgroup', 'setid', 's', 'g', '0', 'entriesread'],
    ['ping'],
    ['xgroup', 'setid', 's', 'nogroup', '0'],
    ['xgroup', 'destroy', 's', 'g'],
    ['xgroup', 'destroy', 's', 'g'],
    ['xgroup', 'destroy', 'nosuch', 'g'],
    ['set', 'str', 'x'],
    ['xgroup', 'create', 'str', 'g', '0'],
    ['xack', 'str', 'g', '1-1'],
    ['xpending', 'str', 'g'],
  ],
  'XCLAIM, XAUTOCLAIM': [
    ...[1, 2, 3, 4, 5].map((i) => ['xadd', 's', `${i}-1`, 'f', String(i)]),
    ['xgroup', 'create', 's', 'g', '0'],
    ['xreadgroup', 'group', 'g', 'alice', 'streams', 's', '>'],
    ['xclaim', 's', 'g', 'bob', '0', '1-1', '2-1'],
    ['xpending', 's', 'g'],
    ['xclaim', 's', 'g', 'bob', '0', '3-1', 'justid'],
    ['xclaim', 's', 'g', 'carol', '999999999', '4-1'],
    ['xclaim', 's', 'g', 'carol', '0', '9-9'],
    ['xclaim', 's', 'g', 'carol', '0', '4-1', 'retrycount', '7', 'idle', '1000'],
    ['xclaim', 's', 'g', 'carol', '0', '5-1', 'time', '1', 'justid', 'lastid', '9-0'],
    ['xreadgroup', 'group', 'g', 'dave', 'streams', 's', '>'],
    ['xpending', 's', 'g'],
    ['xdel', 's', '2-1'],
    ['xclaim', 's', 'g', 'erin', '0', '2-1', '1-1'],
    ['xpending', 's', 'g'],
    ['xadd', 's', '6-1', 'f', '6'],
    ['xclaim', 's', 'g', 'erin', '0', '6-1', 'force'],
    ['xclaim', 's', 'g', 'erin', '0', '1-1', 'foo'],
    ['xclaim', 's', 'g', 'erin', 'x', '1-1'],
    ['xclaim', 's', 'g', 'erin', '0', '1-1', 'idle', 'x'],
    ['xclaim', 's', 'g', 'erin', '0', '1-1', 'retrycount', 'x'],
    ['xclaim', 's', 'nogroup', 'erin', '0', '1-1'],
    ['xclaim', 'nosuch', 'g', 'erin', '0', '1-1'],
    ['xpending', 's', 'g'],
    ['xdel', 's', '4-1'],
    ['xautoclaim', 's', 'g', 'frank', '0', '0', 'count', '2'],
    ['xautoclaim', 's', 'g', 'frank', '0', '4-1', 'count', '1', 'justid'],
    ['xautoclaim', 's', 'g', 'frank', '0', '(3-1'],
    ['xautoclaim', 's', 'g', 'frank', '999999999', '-'],
    ['xautoclaim', 's', 'g', 'frank', '0', '-', 'count', '0'],
    ['xautoclaim', 's', 'g', 'frank', '0', '-', 'foo'],
    ['xautoclaim', 's', 'g', 'frank', 'x', '-'],
    ['xautoclaim', 's', 'g', 'frank', '0', 'bad'],
    ['xautoclaim', 's', 'nogroup', 'frank', '0', '-'],
    ['xpending', 's', 'g'],
    ['xinfo', 'groups', 's'],
    ['set', 'str', 'x'],
    ['xclaim', 'str', 'g', 'a', '0', '1-1'],
    ['xautoclaim', 'str', 'g', 'a', '0', '-'],
  ],
};

differential('stream commands like redis-server, byte for byte', scripts);

const infoGroups: Script = [
  ['xadd', 's', '1-1', 'f', '1'],
  ['xgroup', 'create', 's', 'g0', '$'],
  ['xgroup', 'create', 's', 'g1', '0'],
  ['xinfo', 'groups', 's'],
  ['xadd', 's', '2-1', 'f', '2'],
  ['xadd', 's', '3-1', 'f', '3'],
  ['xinfo', 'groups', 's'],
  ['xreadgroup', 'group', 'g1', 'a', 'count', '1', 'streams', 's', '>'],
  ['xinfo', 'groups', 's'],
  ['xdel', 's', '2-1'],
  ['xinfo', 'groups', 's'],
  ['xreadgroup', 'group', 'g1', 'a', 'streams', 's', '>'],
  ['xreadgroup', 'group', 'g0', 'b', 'streams', 's', '>'],
  ['xinfo', 'groups', 's'],
  ['xgroup', 'create', 's', 'g2', '0', 'entriesread', '1'],
  ['xgroup', 'setid', 's', 'g0', '0', 'entriesread', '0'],
  ['xinfo', 'groups', 's'],
  ['xgroup', 'create', 'e', 'g', '$', 'mkstream'],
  ['xinfo', 'groups', 'e'],
  ['xinfo', 'groups', 'nosuch'],
  ['xinfo', 'consumers', 's', 'nogroup'],
  ['xinfo', 'stream', 'nosuch'],
  ['xinfo', 'foo', 's'],
  ['xinfo', 'groups'],
  ['xinfo', 'stream', 's', 'foo'],
  ['xinfo', 'help'],
  ['set', 'str', 'x'],
  ['xinfo', 'groups', 'str'],
];
differential('XINFO GROUPS like redis-server, byte for byte', { 'XINFO GROUPS, entries-read and lag': infoGroups });

describe('XINFO STREAM and CONSUMERS like redis-server, apart from radix-tree sizes and times', () => {
  const servers = withBothServers();
  it('has the same fields and values', async () => {
    const script = [
      ...[1, 2, 3].map((i) => ['xadd', 's', `${i}-1`, 'f', String(i)]),
      ['xdel', 's', '2-1'],
      ['xgroup', 'create', 's', 'g', '0'],
      ['xreadgroup', 'group', 'g', 'alice', 'count', '1', 'streams', 's', '>'],
      ['xgroup', 'createconsumer', 's', 'g', 'bob'],
    ];
    /** A decoded map reply as an object, without the fields that depend on the tree layout or the clock. */
    const view = (v: unknown): unknown => {
      if (!Array.isArray(v)) return v;
      const pairs = v as unknown[];
      const out: Record<string, unknown> = {};
      for (let i = 0; i < pairs.length; i += 2) {
        const key = String(pairs[i]);
        if (key.startsWith('radix-tree') || key === 'idle') continue;
        out[key] = pairs[i + 1];
      }
      return out;
    };
    {
      const results: unknown[] = [];
      for (const port of [servers.redis.port, servers.mini.port]) {
        const conn = await RespConnection.open(port);
        for (const cmd of script) await conn.command(...cmd);
        const stream = view(decodeReply(await conn.command('xinfo', 'stream', 's')));
        const consumers = (decodeReply(await conn.command('xinfo', 'consumers', 's', 'g')) as unknown[]).map(view);
        conn.close();
        results.push({ stream, consumers });
      }
      expect(results[1]).toEqual(results[0]);
    }
  });
});

describe('XPENDING with ranges, idle times aside, like redis-server', () => {
  const servers = withBothServers();
  it('lists the same entries, consumers and delivery counts', async () => {
    const script = [
      ...[1, 2, 3, 4].map((i) => ['xadd', 's', `${i}-1`, 'f', String(i)]),
      ['xgroup', 'create', 's', 'g', '0'],
      ['xreadgroup', 'group', 'g', 'alice', 'count', '2', 'streams', 's', '>'],
      ['xreadgroup', 'group', 'g', 'bob', 'streams', 's', '>'],
      ['xreadgroup', 'group', 'g', 'alice', 'streams', 's', '0'],
      ['xclaim', 's', 'g', 'carol', '0', '4-1', 'retrycount', '9'],
    ];
    const queries = [
      ['xpending', 's', 'g', '-', '+', '10'],
      ['xpending', 's', 'g', '(1-1', '+', '2'],
      ['xpending', 's', 'g', '-', '(4-1', '10', 'alice'],
      ['xpending', 's', 'g', 'idle', '0', '-', '+', '10', 'carol'],
    ];
    {
      const results: unknown[][] = [];
      for (const port of [servers.redis.port, servers.mini.port]) {
        const conn = await RespConnection.open(port);
        for (const cmd of script) await conn.command(...cmd);
        const got: unknown[] = [];
        for (const q of queries) {
          const rows = decodeReply(await conn.command(...q)) as unknown[][];
          // [id, consumer, idle ms, deliveries]: the idle time depends on the clock.
          got.push(rows.map((r) => [r[0], r[1], typeof r[2], r[3]]));
        }
        conn.close();
        results.push(got);
      }
      expect(results[1]).toEqual(results[0]);
    }
  });
});

describe('XADD * on mini-redis', () => {
  it('picks ms-seq IDs from the clock, strictly increasing', async () => {
    const mini = await startMiniRedis({ port: 0 });
    const conn = await RespConnection.open(mini.port);
    try {
      const before = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(decodeReply(await conn.command('xadd', 's', '*', 'i', String(i))) as string);
      for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
      expect(Number(ids[0]?.split('-')[0])).toBeGreaterThanOrEqual(before);
      const big = ids.map((id) => id.split('-').map(BigInt) as [bigint, bigint]);
      for (let i = 1; i < big.length; i++) {
        const [a, b] = [big[i - 1] as [bigint, bigint], big[i] as [bigint, bigint]];
        expect(b[0] > a[0] || (b[0] === a[0] && b[1] > a[1])).toBe(true);
      }
      // An explicit ID far ahead: '*' then continues after it (same ms, next seq).
      await conn.command('xadd', 's', '99999999999999-5', 'x', 'y');
      expect(decodeReply(await conn.command('xadd', 's', '*', 'x', 'y'))).toBe('99999999999999-6');
    } finally {
      conn.close();
      await mini.close();
    }
  });
});
