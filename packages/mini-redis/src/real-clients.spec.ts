/**
 * mini-redis driven by clients nobody here wrote: redis-cli (arguments,
 * stdin, --pipe mass insertion, RESP3 with -3) and redis-benchmark. The
 * server runs in this process, so the clients are spawned asynchronously
 * and the reactor keeps serving while they run.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniRedis, type MiniRedis } from './server.js';
import { encodeCommand } from '@reactor-ts/resp';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (bounded by `timeoutMs`), feeding `input` on stdin. */
function run(cmd: string, args: string[], input?: string | Buffer, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

describe('real Redis clients against mini-redis', () => {
  let mini: MiniRedis;
  let cli: (...args: string[]) => Promise<string>;
  beforeAll(async () => {
    mini = await startMiniRedis({ port: 0 });
    cli = async (...args) => {
      const r = await run('redis-cli', ['-p', String(mini.port), ...args]);
      expect(r.code).toBe(0);
      return r.stdout;
    };
  });
  afterAll(() => mini?.close());

  it('redis-cli with commands as arguments', async () => {
    expect(await cli('flushall')).toBe('OK\n');
    expect(await cli('ping')).toBe('PONG\n');
    expect(await cli('set', 'greeting', 'hello world')).toBe('OK\n');
    expect(await cli('get', 'greeting')).toBe('hello world\n');
    expect(await cli('rpush', 'l', 'a', 'b', 'c')).toBe('3\n');
    expect(await cli('lrange', 'l', '0', '-1')).toBe('a\nb\nc\n');
    expect(await cli('nosuch', 'x')).toBe("ERR unknown command 'nosuch', with args beginning with: 'x' \n\n");
    expect(await cli('--no-raw', 'get', 'missing')).toBe('(nil)\n');
    expect(await cli('--no-raw', 'lpush', 'greeting', 'x')).toBe(
      '(error) WRONGTYPE Operation against a key holding the wrong kind of value\n',
    );
    expect(await cli('info', 'server')).toContain('redis_version:');
  });

  it('redis-cli reading commands from stdin', async () => {
    const r = await run('redis-cli', ['-p', String(mini.port)], 'set counter 10\nincr counter\nincrby counter 5\nget counter\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('OK\n11\n16\n16\n');
  });

  it('redis-cli --pipe mass insertion of 10,000 SETs', async () => {
    await cli('flushall');
    const parts: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) parts.push(encodeCommand(['SET', `key:${i}`, `value:${i}`]));
    const r = await run('redis-cli', ['-p', String(mini.port), '--pipe'], Buffer.concat(parts));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('errors: 0, replies: 10000');
    expect(await cli('dbsize')).toBe('10000\n');
    expect(await cli('get', 'key:9999')).toBe('value:9999\n');
  });

  it('redis-cli -3 speaks RESP3 (maps, sets, doubles, push frames)', async () => {
    await cli('flushall');
    await cli('hset', 'h', 'f', 'v');
    expect(await cli('-3', '--no-raw', 'hgetall', 'h')).toBe('1# "f" => "v"\n');
    await cli('zadd', 'z', '1.5', 'm');
    expect(await cli('-3', '--no-raw', 'zscore', 'z', 'm')).toBe('(double) 1.5\n');
    await cli('sadd', 's', 'only');
    expect(await cli('-3', '--no-raw', 'smembers', 's')).toBe('1~ "only"\n');
    expect(await cli('-3', '--no-raw', 'get', 'missing')).toBe('(nil)\n');
  });

  it('redis-benchmark runs every listed test with no errors', async () => {
    const tests = 'ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange,mset';
    const r = await run('redis-benchmark', ['-p', String(mini.port), '-t', tests, '-q', '-n', '2000'], undefined, 120_000);
    expect(r.code).toBe(0);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).not.toMatch(/ERR|error/i);
    for (const name of [
      'PING_INLINE',
      'PING_MBULK',
      'SET',
      'GET',
      'INCR',
      'LPUSH',
      'RPUSH',
      'LPOP',
      'RPOP',
      'SADD',
      'HSET',
      'SPOP',
      'ZADD',
      'ZPOPMIN',
      'LRANGE_100',
      'LRANGE_600',
      'MSET',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${name}.*requests per second`, 'm'));
    }
  });
});
