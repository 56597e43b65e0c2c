/**
 * A busy script on the reactor, transcript against transcript with
 * redis-server 7.0: past `lua-time-limit` the other clients get BUSY (the
 * allowed few still run), SCRIPT KILL / FUNCTION KILL stop a script that has
 * not written, a script that wrote is UNKILLABLE and runs to its end, and the
 * caller's pipelined requests wait for its reply, inside EXEC too. No timing is asserted: the
 * other client polls (bounded) until it sees BUSY, and the scripts that must
 * end by themselves bound their run with TIME.
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

const FOREVER = 'local i = 0 while true do i = i + 1 end';
/**
 * Writes, then spins for 3 s of the server's own clock (TIME, in
 * microseconds): long enough that SCRIPT KILL arrives while it runs even on
 * a loaded machine, where the first pause of a cold VM can come late.
 */
const WRITES_THEN_SPINS =
  "redis.call('set', 'w', '1') local function now() local t = redis.call('time') return t[1] * 1000000 + t[2] end " +
  "local t0 = now() while now() - t0 < 3000000 do end return 'done'";
const FN_LIB = `#!lua name=busylib
redis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)`;

/** Sends PING until the answer is BUSY (the script is past the limit); the BUSY text. */
async function untilBusy(b: RespConnection): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const r = await b.command('ping');
    if (r.startsWith('-BUSY')) return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('the script never became busy');
}

type Transcript = Array<[string, string]>;

async function killEval(port: number): Promise<Transcript> {
  const a = await RespConnection.open(port);
  const b = await RespConnection.open(port);
  const out: Transcript = [];
  try {
    out.push(['config set', await b.command('config', 'set', 'lua-time-limit', '20')]);
    out.push(['config get', await b.command('config', 'get', 'lua-time-limit')]);
    await b.command('config', 'resetstat');
    out.push(['script kill, idle', await b.command('script', 'kill')]);
    // The caller pipelines a PING behind its EVAL: it is answered after the script.
    a.send('*3\r\n$4\r\neval\r\n$' + FOREVER.length + '\r\n' + FOREVER + '\r\n$1\r\n0\r\n*1\r\n$4\r\nping\r\n');
    out.push(['ping while busy', await untilBusy(b)]);
    out.push(['set while busy', await b.command('set', 'k', 'v')]);
    out.push(['function kill while eval busy', await b.command('function', 'kill')]);
    out.push(['multi while busy', await b.command('multi')]);
    out.push(['discard while busy', await b.command('discard')]);
    out.push(['script kill', await b.command('script', 'kill')]);
    out.push(['eval reply', await a.reply()]);
    out.push(['pipelined ping', await a.reply()]);
    out.push(['ping after', await b.command('ping')]);
    out.push(['k not set', await b.command('exists', 'k')]);
    out.push(['script kill, idle again', await b.command('script', 'kill')]);
    // Which errors INFO counted (how many BUSY depends on how soon each server paused).
    const stats = String(await b.call('info', 'errorstats'));
    out.push(['errorstats', [...stats.matchAll(/^errorstat_(\w+):/gm)].map((m) => m[1]).sort().join(',')]);
    out.push(['config reset', await b.command('config', 'set', 'lua-time-limit', '5000')]);
  } finally {
    a.close();
    b.close();
  }
  return out;
}

async function unkillable(port: number): Promise<Transcript> {
  const a = await RespConnection.open(port);
  const b = await RespConnection.open(port);
  const out: Transcript = [];
  try {
    await b.command('del', 'w');
    out.push(['config set', await b.command('config', 'set', 'lua-time-limit', '20')]);
    a.send(`*3\r\n$4\r\neval\r\n$${WRITES_THEN_SPINS.length}\r\n${WRITES_THEN_SPINS}\r\n$1\r\n0\r\n`);
    out.push(['get while busy', await untilBusyWith(b, ['get', 'w'])]);
    out.push(['script kill', await b.command('script', 'kill')]);
    out.push(['eval reply', await a.reply()]);
    out.push(['get after', await b.command('get', 'w')]);
    out.push(['config reset', await b.command('config', 'set', 'lua-time-limit', '5000')]);
  } finally {
    a.close();
    b.close();
  }
  return out;
}

async function untilBusyWith(b: RespConnection, cmd: string[]): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const r = await b.command(...cmd);
    if (r.startsWith('-BUSY')) return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('the script never became busy');
}

async function killInExec(port: number): Promise<Transcript> {
  const a = await RespConnection.open(port);
  const b = await RespConnection.open(port);
  const out: Transcript = [];
  try {
    await b.command('del', 'before', 'after', 'k');
    out.push(['config set', await b.command('config', 'set', 'lua-time-limit', '20')]);
    out.push(['multi', await a.command('multi')]);
    out.push(['set before', await a.command('set', 'before', '1')]);
    out.push(['eval queued', await a.command('eval', FOREVER, '0')]);
    out.push(['set after', await a.command('set', 'after', '1')]);
    a.send('*1\r\n$4\r\nexec\r\n*1\r\n$4\r\nping\r\n');
    out.push(['ping while busy', await untilBusy(b)]);
    out.push(['set while busy', await b.command('set', 'k', 'v')]);
    out.push(['script kill', await b.command('script', 'kill')]);
    out.push(['exec reply', await a.reply()]);
    out.push(['pipelined ping', await a.reply()]);
    out.push(['after ran', await b.command('mget', 'before', 'after', 'k')]);
    out.push(['config reset', await b.command('config', 'set', 'lua-time-limit', '5000')]);
  } finally {
    a.close();
    b.close();
  }
  return out;
}

async function killFunction(port: number): Promise<Transcript> {
  const a = await RespConnection.open(port);
  const b = await RespConnection.open(port);
  const out: Transcript = [];
  try {
    await b.command('function', 'flush');
    out.push(['load', await b.command('function', 'load', FN_LIB)]);
    out.push(['config set', await b.command('config', 'set', 'lua-time-limit', '20')]);
    a.send('*3\r\n$5\r\nfcall\r\n$4\r\nspin\r\n$1\r\n0\r\n');
    out.push(['ping while busy', await untilBusy(b)]);
    out.push(['script kill while function busy', await b.command('script', 'kill')]);
    const stats = await b.call('function', 'stats');
    // duration_ms is the clock's: compare everything else.
    const running = (stats as unknown[])[1] as unknown[];
    out.push(['stats running name', String(running[1])]);
    out.push(['stats running command', JSON.stringify(running[3])]);
    out.push(['function kill', await b.command('function', 'kill')]);
    out.push(['fcall reply', await a.reply()]);
    out.push(['ping after', await b.command('ping')]);
    out.push(['config reset', await b.command('config', 'set', 'lua-time-limit', '5000')]);
    await b.command('function', 'flush');
  } finally {
    a.close();
    b.close();
  }
  return out;
}

describe('busy scripts: BUSY, SCRIPT KILL, FUNCTION KILL, UNKILLABLE, like redis-server 7.0', () => {
  const servers = withBothServers();

  it('SCRIPT KILL stops a busy EVAL; the others get BUSY meanwhile; the caller pipeline waits', async () => {
    const expected = await killEval(servers.redis.port);
    expect(new Map(expected).get('ping while busy')).toMatch(/^-BUSY/);
    expect(new Map(expected).get('errorstats')).toBe('BUSY,ERR,NOTBUSY');
    expect(await killEval(servers.mini.port)).toEqual(expected);
  });

  it('a script that wrote is UNKILLABLE and runs to its end', async () => {
    const expected = await unkillable(servers.redis.port);
    expect(await unkillable(servers.mini.port)).toEqual(expected);
  });

  it('FUNCTION KILL stops a busy FCALL; FUNCTION STATS names it while it runs', async () => {
    const expected = await killFunction(servers.redis.port);
    expect(await killFunction(servers.mini.port)).toEqual(expected);
  });

  it('a busy script inside EXEC pauses too: BUSY for the others, SCRIPT KILL, the rest of the transaction runs', async () => {
    const expected = await killInExec(servers.redis.port);
    expect(new Map(expected).get('ping while busy')).toMatch(/^-BUSY/);
    expect(await killInExec(servers.mini.port)).toEqual(expected);
  });

  it('the caller of a busy script disconnecting leaves the server serving; the script can still be killed', async () => {
    const a = await RespConnection.open(servers.mini.port);
    const b = await RespConnection.open(servers.mini.port);
    try {
      await b.command('config', 'set', 'lua-time-limit', '20');
      a.send('*3\r\n$4\r\neval\r\n$' + FOREVER.length + '\r\n' + FOREVER + '\r\n$1\r\n0\r\n');
      await untilBusy(b);
      a.close();
      expect(await b.command('script', 'kill')).toBe('+OK\r\n');
      expect(await b.command('ping')).toBe('+PONG\r\n');
      expect(servers.mini.state.scripting.busy).toBeNull();
    } finally {
      await b.command('config', 'set', 'lua-time-limit', '5000');
      b.close();
    }
  });
});
