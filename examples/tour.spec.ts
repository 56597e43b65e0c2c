// Runs the tour (examples/tour.ts) as `pnpm start` would, in a child process:
// against a redis-server this test starts (REDIS_URL), against the embedded
// mini-redis (no REDIS_URL and no redis-server on PATH), against an address
// nobody listens on, and in its interactive mode (serving until SIGTERM).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@reactor-ts/client';
import { getFreePort, makeTlsCerts, runTsx, startRedis, type RedisServer, type RunTsxResult, type TlsCerts } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const COUNT = 200;

/** The environment without any way to reach a Redis other than the one given. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('REDIS_URL' in extra)) delete env['REDIS_URL'];
  delete env['REDIS_SERVER_BIN'];
  return env;
}

function startTour(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  // node itself (not a PATH lookup) with tsx as a loader: works with any PATH.
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'tour.ts', ...args], { cwd: here, env });
}

function runTour(args: string[], env: NodeJS.ProcessEnv): Promise<RunTsxResult> {
  return runTsx('tour.ts', args, { cwd: here, env, timeoutMs: 50_000 });
}

function expectCommonSteps(out: string): void {
  // 1: the article's bytes, and both replies.
  expect(out).toContain('-> *3\\r\\n$3\\r\\nset\\r\\n$3\\r\\nkey\\r\\n$5\\r\\nvalue\\r\\n');
  expect(out).toContain('<- +OK\\r\\n');
  expect(out).toContain("<- -ERR unknown command 'ket', with args beginning with: 'key' 'value' \\r\\n");
  // 2 and 3: both counters reach N, with the article's timing line.
  expect(out.match(new RegExp(`after ${COUNT} exec redis command, used \\d+ ms`, 'g'))).toHaveLength(2);
  expect(out).toMatch(new RegExp(`INCR counter: ${COUNT}\\b[^\\n]*\\n[\\s\\S]*INCR counter: ${COUNT}\\n`));
  expect(out).toMatch(/sync \/ async: \d+\.\dx/);
  // 4: pipeline replies in order, the error in its place.
  expect(out).toMatch(/INCR tour:hits +-> \(integer\) 2/);
  expect(out).toMatch(/LPUSH tour:greeting x +-> \(error\) WRONGTYPE/);
  expect(out).toContain(`after ${COUNT} pipelined INCR`);
  expect(out).toContain(`last reply (integer) ${COUNT}`);
  // 5: EXEC answers nil after the conflicting write, watchRetry's second attempt goes through.
  expect(out).toContain('EXEC -> (nil)');
  expect(out).toContain('carol: attempt 2: WATCH; GET -> 200');
  expect(out).toContain('carol: EXEC -> ["OK"]');
  expect(out).toContain('tour:balance = 210');
  // 7: harmony reaches both subscribers.
  expect(out).toContain("client 1 received 'harmony' on news.shanxi");
  expect(out).toContain("client 2 received 'harmony' on news.shanxi (pattern news.*)");
  expect(out).toContain('-> (integer) 2 (subscribers that received it)');
  // 8: the server, and the exchange of its --once client.
  expect(out).toMatch(/listening on 127\.0\.0\.1:\d+/);
  expect(out).toMatch(/> INCR tour:visits\n +\(integer\) 1\n/);
  expect(out).toMatch(/> GET tour:visits\n +"1"\n/);
  expect(out).toMatch(/> PING\n +PONG\n/);
  expect(out).not.toContain('FAILED');
  expect(out).toContain('tour done.');
}

describe('examples/tour.ts --once with REDIS_URL', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis();
  });
  afterAll(() => srv?.stop());

  it('runs every step against that server and exits 0', async () => {
    const res = await runTour(['--once', '--count', String(COUNT)], cleanEnv({ REDIS_URL: srv.url }));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = res.stdout;
    expect(out).toContain(`Redis target: REDIS_URL, 127.0.0.1:${srv.port}`);
    expectCommonSteps(out);
    // 6: the article's Lua results.
    expect(out).toContain('EVAL script 1 tour:mark     -> (integer) 2');
    expect(out).toMatch(/EVALSHA [0-9a-f]{8}\.\.\. 1 tour:mark -> \(integer\) 4/);
    expect(out).toContain('EVAL script 1 tour:darren   -> (integer) 0');
    // The server really holds what the tour printed.
    const c = await createClient({ url: srv.url }).connect();
    try {
      expect(await c.get('counter')).toBe(String(COUNT));
      expect(await c.get('tour:visits')).toBe('1');
      expect(await c.get('tour:balance')).toBe('210');
    } finally {
      await c.quit();
    }
  });
});

describe('examples/tour.ts --once, step 8 over TLS (--tls-cert/--tls-key)', () => {
  let srv: RedisServer;
  let certs: TlsCerts;
  beforeAll(async () => {
    certs = makeTlsCerts();
    srv = await startRedis();
  });
  afterAll(async () => {
    await srv?.stop();
    certs?.remove();
  });

  it('serves TLS; its --once client verifies it against --tls-ca and gets the same replies', async () => {
    const tls = ['--tls-cert', certs.server.certFile, '--tls-key', certs.server.keyFile, '--tls-ca', certs.ca.certFile];
    const res = await runTour(['--once', '--count', String(COUNT), ...tls], cleanEnv({ REDIS_URL: srv.url }));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/listening on 127\.0\.0\.1:\d+ \(TLS\)/);
    expect(res.stdout).toMatch(/\$ openssl s_client -quiet -connect 127\.0\.0\.1:\d+ -CAfile ca\.crt/);
    expectCommonSteps(res.stdout);
  });

  it('refuses --tls-cert without --tls-key', async () => {
    const res = await runTour(['--tls-cert', certs.server.certFile], cleanEnv({ REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--tls-cert and --tls-key go together');
  });
});

describe('examples/tour.ts --once without Redis', () => {
  let bin: string;
  beforeAll(() => {
    // PATH holds only node: no redis-server can be found (node and
    // redis-server may share a directory, so node gets one of its own).
    bin = mkdtempSync(path.join(tmpdir(), 'tour-path-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('embeds mini-redis, runs the sync counter in a child, and the Lua step on the embedded Lua', async () => {
    const res = await runTour(['--once', '--count', String(COUNT)], cleanEnv({ PATH: bin }));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = res.stdout;
    expect(out).toMatch(/Redis target: embedded mini-redis on 127\.0\.0\.1:\d+, on the tour's own reactor/);
    expect(out).toContain('the counter runs in a child process');
    expectCommonSteps(out);
    // 6: the article's Lua results, from mini-redis's scripting engine.
    expect(out).not.toContain('skipped: mini-redis');
    expect(out).toContain('EVAL script 1 tour:mark     -> (integer) 2');
    expect(out).toMatch(/EVALSHA [0-9a-f]{8}\.\.\. 1 tour:mark -> \(integer\) 4/);
    expect(out).toContain('EVAL script 1 tour:darren   -> (integer) 0');
    expect(out).toMatch(/defineScript\(\.\.\.\)\.call\(client, 'tour:mark'\) -> 8/);
  });
});

const redisOnPath = (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, 'redis-server')));

describe('examples/tour.ts --once with redis-server on PATH', () => {
  it.runIf(redisOnPath)('starts its own redis-server on a free port (never 6379) and stops it at exit', async () => {
    const res = await runTour(['--once', '--count', String(COUNT)], cleanEnv({}));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const m = /Redis target: redis-server [\d.]+ \(.*\) started on 127\.0\.0\.1:(\d+), stopped when the tour ends/.exec(res.stdout);
    expect(m).not.toBeNull();
    const port = Number(m![1]);
    expect(port).not.toBe(6379);
    expectCommonSteps(res.stdout);
    expect(res.stdout).toContain('EVAL script 1 tour:mark     -> (integer) 2');
    // Gone with the tour: nothing listens on its port any more.
    await expect(
      new Promise((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1', () => {
          sock.destroy();
          resolve('connected');
        });
        sock.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code)));
      }),
    ).rejects.toThrow('ECONNREFUSED');
  });
});

describe('examples/tour.ts failures', () => {
  it('says in one line that REDIS_URL cannot be reached, and exits 1', async () => {
    const port = await getFreePort();
    const res = await runTour(['--once'], cleanEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`no Redis target: REDIS_URL points at 127.0.0.1:${port}, which cannot be reached (ECONNREFUSED)`);
  });

  it('refuses a bad --count', async () => {
    const res = await runTour(['--count', 'lots'], cleanEnv({ REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--count must be an integer');
  });
});

describe('examples/tour.ts interactive (no --once)', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis();
  });
  afterAll(() => srv?.stop());

  it('serves line clients after the tour, in order, until SIGTERM; then exits 0', async () => {
    const child = startTour(['--count', '10', '--port', '0'], cleanEnv({ REDIS_URL: srv.url }));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const check = (): void => {
          // The last line the tour prints before it waits for clients.
          const m = /listening on 127\.0\.0\.1:(\d+)[\s\S]*Connect with: +nc 127\.0\.0\.1 (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        };
        child.stdout.on('data', check);
        void exit.then((code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      expect(out).toContain(`nc 127.0.0.1 ${port} `);
      const lines = [
        'DEL l', 'INCR hits', 'SET k "a b"', 'GET k', 'MULTI', 'RPUSH l a b', 'LRANGE l 0 -1', 'BOGUS x', 'GET nope', 'SET k', 'exit',
      ];
      const transcript = await exchange(port, `${lines.join('\r\n')}\r\nGET k\n`);
      expect(transcript).toBe(
        [
          'tour server: one Redis command per line (e.g. INCR hits), "exit" to leave',
          '(integer) 0',
          '(integer) 1',
          'OK',
          '"a b"',
          '(error) MULTI is not available here: every client shares one Redis connection',
          '(integer) 2',
          '1) "a"',
          '2) "b"',
          "(error) ERR unknown command 'BOGUS', with args beginning with: 'x' ",
          '(nil)',
          "(error) ERR wrong number of arguments for 'set' command",
          'bye',
          '',
        ].join('\n'),
      );
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(out).toContain('SIGTERM: shutting down');
      expect(out).toContain('tour done.');
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });
});

/** Sends `text`, returns everything the server wrote until it closed the connection. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(text));
    let got = '';
    sock.setEncoding('utf8');
    sock.setTimeout(10_000, () => {
      sock.destroy();
      reject(new Error(`no close from the server; got: ${got}`));
    });
    sock.on('data', (d: string) => (got += d));
    sock.on('error', reject);
    sock.on('close', () => resolve(got));
  });
}
