// Lua (article §3.3) through the callback layer and the promise client, on a
// redis-server started for this file with a 100 ms busy threshold so a
// runaway script can be killed.
import { describe, expect, it } from 'vitest';
import { ReplyError as RespReplyError } from '@reactor-ts/resp';
import {
  REDIS_OK,
  redisAsyncCommandArgv,
  redisAsyncConnectWithOptions,
  redisAsyncFree,
  redisAttach,
  type RedisAsyncContext,
} from '@reactor-ts/hiredis-adapter';
import { createPool } from './pool.js';
import { ReplyError } from './errors.js';
import { clientSuite, waitFor } from '../test/helpers.js';
import {
  broadcastScriptReload,
  defineScript,
  preloadScripts,
  scriptSha1,
  watchScriptReloads,
} from './script.js';

/** The article's doubling script, as its mangled extraction meant it. */
const DOUBLING =
  "local val = redis.call('get', KEYS[1]); if val then redis.call('set', KEYS[1], 2*val); return 2*val; end; return 0;";

const t = clientSuite({ args: ['--busy-reply-threshold', '100'] });
const client = t.client;

describe('callback API: EVAL, EVALSHA, SCRIPT as plain commands', () => {
  it('runs the doubling script with EVAL and EVALSHA and manages the cache with SCRIPT', async () => {
    const ac = redisAsyncConnectWithOptions({ port: t.srv.port, replies: 'native' }) as RedisAsyncContext<unknown>;
    expect(redisAttach(t.reactor, ac)).toBe(REDIS_OK);
    const cmd = (...argv: Array<string | number>): Promise<unknown> =>
      new Promise((resolve) => {
        expect(redisAsyncCommandArgv(ac, (_c, reply) => resolve(reply), null, argv)).toBe(REDIS_OK);
      });
    try {
      expect(await cmd('SET', 'cb:mark', 1)).toBe('OK');
      expect(await cmd('EVAL', DOUBLING, 1, 'cb:mark')).toBe(2);
      const sha = await cmd('SCRIPT', 'LOAD', DOUBLING);
      expect(sha).toBe(scriptSha1(DOUBLING));
      expect(await cmd('EVALSHA', sha as string, 1, 'cb:mark')).toBe(4);
      expect(await cmd('SCRIPT', 'EXISTS', sha as string, '0'.repeat(40))).toEqual([1, 0]);
      expect(await cmd('SCRIPT', 'FLUSH')).toBe('OK');
      const noscript = await cmd('EVALSHA', sha as string, 1, 'cb:mark');
      expect(noscript).toBeInstanceOf(RespReplyError);
      expect((noscript as RespReplyError).code).toBe('NOSCRIPT');
      const notbusy = await cmd('SCRIPT', 'KILL');
      expect((notbusy as RespReplyError).code).toBe('NOTBUSY');
    } finally {
      redisAsyncFree(ac);
    }
  });
});

describe('callback API: SCRIPT KILL of a busy script from a second context', () => {
  it('the second context sees BUSY, kills it, and the first gets the killed error reply', async () => {
    const open = (): RedisAsyncContext<unknown> => {
      const ac = redisAsyncConnectWithOptions({ port: t.srv.port, replies: 'native' }) as RedisAsyncContext<unknown>;
      expect(redisAttach(t.reactor, ac)).toBe(REDIS_OK);
      return ac;
    };
    const cmd = (ac: RedisAsyncContext<unknown>, ...argv: Array<string | number>): Promise<unknown> =>
      new Promise((resolve) => {
        expect(redisAsyncCommandArgv(ac, (_c, reply) => resolve(reply), null, argv)).toBe(REDIS_OK);
      });
    const a = open();
    const b = open();
    try {
      expect(await cmd(b, 'PING')).toBe('PONG');
      const busy = cmd(a, 'EVAL', 'local n = 0 while n < 3e9 do n = n + 1 end return n', 0);
      await new Promise((r) => setTimeout(r, 200));
      const busyReply = await cmd(b, 'PING');
      expect(busyReply).toBeInstanceOf(RespReplyError);
      expect((busyReply as RespReplyError).code).toBe('BUSY');
      expect(await cmd(b, 'SCRIPT', 'KILL')).toBe('OK');
      const killed = await busy;
      expect(killed).toBeInstanceOf(RespReplyError);
      expect((killed as RespReplyError).message).toMatch(/Script killed by user with SCRIPT KILL/);
      expect(await cmd(a, 'PING')).toBe('PONG');
    } finally {
      redisAsyncFree(a);
      redisAsyncFree(b);
    }
  }, 30_000);
});

describe('promise API: the article doubling example', () => {
  it('SET mark 1, EVAL → 2, SCRIPT LOAD, EVALSHA → 4; a missing key → 0', async () => {
    const c = await client().connect();
    await c.del('mark', 'darren');
    await c.set('mark', 1);
    expect(await c.eval(DOUBLING, ['mark'])).toBe(2);
    const sha = await c.scriptLoad(DOUBLING);
    expect(sha).toBe(scriptSha1(DOUBLING));
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await c.evalsha(sha, ['mark'])).toBe(4);
    expect(await c.eval(DOUBLING, ['darren'])).toBe(0);
    expect(await c.scriptExists(sha, 'f'.repeat(40))).toEqual([true, false]);
    expect(await c.scriptFlush()).toBe('OK');
    expect(await c.scriptExists(sha)).toEqual([false]);
    await expect(c.evalsha(sha, ['mark'])).rejects.toMatchObject({ name: 'ReplyError', code: 'NOSCRIPT' });
    await expect(c.scriptKill()).rejects.toMatchObject({ code: 'NOTBUSY' });
  });
});

describe('defineScript', () => {
  it('computes the SHA1 locally, falls back to EVAL on NOSCRIPT once, then EVALSHA hits', async () => {
    const c = await client().connect();
    const doubling = defineScript(DOUBLING, { numberOfKeys: 1 });
    expect(doubling.sha1).toBe(scriptSha1(DOUBLING));
    await c.scriptFlush();
    await c.set('ds:k', 3);
    expect(await doubling.call(c, 'ds:k')).toBe(6); // NOSCRIPT → EVAL
    expect(await c.scriptExists(doubling.sha1)).toEqual([true]);
    expect(await doubling.run(c, ['ds:k'])).toBe(12); // EVALSHA
    expect(await doubling.call(c, 'ds:missing')).toBe(0);
    // Hot update: the cache is flushed behind the client's back, the next call recovers by itself.
    await c.scriptFlush();
    expect(await doubling.call(c, 'ds:k')).toBe(24);
    const withArgs = defineScript('return {KEYS[1], ARGV[1], ARGV[2]}');
    expect(await withArgs.run(c, ['a'], ['b', 3])).toEqual(['a', 'b', '3']);
    await expect(withArgs.call(c, 'a')).rejects.toThrow(/numberOfKeys/);
  });

  it('a script error is a ReplyError, not retried', async () => {
    const c = await client().connect();
    const bad = defineScript("return redis.call('nosuchcommand')");
    await expect(bad.run(c)).rejects.toBeInstanceOf(ReplyError);
    expect(() => defineScript('')).toThrow(TypeError);
    expect(() => defineScript('return 1', { numberOfKeys: -1 })).toThrow(TypeError);
    await expect(c.scriptLoad('this is not lua')).rejects.toBeInstanceOf(ReplyError);
  });

  it('preloadScripts loads now and on every new link, before queued commands', async () => {
    const admin = await client().connect();
    const c = await client({ reconnect: { retries: 20, minDelayMs: 300, maxDelayMs: 300 } }).connect();
    const s = defineScript('return 42');
    await admin.scriptFlush();
    expect(await preloadScripts(c, [s])).toEqual([s.sha1]);
    expect(await admin.scriptExists(s.sha1)).toEqual([true]);
    await admin.scriptFlush();
    const id = await c.command<number>('CLIENT', 'ID');
    await admin.command('CLIENT', 'KILL', 'ID', id);
    await waitFor(() => c.state === 'reconnecting', 'the link to drop');
    await waitFor(() => c.state === 'ready', 'the reconnect');
    // EVALSHA straight from the reconnected client: the hook loaded the script first.
    expect(await c.evalsha(s.sha1)).toBe(42);
    expect(await c.command('CLIENT', 'ID')).not.toBe(id);
  });

  it('preloadScripts on a pool hooks every connection', async () => {
    const admin = await client().connect();
    const pool = await createPool({ url: t.srv.url, reactor: t.reactor, size: 2 }).connect();
    try {
      const s = defineScript('return 7');
      await admin.scriptFlush();
      expect(await preloadScripts(pool, [s])).toEqual([s.sha1]);
      expect(await admin.scriptExists(s.sha1)).toEqual([true]);
      for (const conn of pool.connections) expect(conn.linkHooks.length).toBeGreaterThan(0);
      expect(await s.run(pool)).toBe(7);
      expect(await pool.evalsha(s.sha1)).toBe(7);
    } finally {
      await pool.quit();
    }
  });

  it('a reload broadcast over pub/sub reloads the scripts on each watcher', async () => {
    const admin = await client().connect();
    const sub = await client().connect();
    const s1 = defineScript('return 1');
    const s2 = defineScript('return 2');
    let reloaded = 0;
    let failure: Error | null = null;
    const watch = await watchScriptReloads(sub, 'test:scripts:reload', [s1, s2], {
      onReload: (err) => {
        if (err !== null) failure = err;
        reloaded++;
      },
    });
    await admin.scriptFlush();
    expect(await broadcastScriptReload(admin, 'test:scripts:reload')).toBe(1);
    await waitFor(() => reloaded === 1, 'the reload');
    expect(failure).toBeNull();
    expect(watch.reloads).toBe(1);
    expect(await admin.scriptExists(s1.sha1, s2.sha1)).toEqual([true, true]);
    await watch.stop();
    expect(await admin.pubsubNumsub('test:scripts:reload')).toEqual(new Map([['test:scripts:reload', 0]]));
  });
});

describe('SCRIPT KILL of a busy script', () => {
  it('other callers get BUSY; the killed caller gets a ReplyError saying so', async () => {
    const runner = await client().connect();
    const other = await client().connect();
    // No redis.call, so it stays killable; bounded, so a failed kill still ends.
    const busy = runner.eval('local n = 0 while n < 3e9 do n = n + 1 end return n');
    const settled = busy.then(
      () => null,
      (err: unknown) => err,
    );
    // Past the 100 ms threshold the server answers other clients with BUSY.
    await new Promise((r) => setTimeout(r, 200));
    const busyErr = await other.ping().then(
      () => null,
      (err: unknown) => err,
    );
    expect(busyErr).toBeInstanceOf(ReplyError);
    expect((busyErr as ReplyError).code).toBe('BUSY');
    expect((busyErr as ReplyError).message).toMatch(/SCRIPT KILL/);
    expect(await other.scriptKill()).toBe('OK');
    const err = await settled;
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).message).toMatch(/Script killed by user with SCRIPT KILL/);
    expect(await other.ping()).toBe('PONG');
    expect(await runner.ping()).toBe('PONG');
  }, 30_000);
});
