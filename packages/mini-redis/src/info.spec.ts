/**
 * INFO against redis-server 7.0: the same sections in the same order, every
 * field mini-redis prints (bar a few of its own, named below) is one Redis
 * prints in that section, and the counters that are deterministic (per
 * command calls / rejected / failed, error replies by prefix, keyspace
 * counts) have Redis's values after the same commands.
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

/** Section name → [field, value] pairs, in order. */
function parse(reply: string): Map<string, Array<[string, string]>> {
  const body = reply.slice(reply.indexOf('\r\n') + 2).replace(/^txt:/, '');
  const out = new Map<string, Array<[string, string]>>();
  let current: Array<[string, string]> | null = null;
  for (const line of body.split('\r\n')) {
    if (line.startsWith('# ')) out.set(line.slice(2), (current = []));
    else if (line.includes(':') && current !== null) {
      const i = line.indexOf(':');
      current.push([line.slice(0, i), line.slice(i + 1)]);
    }
  }
  return out;
}

/** Fields that are mini-redis's own (Node facts), not Redis's. */
const OWN = new Set(['server_name', 'node_version', 'pubsub_clients', 'heap_total', 'external_memory']);

const script: string[][] = [
  ['set', 'a', '1'],
  ['set', 'b', '2', 'ex', '1000'],
  ['get', 'a'],
  ['lpush', 'a', 'x'],
  ['get'],
  ['nosuchcommand'],
  ['incr', 'b'],
  ['hset', 'h', 'f', 'v'],
  ['select', '2'],
  ['set', 'c', '3'],
  ['select', '0'],
];

describe('INFO like redis-server 7.0', () => {
  const servers = withBothServers();

  async function run(port: number, ...sections: string[]): Promise<Map<string, Array<[string, string]>>> {
    const c = await RespConnection.open(port);
    try {
      await c.command('flushall');
      await c.command('config', 'resetstat');
      for (const cmd of script) await c.command(...cmd);
      return parse(await c.command('info', ...sections));
    } finally {
      c.close();
    }
  }

  it('default and everything: the same sections in the same order (Latencystats aside)', async () => {
    for (const sections of [[], ['everything'], ['clients', 'KEYSPACE'], ['commandstats']]) {
      const r = [...(await run(servers.redis.port, ...sections)).keys()].filter((s) => s !== 'Latencystats');
      const m = [...(await run(servers.mini.port, ...sections)).keys()];
      expect({ sections, m }).toEqual({ sections, m: r });
    }
  });

  it("every field is one of Redis's, in the same section and relative order", async () => {
    const r = await run(servers.redis.port, 'everything');
    const m = await run(servers.mini.port, 'everything');
    for (const [section, fields] of m) {
      if (section === 'Commandstats' || section === 'Errorstats' || section === 'Keyspace') continue;
      const theirs = (r.get(section) ?? []).map(([f]) => f);
      const ours = fields.map(([f]) => f).filter((f) => !OWN.has(f));
      expect({ section, ours }).toEqual({ section, ours: theirs.filter((f) => ours.includes(f)) });
    }
  });

  it('command and error counters and the keyspace match after the same commands', async () => {
    const r = await run(servers.redis.port, 'commandstats', 'errorstats', 'keyspace');
    const m = await run(servers.mini.port, 'commandstats', 'errorstats', 'keyspace');
    const noUsec = (fields: Array<[string, string]> | undefined): string[] =>
      (fields ?? []).map(([f, v]) => `${f}:${v.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')}`).sort();
    expect(noUsec(m.get('Commandstats'))).toEqual(noUsec(r.get('Commandstats')));
    expect(m.get('Errorstats')).toEqual(r.get('Errorstats'));
    const keyspace = (f: Array<[string, string]> | undefined): string[] => (f ?? []).map(([k, v]) => `${k}:${v.replace(/avg_ttl=\d+/, '')}`);
    expect(keyspace(m.get('Keyspace'))).toEqual(keyspace(r.get('Keyspace')));
  });
});
