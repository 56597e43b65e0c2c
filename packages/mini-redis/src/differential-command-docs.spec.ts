/**
 * COMMAND DOCS / INFO / LIST / COUNT against redis-server 7.0, in RESP2 and
 * RESP3. mini-redis describes what it implements in Redis's own words
 * (command-docs.ts), so:
 * - for every command both have, and every subcommand mini-redis has,
 *   `COMMAND DOCS name` and `COMMAND INFO name` are the same bytes;
 * - a container whose subcommands mini-redis has only some of (CLIENT,
 *   CONFIG, COMMAND, FUNCTION, SCRIPT) is Redis's entry with the others
 *   left out;
 * - a command mini-redis lacks is answered as an unknown name is, on both;
 * - the all-commands forms, and LIST with its filters, are Redis's answers
 *   cut down to mini-redis's commands (compared as sets: Redis lists them in
 *   its hash table's order, which changes with every start).
 */
import { decodeReply, RespConnection, type RawValue } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';
import { buildCommandTable } from './command-table.js';

const table = buildCommandTable();
const names = [...table.keys()];
const subNames = [...table.values()].flatMap((c) => (c.subcommands ?? []).map((s) => `${c.name}|${s}`));
/**
 * Containers: Redis lists their subcommands in its hash table's order, which
 * changes with every start, so their entries are compared with the
 * subcommands as a set (each subcommand's own entry is compared as bytes).
 */
const CONTAINERS = new Set([...table.values()].filter((c) => c.subcommands !== undefined).map((c) => c.name));

/** A decoded RESP3 map (pairs) or RESP2 flat array as [key, value] pairs. */
function entries(v: RawValue, protocol: 2 | 3): Array<[string, RawValue]> {
  const a = v as RawValue[];
  if (protocol === 3) return a.map((p) => [String((p as RawValue[])[0]), (p as RawValue[])[1]!]);
  const out: Array<[string, RawValue]> = [];
  for (let i = 0; i < a.length; i += 2) out.push([String(a[i]), a[i + 1]!]);
  return out;
}

const byName = (a: [string, unknown], b: [string, unknown]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** A decoded docs entry with its subcommands cut to `keep`, sorted. */
function cutDocs(doc: RawValue, keep: ReadonlySet<string>, protocol: 2 | 3): unknown {
  return entries(doc, protocol).map(([k, v]) => [k, k === 'subcommands' ? entries(v, protocol).filter(([s]) => keep.has(s)).sort(byName) : v]);
}

/** A decoded info row with its subcommand rows cut to `keep`, sorted. */
function cutInfo(row: RawValue, keep: ReadonlySet<string>): unknown {
  const r = [...(row as RawValue[])];
  r[9] = (r[9] as RawValue[])
    .filter((s) => keep.has(String((s as RawValue[])[0])))
    .map((s) => [String((s as RawValue[])[0]), s] as [string, RawValue])
    .sort(byName)
    .map(([, s]) => s);
  return r;
}

describe('COMMAND DOCS / INFO / LIST against redis-server', () => {
  const servers = withBothServers();
  const conns: Record<2 | 3, { redis: RespConnection; mini: RespConnection }> = {} as never;

  beforeAll(async () => {
    for (const protocol of [2, 3] as const) {
      const redis = await RespConnection.open(servers.redis.port);
      const mini = await RespConnection.open(servers.mini.port);
      if (protocol === 3) {
        await redis.command('hello', '3');
        await mini.command('hello', '3');
      }
      conns[protocol] = { redis, mini };
    }
  });
  afterAll(() => {
    for (const protocol of [2, 3] as const) {
      conns[protocol]?.redis.close();
      conns[protocol]?.mini.close();
    }
  });

  async function both(protocol: 2 | 3, ...cmd: string[]): Promise<{ redis: string; mini: string }> {
    const c = conns[protocol];
    return { redis: await c.redis.command(...cmd), mini: await c.mini.command(...cmd) };
  }

  for (const protocol of [2, 3] as const) {
    const tag = `(RESP${protocol})`;

    it(`COMMAND DOCS and COMMAND INFO of each command and subcommand are Redis's bytes ${tag}`, async () => {
      for (const name of [...names.filter((n) => !CONTAINERS.has(n)), ...subNames]) {
        for (const sub of ['docs', 'info']) {
          const r = await both(protocol, 'command', sub, name);
          expect({ cmd: `command ${sub} ${name}`, reply: r.mini }).toEqual({ cmd: `command ${sub} ${name}`, reply: r.redis });
        }
      }
    });

    it(`several names, upper case, unknown names and subcommands in one COMMAND DOCS / INFO ${tag}`, async () => {
      const lists = [
        ['get', 'SET', 'nosuch', 'Client|List', 'xinfo|stream', 'get|x', 'client|nosuch', 'a|b|c', ''],
        ['nosuch'],
        ['zadd', 'zadd'],
        ['OBJECT|HELP', 'object|help'],
      ];
      for (const list of lists) {
        for (const sub of ['docs', 'info']) {
          const r = await both(protocol, 'command', sub, ...list);
          expect({ cmd: `command ${sub} ${list.join(' ')}`, reply: r.mini }).toEqual({ cmd: `command ${sub} ${list.join(' ')}`, reply: r.redis });
        }
      }
    });

    it(`a container is Redis's entry without the subcommands mini-redis lacks (CLIENT, CONFIG, ...) ${tag}`, async () => {
      for (const name of CONTAINERS) {
        const keep = new Set(subNames.filter((s) => s.startsWith(`${name}|`)));
        const docs = await both(protocol, 'command', 'docs', name);
        const [[, redisDoc]] = entries(decodeReply(docs.redis), protocol) as [[string, RawValue]];
        const [[miniName, miniDoc]] = entries(decodeReply(docs.mini), protocol) as [[string, RawValue]];
        expect(miniName).toBe(name);
        expect(cutDocs(miniDoc, keep, protocol)).toEqual(cutDocs(redisDoc, keep, protocol));
        expect(entries(miniDoc, protocol).find(([k]) => k === 'subcommands')?.[1]).toHaveLength(protocol === 3 ? keep.size : keep.size * 2);
        const info = await both(protocol, 'command', 'info', name);
        const [redisRow] = decodeReply(info.redis) as RawValue[];
        const [miniRow] = decodeReply(info.mini) as RawValue[];
        expect(miniRow).toEqual(cutInfo(redisRow!, keep));
        expect((miniRow as RawValue[])[9]).toHaveLength(keep.size);
      }
    });

    it(`a command mini-redis lacks is an unknown name there; Redis documents it ${tag}`, async () => {
      for (const missing of ['pfadd', 'cluster', 'client|pause', 'config|rewrite']) {
        expect(table.has(missing)).toBe(false);
        for (const sub of ['docs', 'info']) {
          const unknown = await both(protocol, 'command', sub, 'nosuch');
          const r = await both(protocol, 'command', sub, missing);
          expect(r.mini).toBe(unknown.redis);
          expect(r.redis).not.toBe(unknown.redis);
        }
      }
    });

    it(`the all-commands forms are Redis's, cut to mini-redis's commands ${tag}`, async () => {
      const keepSubs = new Set(subNames);
      const docs = await both(protocol, 'command', 'docs');
      const redisDocs = new Map(entries(decodeReply(docs.redis), protocol));
      const miniDocs = entries(decodeReply(docs.mini), protocol);
      expect(miniDocs.map(([n]) => n).sort()).toEqual([...names].sort());
      for (const [n, d] of miniDocs) expect(cutDocs(d, keepSubs, protocol), n).toEqual(cutDocs(redisDocs.get(n)!, keepSubs, protocol));

      for (const form of [['command'], ['command', 'info']]) {
        const info = await both(protocol, ...form);
        const redisRows = new Map((decodeReply(info.redis) as RawValue[][]).map((r) => [String(r[0]), r]));
        const miniRows = decodeReply(info.mini) as RawValue[][];
        expect(miniRows.map((r) => String(r[0])).sort()).toEqual([...names].sort());
        for (const row of miniRows) expect(row, String(row[0])).toEqual(cutInfo(redisRows.get(String(row[0]))!, keepSubs));
      }

      const count = await both(protocol, 'command', 'count');
      expect(decodeReply(count.mini)).toBe(names.length);
    });

    it(`COMMAND GETKEYS / GETKEYSANDFLAGS: keys, flags and errors are Redis's ${tag}`, async () => {
      const lines = [
        'get a',
        'set a 1 ex 10',
        'set a 1 get',
        'set a 1 nx GET',
        'mset a 1 b 2 c 3',
        'del a b c',
        'eval x 2 k1 k2 arg',
        'eval x 0',
        'eval x 5 a',
        'eval x abc a',
        'evalsha_ro x 1 k',
        'fcall f 1 k a',
        'zunionstore dst 2 z1 z2 WEIGHTS 1 2',
        'zunion 2 a b',
        'zunion abc a',
        'zunion -1 a',
        'zinter 3 a b',
        'xread COUNT 2 STREAMS s1 s2 0 0',
        'xread streams s1 s2 s3 0 0',
        'xread count 1',
        'xreadgroup GROUP g c STREAMS s1 >',
        'lmove src dst LEFT RIGHT',
        'object encoding k',
        'object help',
        'xinfo stream s',
        'sintercard 2 s1 s2 LIMIT 1',
        'lmpop 2 l1 l2 LEFT',
        'blmpop 0 2 l1 l2 left',
        'zmpop 1 z min',
        'bitop AND dst a b',
        'sort k',
        'sort k store d by x get y',
        'sort k store d1 store d2',
        'sort k limit 0 1 store d',
        'sort k store',
        'sort_ro k by x',
        'copy a b',
        'rename a b',
        'brpoplpush a b 0',
        'blpop a b c 0',
        'exists a b',
        'get a b',
        'get',
        'client list',
        'client nosuch',
        'ping',
        'nosuch a',
        'config get x',
        'xgroup create s g $',
        'georadius k 0 0 1 km',
        'pfadd h a',
      ];
      for (const line of lines) {
        for (const sub of ['getkeys', 'getkeysandflags']) {
          const r = await both(protocol, 'command', sub, ...line.split(' '));
          if (line.startsWith('georadius') || line.startsWith('pfadd')) {
            // Commands mini-redis lacks: an unknown command there, as for any name it does not know.
            expect(r.mini).toBe('-ERR Invalid command specified\r\n');
            continue;
          }
          expect({ cmd: `command ${sub} ${line}`, reply: r.mini }).toEqual({ cmd: `command ${sub} ${line}`, reply: r.redis });
        }
      }
      for (const bad of [['getkeys'], ['getkeys', 'get'], ['getkeysandflags'], ['help'], ['help', 'x']]) {
        const r = await both(protocol, 'command', ...bad);
        expect({ bad: bad.join(' '), reply: r.mini }).toEqual({ bad: bad.join(' '), reply: r.redis });
      }
    });

    it(`COMMAND LIST and its filters are Redis's, cut to mini-redis's commands; errors are Redis's ${tag}`, async () => {
      const ours = new Set([...names, ...subNames]);
      const filters = [
        [],
        ['filterby', 'aclcat', 'hash'],
        ['FILTERBY', 'ACLCAT', 'Keyspace'],
        ['filterby', 'aclcat', 'nosuch'],
        ['filterby', 'pattern', 'x*'],
        ['filterby', 'pattern', 'CLIENT|*'],
        ['filterby', 'pattern', '*|*'],
        ['filterby', 'module', 'x'],
      ];
      for (const f of filters) {
        const r = await both(protocol, 'command', 'list', ...f);
        const expected = (decodeReply(r.redis) as string[]).filter((n) => ours.has(n)).sort();
        expect({ f: f.join(' '), list: (decodeReply(r.mini) as string[]).sort() }).toEqual({ f: f.join(' '), list: expected });
      }
      const all = decodeReply((await both(protocol, 'command', 'list')).mini) as string[];
      expect(all.sort()).toEqual([...ours].sort());
      for (const bad of [['foo'], ['filterby'], ['filterby', 'foo', 'x'], ['filterby', 'pattern'], ['filterby', 'pattern', 'x', 'y']]) {
        const r = await both(protocol, 'command', 'list', ...bad);
        expect({ bad: bad.join(' '), reply: r.mini }).toEqual({ bad: bad.join(' '), reply: r.redis });
      }
      for (const bad of [['count', 'x'], ['nosuch']]) {
        const r = await both(protocol, 'command', ...bad);
        expect(r.mini).toBe(r.redis);
      }
    });
  }
});
