/**
 * The Lua debugger (SCRIPT DEBUG SYNC, and YES, which mini-redis runs the
 * same way) against redis-server 7.0, byte for byte: each debugger command
 * is answered with an array of status lines, the last one with the
 * <endsession> array, then EVAL's reply, then the connection closes.
 * Scripts avoid what differs between Lua 5.1 and fengari's 5.3 (for-loop
 * control variables, compiler messages). What only mini-redis can show (the
 * BUSY reply another client gets while a session is stopped: Redis's SYNC
 * mode blocks it instead; SCRIPT KILL of a stopped session) is checked on
 * mini-redis alone.
 */
import { RespConnection, type RawArg } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

type Step = RawArg[];

const SCRIPT = [
  'local a = 1',
  "local t = {1, 'x', {y = 2}}",
  "redis.call('set', KEYS[1], ARGV[1])",
  "redis.debug('dbg', a, t)",
  "local r = redis.call('get', KEYS[1])",
  'redis.breakpoint()',
  'return {a, r}',
].join('\n');

/** One session's steps; the last one ends it (its reply is followed by EVAL's and the close). */
const SESSIONS: Record<string, { steps: Step[]; ends: boolean }> = {
  'step, print, list, whole, break, continue, redis, eval, maxlen, trace, help': {
    steps: [
      ['script', 'debug', 'sync'],
      ['eval', SCRIPT, '1', 'k', 'v'],
      ['s'],
      ['p'],
      ['p', 't'],
      ['p', 'KEYS'],
      ['p', 'ARGV'],
      ['p', 'nope'],
      ['l'],
      ['l', '3', '1'],
      ['list', '0'],
      ['w'],
      ['b', '5'],
      ['b'],
      ['b', '5'],
      ['b', '99'],
      ['b', 'x'],
      ['b', '-3'],
      ['c'],
      ['p', 't'],
      ['s'],
      ['b', '-5'],
      ['b'],
      ['b', '0'],
      ['r', 'get', 'k'],
      ['redis', 'incr', 'k'],
      ['r'],
      ['e', 'return 1+1'],
      ['eval', "redis.call('set', 'from_eval', 'yes')"],
      ['e', 'nosuchvar'],
      ['m', '10'],
      ['p', 't'],
      ['m'],
      ['maxlen', '0'],
      ['t'],
      ['zzz'],
      ['ping'],
      ['h'],
      ['c'],
      ['c'],
    ],
    ends: true,
  },
  'the last step ends it': {
    steps: [['script', 'debug', 'sync'], ['eval', "local a = 1\nredis.call('set', 'k2', 'v')\nreturn {a, 'x'}", '0'], ['s'], ['s'], ['s']],
    ends: true,
  },
  'continue to the end': {
    steps: [['script', 'debug', 'yes'], ['eval', 'return 1', '0'], ['c']],
    ends: true,
  },
  'blank lines around the code': {
    steps: [['script', 'debug', 'sync'], ['eval', '\n\nreturn 1\n\n', '0'], ['l'], ['w'], ['c']],
    ends: true,
  },
  abort: {
    steps: [['script', 'debug', 'sync'], ['eval', "local a = 1\nredis.call('set', 'k3', 'v')\nreturn a", '0'], ['s'], ['a']],
    ends: true,
  },
  'an error in the script': {
    steps: [['script', 'debug', 'sync'], ['eval', "local x = 1\nerror('boom')", '0'], ['n'], ['c']],
    ends: true,
  },
  'a script error logged while stepping': {
    steps: [['script', 'debug', 'sync'], ['eval', "local x = redis.pcall('nosuch')\nreturn x", '0'], ['s'], ['s']],
    ends: true,
  },
  'a Redis error reply and a long reply while stepping': {
    steps: [
      ['script', 'debug', 'sync'],
      ['eval', "redis.call('set', 's', string.rep('x', 300))\nlocal e = redis.pcall('incr', 's')\nlocal v = redis.call('get', 's')\nreturn 1", '0'],
      ['s'],
      ['s'],
      ['s'],
      ['p', 'v'],
      // Not `p e`: its two fields print in the table's traversal order, which is fengari's.
      ['c'],
    ],
    ends: true,
  },
  'stepping through a loop, its control variables': {
    steps: [['script', 'debug', 'sync'], ['eval', 'local t = {}\nfor i = 1, 3 do t[i] = i end\nreturn t', '0'], ['s'], ['s'], ['p'], ['s'], ['p'], ['c']],
    ends: true,
  },
  'a local function in the backtrace': {
    steps: [
      ['script', 'debug', 'sync'],
      ['eval', 'local function f(x)\n  local y = x * 2\n  return y\nend\nreturn f(21)', '0'],
      ['b', '3'],
      ['c'],
      ['t'],
      ['p'],
      ['p', 'x'],
      ['c'],
    ],
    ends: true,
  },
  'SCRIPT DEBUG arguments, EVALSHA refused, NO goes back to plain EVAL': {
    steps: [
      ['script', 'debug'],
      ['script', 'debug', 'maybe'],
      ['script', 'debug', 'yes', 'x'],
      ['multi'],
      ['script', 'debug', 'no'],
      ['exec'],
      ['script', 'debug', 'sync'],
      ['evalsha', 'a'.repeat(40), '0'],
      ['script', 'debug', 'no'],
      ['eval', 'return redis.breakpoint()', '0'],
      ['eval', "redis.debug('x') return 7", '0'],
    ],
    ends: false,
  },
};

/** Runs a session's steps on `port`: every reply, and for an ending session EVAL's reply and whether it closed. */
async function run(port: number, steps: Step[], ends: boolean, protocol: 2 | 3): Promise<string[]> {
  const c = await RespConnection.open(port);
  const out: string[] = [];
  try {
    if (protocol === 3) await c.command('hello', '3');
    for (const step of steps) out.push(await c.command(...step));
    if (ends) {
      out.push(await c.reply());
      await c.until((x) => x.isClosed, 10_000, 'the close after the session');
      out.push('<closed>');
    }
  } finally {
    c.close();
  }
  return out;
}

/** Until the server answers PING (a session another test left is over). */
async function free(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const c = await RespConnection.open(port);
    const r = await c.command('ping');
    c.close();
    if (r === '+PONG\r\n') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('server stayed busy');
}

describe('Lua debugger (differential)', () => {
  const servers = withBothServers();
  for (const protocol of [2, 3] as const) {
    for (const [name, { steps, ends }] of Object.entries(SESSIONS)) {
      it(`${name} (RESP${protocol})`, async () => {
        await free(servers.redis.port);
        await free(servers.mini.port);
        const expected = await run(servers.redis.port, steps, ends, protocol);
        const got = await run(servers.mini.port, steps, ends, protocol);
        const label = (i: number): string => (steps[i] ?? ['(after the session)']).map(String).join(' ');
        expect(got.map((reply, i) => ({ step: label(i), reply }))).toEqual(expected.map((reply, i) => ({ step: label(i), reply })));
      });
    }
  }

  it("a loop past lua-time-limit stops with 'timeout reached, infinite loop?'", async () => {
    const steps: Step[] = [['script', 'debug', 'sync'], ['eval', 'local i = 0\nwhile true do i = i + 1 end', '0'], ['c'], ['a']];
    const replies: string[][] = [];
    for (const port of [servers.redis.port, servers.mini.port]) {
      await free(port);
      const c = await RespConnection.open(port);
      await c.command('config', 'set', 'lua-time-limit', '100');
      c.close();
      try {
        replies.push(await run(port, steps, true, 2));
      } finally {
        await free(port);
        const d = await RespConnection.open(port);
        await d.command('config', 'set', 'lua-time-limit', '5000');
        d.close();
      }
    }
    expect(replies[1]).toEqual(replies[0]);
  });

  it('changes made before the client goes away are kept, and the script runs to its end', async () => {
    for (const port of [servers.redis.port, servers.mini.port]) {
      await free(port);
      const c = await RespConnection.open(port);
      await c.command('del', 'gone1', 'gone2');
      await c.command('script', 'debug', 'sync');
      await c.command('eval', "redis.call('set', 'gone1', 'a')\nredis.call('set', 'gone2', 'b')\nreturn 1", '0');
      await c.command('s');
      c.close();
      await free(port);
      const d = await RespConnection.open(port);
      expect(await d.command('mget', 'gone1', 'gone2')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
      d.close();
    }
  });

  it('mini-redis: while a session is stopped others get BUSY; SCRIPT KILL ends the session', async () => {
    const port = servers.mini.port;
    await free(port);
    const dbg = await RespConnection.open(port);
    const other = await RespConnection.open(port);
    try {
      await dbg.command('script', 'debug', 'sync');
      expect(await dbg.command('eval', 'local a = 1\nreturn a', '0')).toContain('Stopped at 1');
      expect(await other.command('get', 'x')).toBe('-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n');
      expect(await other.command('script', 'kill')).toBe('+OK\r\n');
      expect(await dbg.reply()).toBe('*1\r\n+<endsession>\r\n');
      expect(await dbg.reply()).toMatch(/^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
      await dbg.until((x) => x.isClosed, 10_000, 'the close after the session');
      expect(await other.command('ping')).toBe('+PONG\r\n');
    } finally {
      dbg.close();
      other.close();
    }
  });
});
