/**
 * FUNCTION DUMP / FUNCTION RESTORE against redis-server 7.0: the payload is
 * the same bytes for the same library (LZF compression included), each
 * server restores the other's payload, the FLUSH / APPEND / REPLACE
 * policies, and the error texts for bad payloads and arguments, RESP2 and
 * RESP3. Payloads are binary, so these steps send Buffers rather than going
 * through differential()'s string scripts.
 *
 * A payload of several libraries is compared by what it restores, not by
 * its bytes: Redis writes libraries in its dict's order (a per-process
 * random hash seed), mini-redis in load order.
 */
import { RespConnection, type RawArg } from '@reactor-ts/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';
import { crc64 } from './rdb.js';

const LIB_A = `#!lua name=liba
redis.register_function('fa', function(keys, args) return 'a' .. (args[1] or '') end)`;
const LIB_A2 = `#!lua name=liba
redis.register_function('fa', function() return 'a2' end)
redis.register_function('fa_extra', function() return 'extra' end)`;
const LIB_B = `#!lua name=libb
redis.register_function('fb', function() return 'b' end)
redis.register_function{function_name='fb_ro', callback=function() return 'ro' end, flags={'no-writes'}, description='read only'}`;
/** Long and repetitive: Redis stores it LZF-compressed. */
const LIB_BIG = `#!lua name=libbig\n${Array.from({ length: 40 }, (_, i) => `redis.register_function('big${i}', function(keys, args) return redis.call('get', keys[1]) .. '${i}' end)`).join('\n')}`;
/** Has libb's function fb under another library name. */
const LIB_CLASH = `#!lua name=libclash
redis.register_function('fb', function() return 'clash' end)`;

/** A payload built by hand: opcode 245 + plain RDB strings, or any body, then version 10 and the CRC64. */
function payload(body: Buffer): Buffer {
  const v = Buffer.from([10, 0]);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(Buffer.concat([body, v])));
  return Buffer.concat([body, v, crc]);
}

function libBody(code: string): Buffer {
  const b = Buffer.from(code);
  if (b.length >= 16384) throw new Error('test library too long for a 2-byte length');
  return Buffer.concat([Buffer.from([245, 0x40 | (b.length >> 8), b.length & 0xff]), b]);
}

/** A bulk reply's bytes. */
function bulk(reply: string): Buffer {
  const m = /^\$(\d+)\r\n/.exec(reply);
  if (m === null) throw new Error(`not a bulk reply: ${JSON.stringify(reply.slice(0, 80))}`);
  return Buffer.from(reply.slice(m[0].length, m[0].length + Number(m[1])), 'latin1');
}

describe('FUNCTION DUMP / RESTORE (differential)', () => {
  const servers = withBothServers();
  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      let a: RespConnection;
      let b: RespConnection;
      beforeEach(async () => {
        a = await RespConnection.open(servers.redis.port);
        b = await RespConnection.open(servers.mini.port);
        if (protocol === 3) {
          await a.command('hello', '3');
          await b.command('hello', '3');
        }
        await a.command('function', 'flush');
        await b.command('function', 'flush');
        await a.command('flushall');
        await b.command('flushall');
      });
      afterEach(() => {
        a.close();
        b.close();
      });

      /** The same command on both; the replies must be the same bytes. */
      async function same(...argv: RawArg[]): Promise<string> {
        const expected = await a.command(...argv);
        const got = await b.command(...argv);
        const label = argv.map((x) => (Buffer.isBuffer(x) ? `<${x.length} bytes>` : String(x))).join(' ');
        expect({ cmd: label, reply: got }).toEqual({ cmd: label, reply: expected });
        return got;
      }

      /** Both servers' libraries, as FUNCTION LIST WITHCODE answers, sorted by library name. */
      async function sameLibraries(): Promise<void> {
        const list = async (c: RespConnection): Promise<unknown> => {
          // Every array sorted, at every depth: libraries and their functions are in Redis's dict order.
          const norm = (x: unknown): unknown =>
            Array.isArray(x) ? x.map((y) => JSON.stringify(norm(y), (_k, z: unknown) => (typeof z === 'bigint' ? String(z) : z))).sort() : x;
          return norm(await c.call('function', 'list', 'withcode'));
        };
        expect(await list(b)).toEqual(await list(a));
      }

      it('DUMP of no library, of one, of a compressed one: the same bytes', async () => {
        await same('function', 'dump');
        for (const code of [LIB_A, LIB_B, LIB_BIG]) {
          await same('function', 'flush');
          await same('function', 'load', code);
          await same('function', 'dump');
        }
      });

      it("each server restores the other's payload", async () => {
        await a.command('function', 'load', LIB_BIG);
        await b.command('function', 'load', LIB_A);
        await b.command('function', 'load', LIB_B);
        const fromRedis = bulk(await a.command('function', 'dump'));
        const fromMini = bulk(await b.command('function', 'dump'));
        await same('function', 'flush');
        await same('function', 'restore', fromRedis);
        await same('function', 'restore', fromMini);
        await sameLibraries();
        await same('fcall', 'big7', '1', 'k');
        await same('set', 'k', 'v');
        await same('fcall', 'big7', '1', 'k');
        await same('fcall', 'fa', '0', 'x');
        await same('function', 'list', 'libraryname', 'liba', 'withcode');
        await same('fcall_ro', 'fb_ro', '0');
        // A restored library dumps as it was loaded.
        await same('function', 'flush');
        await same('function', 'restore', fromRedis);
        await same('function', 'dump');
      });

      it('policies: APPEND (the default), REPLACE, FLUSH', async () => {
        await same('function', 'load', LIB_A);
        await same('function', 'load', LIB_B);
        const ab = bulk(await a.command('function', 'dump'));
        const a2 = payload(libBody(LIB_A2));
        const clash = payload(libBody(LIB_CLASH));
        // One library per failing payload: with two, which one Redis names depends on its dict order.
        await same('function', 'restore', payload(libBody(LIB_A)));
        await same('function', 'restore', payload(libBody(LIB_B)), 'append');
        await same('function', 'restore', a2);
        await same('function', 'restore', a2, 'APPEND');
        await same('function', 'restore', clash, 'replace');
        await sameLibraries();
        await same('function', 'restore', a2, 'replace');
        await same('fcall', 'fa', '0');
        await same('fcall', 'fa_extra', '0');
        await sameLibraries();
        await same('function', 'restore', a2, 'REPLACE');
        await same('function', 'restore', payload(libBody(LIB_A)), 'flush');
        await same('fcall', 'fb', '0');
        await same('fcall', 'fa', '0', 'y');
        await sameLibraries();
        await same('function', 'restore', payload(Buffer.alloc(0)), 'flush');
        await same('function', 'list');
        await same('function', 'restore', clash);
        await same('function', 'restore', ab);
        await same('function', 'restore', payload(libBody(LIB_B)));
        await sameLibraries();
      });

      it('a payload that is all or nothing: duplicates and bad code inside it', async () => {
        await same('function', 'load', LIB_B);
        await same('function', 'restore', payload(Buffer.concat([libBody(LIB_A), libBody(LIB_A2)])));
        await same('function', 'restore', payload(Buffer.concat([libBody(LIB_A), libBody(LIB_A2)])), 'flush');
        await same(
          'function',
          'restore',
          payload(Buffer.concat([libBody(LIB_A), libBody("#!lua name=other\nredis.register_function('fa', function() return 1 end)")])),
        );
        await same('function', 'restore', payload(Buffer.concat([libBody(LIB_A), libBody('#!lua name=broken\nno_such_function()')])));
        await same('function', 'restore', payload(Buffer.concat([libBody(LIB_A), libBody('#!lua name=empty\nlocal x = 1')])));
        await same('function', 'restore', payload(libBody('no shebang')));
        await same('function', 'restore', payload(libBody('#!js name=x\nreturn 1')));
        // Nothing of the failed payloads stayed.
        await sameLibraries();
      });

      it('bad payloads and arguments: the error texts', async () => {
        await same('function', 'load', LIB_A);
        const good = bulk(await a.command('function', 'dump'));
        const flipped = Buffer.from(good);
        flipped[5] = (flipped[5] as number) ^ 1;
        const newer = Buffer.from(good);
        newer[newer.length - 10] = 11;
        await same('function', 'restore', flipped);
        await same('function', 'restore', newer);
        await same('function', 'restore', good.subarray(0, 9));
        await same('function', 'restore', '');
        await same('function', 'restore', 'not a payload at all');
        // A key's DUMP is not a functions payload.
        await same('set', 'k', 'value');
        const keyDump = bulk(await a.command('dump', 'k'));
        await same('function', 'restore', keyDump);
        await same('function', 'restore', payload(Buffer.from([244, 1, 0x41])));
        await same('function', 'restore', payload(Buffer.from([245, 0x50])));
        await same('function', 'restore', good, 'bogus');
        await same('function', 'restore', good, 'flush', 'extra');
        await same('function', 'restore');
        await same('function', 'dump', 'extra');
        await sameLibraries();
      });
    });
  }
});
