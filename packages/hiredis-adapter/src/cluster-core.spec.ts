import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startRedis, RespConnection, type RedisServer } from '@reactor-ts/test-utils';
import { RespReader } from '@reactor-ts/resp';
import { CommandTable } from './cluster-commands.js';
import { crc16, keySlot } from './cluster-slot.js';
import { CrossSlotError, isRetryableClusterError, parseRedirect, slotOfKeys, SlotMap } from './cluster-topology.js';

// One cluster-enabled node is enough for CLUSTER KEYSLOT and COMMAND GETKEYS.
let server: RedisServer;
let conn: RespConnection;
let table: CommandTable;

beforeAll(async () => {
  server = await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] });
  conn = await RespConnection.open(server.port);
  table = CommandTable.fromReply(await conn.call('COMMAND'));
}, 30_000);

afterAll(async () => {
  conn?.close();
  await server?.stop();
});

describe('keySlot', () => {
  it('is CRC16-XMODEM mod 16384, with hash tags', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
    expect(keySlot(Buffer.from('foo'))).toBe(12182);
    expect(keySlot(42)).toBe(keySlot('42'));
  });

  it('agrees with the server (CLUSTER KEYSLOT) on any key, ASCII or not', async () => {
    const keys = fc.sample(fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('{', '}', '{}', 'a{b}c', '{x}{y}')), 300);
    for (const k of keys) expect(keySlot(k), JSON.stringify(k)).toBe(await conn.call('CLUSTER', 'KEYSLOT', k));
  });

  it('agrees with the server on tagged keys with non-ASCII text inside or outside the tag', async () => {
    const part = fc.oneof(fc.string({ maxLength: 4 }), fc.string({ unit: 'grapheme', maxLength: 3 }), fc.constantFrom('é', '日本', '\u{1F600}', '{', '}'));
    const keys = [
      ...fc.sample(fc.tuple(part, part, part).map(([a, b, c]) => `${a}{${b}}${c}`), 200),
      'é{ab}é', '{é}x', 'x{日本}', 'ü{}ü', '{}é', 'é{', 'é}{a}',
    ];
    for (const k of keys) expect(keySlot(k), JSON.stringify(k)).toBe(await conn.call('CLUSTER', 'KEYSLOT', k));
  });
});

describe('CommandTable (key specs from COMMAND)', () => {
  it('reads the whole table, subcommands included', () => {
    expect(table.size).toBeGreaterThan(150);
    expect(table.lookup(['object', 'encoding', 'k'])?.name).toBe('object|encoding');
    expect(table.lookup(['NOSUCHCMD'])).toBeNull();
    expect(table.isReadonly(table.lookup(['GET', 'k']))).toBe(true);
    expect(table.isReadonly(table.lookup(['INCR', 'k']))).toBe(false);
    expect(table.lookup(['FLUSHALL'])?.requestPolicy).toBe('all_shards');
    expect(table.lookup(['SCRIPT', 'LOAD', 'x'])?.requestPolicy).toBe('all_nodes');
  });

  it('finds the same keys as the server (COMMAND GETKEYS)', async () => {
    const cases: string[][] = [
      ['GET', 'a'],
      ['SET', 'a', '1', 'EX', '10'],
      ['MSET', 'a', '1', 'b', '2', 'c', '3'],
      ['MGET', 'a', 'b', 'c'],
      ['DEL', 'a', 'b'],
      ['EVAL', 'return 1', '2', 'k1', 'k2', 'arg'],
      ['EVALSHA', 'abc', '1', 'k1', 'arg'],
      ['XREAD', 'COUNT', '2', 'STREAMS', 's1', 's2', '0', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's1', '>'],
      ['ZUNIONSTORE', 'dst', '2', 'z1', 'z2', 'WEIGHTS', '1', '2'],
      ['OBJECT', 'ENCODING', 'k'],
      ['MIGRATE', 'h', '1', 'k', '0', '10', 'COPY'],
      ['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0'],
      ['GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'out'],
      ['LMPOP', '2', 'l1', 'l2', 'LEFT'],
      ['RENAME', 'a', 'b'],
      ['HSET', 'h', 'f', 'v'],
    ];
    for (const argv of cases) {
      const server = (await conn.call('COMMAND', 'GETKEYS', ...argv)) as string[];
      const ours = table.keyIndices(argv).map((i) => argv[i]);
      expect(ours, argv.join(' ')).toEqual(server);
    }
    expect(table.keyIndices(['PING'])).toEqual([]);
  });

  it('reads the same table from a RESP3 reply, where key specs and subcommands arrive as Sets', async () => {
    const c3 = await RespConnection.open(server.port);
    try {
      await c3.command('HELLO', '3');
      const reader = new RespReader();
      reader.feed(Buffer.from(await c3.command('COMMAND'), 'latin1'));
      const reply = reader.getReply();
      const entries = reply as unknown[];
      // The case this guards: DEL's key specs are a Set under RESP3.
      const del = entries.find((e) => (e as unknown[])[0] === 'del') as unknown[];
      expect(del[8]).toBeInstanceOf(Set);
      const t3 = CommandTable.fromReply(reply);
      expect(t3.size).toBe(table.size);
      for (const argv of [['DEL', 'a', 'b', 'c'], ['MSET', 'a', '1', 'b', '2'], ['EVAL', 's', '2', 'k1', 'k2'], ['OBJECT', 'ENCODING', 'k'], ['XREAD', 'STREAMS', 's1', 's2', '0', '0']]) {
        expect(t3.keyIndices(argv), argv.join(' ')).toEqual(table.keyIndices(argv));
      }
      expect(t3.lookup(['CLIENT', 'LIST'])?.name).toBe('client|list');
      expect(() => t3.slotOf(['DEL', 'a', 'b'])).toThrow(CrossSlotError);
    } finally {
      c3.close();
    }
  });
});

describe('slot map and redirects', () => {
  const shards = [
    ['slots', [0, 5460], 'nodes', [['id', 'a'.repeat(40), 'port', 7000, 'ip', '127.0.0.1', 'endpoint', '127.0.0.1', 'role', 'master', 'health', 'online'], ['id', 'b'.repeat(40), 'port', 7003, 'ip', '127.0.0.1', 'endpoint', '127.0.0.1', 'role', 'replica', 'health', 'online']]],
    ['slots', [5461, 10922], 'nodes', [['id', 'c'.repeat(40), 'port', 7001, 'ip', '', 'endpoint', '?', 'role', 'master', 'health', 'online'], ['id', 'd'.repeat(40), 'port', 7004, 'role', 'replica', 'health', 'fail']]],
    ['slots', [10923, 16383], 'nodes', [['id', 'e'.repeat(40), 'port', 7002, 'endpoint', '127.0.0.1', 'role', 'master', 'health', 'fail'], ['id', 'f'.repeat(40), 'port', 7005, 'endpoint', '127.0.0.1', 'role', 'master', 'health', 'online']]],
  ];

  it('builds from CLUSTER SHARDS: failed nodes left out, empty hosts filled in', () => {
    const m = SlotMap.fromShards(shards, '10.0.0.1');
    expect(m.covered).toBe(16384);
    expect(m.masterOf(0)?.addr).toBe('127.0.0.1:7000');
    expect(m.shardOf(0)?.replicas.map((r) => r.port)).toEqual([7003]);
    expect(m.masterOf(6000)?.addr).toBe('10.0.0.1:7001');
    expect(m.shardOf(6000)?.replicas).toEqual([]);
    expect(m.masterOf(16383)?.port).toBe(7005);
  });

  it('takes the TLS port for a TLS client and the plain one for a plain client, each falling back to the other', () => {
    const both = [['slots', [0, 16383], 'nodes', [['id', 'a'.repeat(40), 'port', 7000, 'tls-port', 8000, 'endpoint', '127.0.0.1', 'role', 'master', 'health', 'online']]]];
    expect(SlotMap.fromShards(both, 'h').masterOf(0)?.port).toBe(7000);
    expect(SlotMap.fromShards(both, 'h', true).masterOf(0)?.port).toBe(8000);
    // A TLS-only node (`--port 0`) lists tls-port alone; a plain-only one, port alone.
    const tlsOnly = [['slots', [0, 16383], 'nodes', [['id', 'a'.repeat(40), 'tls-port', 8000, 'endpoint', '127.0.0.1', 'role', 'master', 'health', 'online']]]];
    expect(SlotMap.fromShards(tlsOnly, 'h', true).masterOf(0)?.port).toBe(8000);
    expect(SlotMap.fromShards(tlsOnly, 'h').masterOf(0)?.port).toBe(8000);
    expect(SlotMap.fromShards(shards, 'h', true).masterOf(0)?.port).toBe(7000);
  });

  it('builds from CLUSTER SLOTS the same way', () => {
    const m = SlotMap.fromSlots([[0, 8191, ['127.0.0.1', 7000, 'x'], ['127.0.0.1', 7003, 'y']], [8192, 16383, ['', 7001, 'z']]], 'h');
    expect(m.masters().map((n) => n.addr)).toEqual(['127.0.0.1:7000', 'h:7001']);
    expect(m.shardOf(1)?.replicas[0]?.port).toBe(7003);
  });

  it('patches one slot on MOVED, and keeps the shard when a replica points at its own master', () => {
    const m = SlotMap.fromShards(shards, 'h');
    const before = m.shardOf(0);
    m.moveSlot(0, before!.master);
    expect(m.shardOf(0)).toBe(before);
    m.moveSlot(0, parseRedirect('MOVED 0 127.0.0.1:7001', 'h')!.to);
    expect(m.masterOf(0)?.port).toBe(7001);
    m.moveSlot(1, parseRedirect('MOVED 1 127.0.0.1:7999', 'h')!.to);
    expect(m.masterOf(1)?.port).toBe(7999);
    expect(m.masterOf(2)?.port).toBe(7000);
  });

  it('parses MOVED / ASK and tells retryable errors', () => {
    expect(parseRedirect('MOVED 3999 127.0.0.1:6381', 'x')).toEqual({ kind: 'moved', slot: 3999, to: { host: '127.0.0.1', port: 6381, addr: '127.0.0.1:6381', id: '' } });
    expect(parseRedirect('ASK 1 :6381', 'h')?.to.addr).toBe('h:6381');
    expect(parseRedirect('ERR nope', 'h')).toBeNull();
    expect(parseRedirect('MOVED 99999 h:1', 'h')).toBeNull();
    expect(isRetryableClusterError('TRYAGAIN Multiple keys request during rehashing of slot')).toBe(true);
    expect(isRetryableClusterError('CLUSTERDOWN The cluster is down')).toBe(true);
    expect(isRetryableClusterError('ERR x')).toBe(false);
  });

  it('refuses keys in different slots before sending', () => {
    expect(slotOfKeys(['MGET', '{t}a', '{t}b'], [1, 2])).toBe(keySlot('t'));
    expect(() => slotOfKeys(['MGET', 'a', 'b'], [1, 2])).toThrow(CrossSlotError);
    expect(() => slotOfKeys(['MGET', 'a', 'b'], [1, 2])).toThrow(/MGET: keys in different hash slots/);
  });
});
