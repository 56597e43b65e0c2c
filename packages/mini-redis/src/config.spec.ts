/**
 * CONFIG GET of the parameters mini-redis reports, against redis-server 7.0
 * with its defaults (as mini-redis behaves: no eviction, no idle timeout,
 * Redis's encoding thresholds); CONFIG SET maxclients takes effect, other
 * parameters and bad values are refused with Redis's error words.
 */
import { decodeReply, RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

const SAME = [
  'timeout',
  'maxmemory',
  'maxmemory-policy',
  'notify-keyspace-events',
  'databases',
  '*-max-listpack-*',
  '*-max-ziplist-*',
  'set-max-intset-entries',
  'appendonly',
];

/** CONFIG GET's pairs as sorted "name=value" lines (the order is Redis's dict's). */
function pairs(reply: string): string[] {
  const v = decodeReply(reply);
  const flat = Array.isArray(v) && v.every((x) => !Array.isArray(x)) ? (v as string[]) : (v as string[][]).flat();
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`);
  return out.sort();
}

describe('CONFIG like redis-server 7.0', () => {
  const servers = withBothServers({ mini: { port: 0, maxclients: 50 } });

  it('CONFIG GET: the same names and values, RESP2 and RESP3, patterns and several at once', async () => {
    for (const protocol of [2, 3]) {
      const r = await RespConnection.open(servers.redis.port);
      const m = await RespConnection.open(servers.mini.port);
      try {
        if (protocol === 3) {
          await r.command('hello', '3');
          await m.command('hello', '3');
        }
        for (const p of SAME) expect({ p, v: pairs(await m.command('config', 'get', p)) }).toEqual({ p, v: pairs(await r.command('config', 'get', p)) });
        expect(pairs(await m.command('config', 'get', 'timeout', 'maxmemory', 'TIMEOUT'))).toEqual(pairs(await r.command('config', 'get', 'timeout', 'maxmemory', 'TIMEOUT')));
        expect(await m.command('config', 'get', 'no-such-parameter')).toBe(await r.command('config', 'get', 'no-such-parameter'));
        for (const bad of [['config', 'get'], ['config', 'set', 'maxclients'], ['config', 'resetstat', 'x'], ['config', 'bogus']]) {
          expect(await m.command(...bad)).toBe(await r.command(...bad));
        }
        expect(await m.command('config', 'set', 'no-such-parameter', '1')).toBe(await r.command('config', 'set', 'no-such-parameter', '1'));
        expect(await m.command('config', 'set', 'maxclients', 'abc')).toBe(await r.command('config', 'set', 'maxclients', 'abc'));
      } finally {
        r.close();
        m.close();
      }
    }
  });

  it('the hash threshold is 512 fields, as CONFIG GET says: OBJECT ENCODING and HSCAN agree with Redis at 200 and 600', async () => {
    const r = await RespConnection.open(servers.redis.port);
    const m = await RespConnection.open(servers.mini.port);
    try {
      for (const n of [200, 512, 513, 600]) {
        const argv = ['hset', `h${n}`];
        for (let i = 0; i < n; i++) argv.push(`f${i}`, `${i}`);
        await r.command(...argv);
        await m.command(...argv);
        expect({ n, enc: await m.command('object', 'encoding', `h${n}`) }).toEqual({ n, enc: await r.command('object', 'encoding', `h${n}`) });
      }
      expect(await m.command('hscan', 'h200', '0', 'count', '5')).toBe(await r.command('hscan', 'h200', '0', 'count', '5'));
    } finally {
      r.close();
      m.close();
    }
  });

  it('CONFIG SET maxclients takes effect; beyond the start-up capacity or other parameters is refused', async () => {
    const a = await RespConnection.open(servers.mini.port);
    try {
      expect(await a.command('config', 'set', 'maxclients', '1')).toBe('+OK\r\n');
      expect(await a.command('config', 'get', 'maxclients')).toBe('*2\r\n$10\r\nmaxclients\r\n$1\r\n1\r\n');
      const b = await RespConnection.open(servers.mini.port);
      expect(await b.read((g) => g.length > 0 && b.isClosed)).toBe('-ERR max number of clients reached\r\n');
      expect(await a.command('config', 'set', 'maxclients', '51')).toMatch(/^-ERR CONFIG SET failed \(possibly related to argument 'maxclients'\)/);
      expect(await a.command('config', 'set', 'port', '10')).toMatch(/^-ERR CONFIG SET failed \(possibly related to argument 'port'\)/);
      expect(await a.command('config', 'set', 'maxclients', '50')).toBe('+OK\r\n');
      const c = await RespConnection.open(servers.mini.port);
      expect(await c.command('ping')).toBe('+PONG\r\n');
      c.close();
    } finally {
      a.close();
    }
  });
});
