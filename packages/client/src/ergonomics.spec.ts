// withKeyPrefix (keys found by the table's key specs) and command tracing on
// node:diagnostics_channel, against a real server.
import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { COMMAND_END_CHANNEL, COMMAND_ERROR_CHANNEL, COMMAND_START_CHANNEL, ReplyError, type CommandTraceEnd, type CommandTraceError, type CommandTraceStart } from './index.js';
import { clientSuite } from '../test/helpers.js';

const suite = clientSuite();

describe('withKeyPrefix', () => {
  it('prefixes every key of single-key, multi-key, EVAL and XREAD commands, and nothing else', async () => {
    const c = suite.client();
    await c.connect();
    const app = c.withKeyPrefix('app:');
    await app.set('a', 'value-a');
    await app.mset('b', '1', 'c', '2');
    expect(await c.mget('app:a', 'app:b', 'app:c', 'a')).toEqual(['value-a', '1', '2', null]);
    expect(await app.get('a')).toBe('value-a');
    expect(await app.eval('return {KEYS[1], KEYS[2], ARGV[1]}', ['x', 'y'], ['not-a-key'])).toEqual(['app:x', 'app:y', 'not-a-key']);
    await app.xadd('s', '1-1', [['f', 'v']]);
    const read = (await app.xread([['s'], ['0']])) as unknown[][];
    expect(read[0]![0]).toBe('app:s');
    expect(await app.del('a', 'b', 'c', 's')).toBe(4);
    const buf = c.withKeyPrefix(Buffer.from([0xff, 0x00]));
    await buf.set(Buffer.from('k'), 'v');
    expect(await c.get(Buffer.from([0xff, 0x00, 0x6b]))).toBe('v');
  });
});

describe('withReplyMapping', () => {
  for (const protocol of [2, 3] as const) {
    it(`gives maps and sets in the form asked for, the same under RESP${protocol}`, async () => {
      const c = suite.client({ protocol, url: `${suite.srv.url}/4` });
      await c.connect();
      await c.hset('rm:h', 'a', '1', 'b', '2');
      await c.sadd('rm:s', 'x', 'y');
      expect(await c.withReplyMapping({ map: 'object' }).hgetall('rm:h')).toEqual({ a: '1', b: '2' });
      expect(await c.withReplyMapping({ map: 'map' }).hgetall('rm:h')).toEqual(new Map([['a', '1'], ['b', '2']]));
      expect(await c.withReplyMapping({ map: 'pairs' }).configGet('maxmemory')).toEqual([['maxmemory', '0']]);
      expect(((await c.withReplyMapping({ set: 'array' }).smembers('rm:s')) as string[]).sort()).toEqual(['x', 'y']);
      expect(await c.withReplyMapping({ set: 'set' }).smembers('rm:s')).toEqual(new Set(['x', 'y']));
      expect(await c.withReplyMapping({ map: 'object' }).get('missing')).toBeNull();
    });
  }
});

describe('duplicate()', () => {
  it('keeps the options (protocol, db, name) of the client it copies', async () => {
    const c = suite.client({ protocol: 3, url: `${suite.srv.url}/5`, name: 'orig' });
    await c.connect();
    const d = c.duplicate();
    await d.connect();
    try {
      expect(await d.hgetall('none')).toBeInstanceOf(Map);
      expect(await d.clientGetname()).toBe('orig');
      await d.set('dup', '1');
      expect(await c.get('dup')).toBe('1');
    } finally {
      await d.disconnect();
    }
  });
});

describe('tracing on node:diagnostics_channel', () => {
  it('publishes start and end (or error) with the name, key count and server, never argument values', async () => {
    const c = suite.client();
    await c.connect();
    const seen: Array<[string, CommandTraceStart]> = [];
    const on = (name: string) => (m: unknown) => seen.push([name, m as CommandTraceStart]);
    const handlers = [COMMAND_START_CHANNEL, COMMAND_END_CHANNEL, COMMAND_ERROR_CHANNEL].map((n) => [n, on(n)] as const);
    for (const [n, h] of handlers) diagnostics.subscribe(n, h);
    try {
      await c.mset('t1', 'secret-value', 't2', 'x');
      await c.command('GET', 't1');
      await expect(c.incr('t1')).rejects.toBeInstanceOf(ReplyError);
    } finally {
      for (const [n, h] of handlers) diagnostics.unsubscribe(n, h);
    }
    await c.get('t1'); // after unsubscribing: nothing more
    expect(seen.map(([ch, m]) => `${ch.split(':').pop()} ${m.command} ${m.keyCount}`)).toEqual(['start MSET 2', 'end MSET 2', 'start GET 1', 'end GET 1', 'start INCR 1', 'error INCR 1']);
    expect(seen[0]![1].server).toBe(`127.0.0.1:${suite.srv.port}`);
    expect(seen[1]![1].id).toBe(seen[0]![1].id);
    expect((seen[1]![1] as CommandTraceEnd).durationMs).toBeGreaterThanOrEqual(0);
    expect((seen[5]![1] as CommandTraceError).error).toBeInstanceOf(ReplyError);
    expect(JSON.stringify(seen.map(([, m]) => ({ ...m, error: undefined })))).not.toContain('secret-value');
  });
});
