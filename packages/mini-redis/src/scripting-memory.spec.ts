/**
 * A script that eats memory must not take the server down: in a child
 * process with a small heap, a script that fills a table without end is
 * stopped with an error once the heap nears V8's limit (60% of it: a big
 * table's rehash needs headroom between two checks), and the server
 * goes on serving (Redis has no such guard; a Node process would die at
 * its heap limit).
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniRedisChild, type MiniRedisChild } from './child.js';

describe('a script that exhausts memory', () => {
  let child: MiniRedisChild;
  beforeAll(async () => {
    child = await startMiniRedisChild({ env: { ...process.env, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --max-old-space-size=128` } });
  });
  afterAll(async () => {
    await child?.stop();
  });

  it('is stopped with an error; the server keeps serving', async () => {
    const c = await RespConnection.open(child.port);
    try {
      const hog = "local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep('x', 64) .. i end";
      c.send(`*3\r\n$4\r\neval\r\n$${hog.length}\r\n${hog}\r\n$1\r\n0\r\n`);
      // Bounded by the heap, not by a count: about 20 s on a loaded 2-core machine.
      const reply = await c.reply(100_000);
      expect(reply).toMatch(/^-ERR Script stopped: the server is running out of memory script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
      expect(await c.command('ping')).toBe('+PONG\r\n');
      expect(await c.command('eval', "return redis.call('set', 'after', 'ok')", '0')).toBe('+OK\r\n');
      expect(child.alive()).toBe(true);
    } finally {
      c.close();
    }
  }, 120_000);
});
