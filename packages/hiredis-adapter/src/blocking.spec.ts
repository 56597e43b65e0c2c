import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import type { Worker } from 'node:worker_threads';
import { startRedis, getFreePort, type RedisServer } from '@reactor-ts/test-utils';
import {
  REDIS_REPLY_ARRAY,
  REDIS_REPLY_ERROR,
  REDIS_REPLY_INTEGER,
  REDIS_REPLY_NIL,
  REDIS_REPLY_PUSH,
  type RedisReply,
  REDIS_REPLY_STATUS,
  REDIS_REPLY_STRING,
} from '@reactor-ts/resp';
import { encodeCommand, NEED_MORE, RespReader } from '@reactor-ts/resp';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { liveWorkerCount, WorkerChannel } from './blocking-channel.js';
import {
  redisAppendCommand,
  redisAppendCommandArgv,
  redisCommand,
  redisCommandArgv,
  redisConnect,
  redisConnectUnix,
  redisConnectWithOptions,
  redisConnectWithTimeout,
  redisFree,
  redisGetReply,
  redisReconnect,
  redisSetPushCallback,
  redisSetTimeout,
  type RedisContext,
} from './blocking.js';
import {
  REDIS_ERR,
  REDIS_ERR_EOF,
  REDIS_ERR_IO,
  REDIS_ERR_OTHER,
  REDIS_ERR_PROTOCOL,
  REDIS_ERR_TIMEOUT,
  REDIS_OK,
} from './constants.js';

function connected(srv: RedisServer, opts: { ringSize?: number } = {}): RedisContext {
  const c = redisConnectWithOptions({ host: srv.host, port: srv.port, ...opts });
  expect(c.err, c.errstr).toBe(0);
  return c;
}

describe('blocking context', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis({ unixSocket: true });
  });
  afterAll(() => srv.stop());

  it('connects and returns replies synchronously', () => {
    const c = redisConnect(srv.host, srv.port);
    expect(c.err).toBe(0);
    expect(c.connectionType).toBe('tcp');
    const pong = redisCommand(c, 'PING');
    expect(pong).not.toBeInstanceOf(Promise);
    expect(pong?.type).toBe(REDIS_REPLY_STATUS);
    expect(pong?.str).toBe('PONG');
    expect(redisCommand(c, 'SET %s %s', 'k1', 'hello world')?.str).toBe('OK');
    const got = redisCommand(c, 'GET %s', 'k1');
    expect(got?.type).toBe(REDIS_REPLY_STRING);
    expect(got?.str).toBe('hello world');
    expect(redisCommand(c, 'GET nokey')?.type).toBe(REDIS_REPLY_NIL);
    redisFree(c);
  });

  it("runs the article's counter: 1000 INCR in a loop reach 1000", () => {
    const c = connected(srv);
    redisCommand(c, 'DEL counter');
    let last: number | bigint = 0;
    for (let i = 0; i < 1000; i++) {
      const r = redisCommand(c, 'INCR counter');
      expect(r?.type).toBe(REDIS_REPLY_INTEGER);
      last = r?.integer ?? -1;
    }
    expect(last).toBe(1000);
    redisFree(c);
  });

  it('returns error replies as REDIS_REPLY_ERROR and stays usable', () => {
    const c = connected(srv);
    const r = redisCommand(c, 'NOSUCHCOMMAND x');
    expect(r?.type).toBe(REDIS_REPLY_ERROR);
    expect(r?.str).toMatch(/^ERR unknown command/);
    expect(c.err).toBe(0);
    expect(redisCommand(c, 'PING')?.str).toBe('PONG');
    redisFree(c);
  });

  it('pipelines: 1000 appends, then 1000 replies in order', () => {
    const c = connected(srv);
    redisCommand(c, 'DEL pipe');
    for (let i = 0; i < 1000; i++) expect(redisAppendCommand(c, 'RPUSH pipe %d', i)).toBe(REDIS_OK);
    redisAppendCommandArgv(c, ['LRANGE', 'pipe', '0', '-1']);
    for (let i = 0; i < 1000; i++) {
      const r = redisGetReply(c);
      expect(r?.integer).toBe(i + 1);
    }
    const all = redisGetReply(c);
    expect(all?.type).toBe(REDIS_REPLY_ARRAY);
    expect(all?.elements).toBe(1000);
    expect(all?.element.map((e) => e.str)).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
    redisFree(c);
  });

  it('round-trips a 10 MiB value through a small ring', () => {
    const c = connected(srv, { ringSize: 4096 });
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    expect(redisCommand(c, 'SET big %b', big)?.str).toBe('OK');
    const r = redisCommandArgv(c, ['GET', 'big']);
    expect(r?.buf?.length).toBe(big.length);
    expect(r?.buf?.equals(big)).toBe(true);
    redisFree(c);
  });

  it('round-trips all 256 byte values, alone and together', () => {
    const c = connected(srv);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(redisCommandArgv(c, ['SET', all, all])?.str).toBe('OK');
    expect(redisCommandArgv(c, ['GET', all])?.buf?.equals(all)).toBe(true);
    for (let b = 0; b < 256; b++) redisAppendCommandArgv(c, ['SET', `byte:${b}`, Buffer.from([b])]);
    for (let b = 0; b < 256; b++) expect(redisGetReply(c)?.str).toBe('OK');
    for (let b = 0; b < 256; b++) {
      expect(redisCommand(c, 'GET byte:%d', b)?.buf?.equals(Buffer.from([b]))).toBe(true);
    }
    redisFree(c);
  });

  it('connects over a unix socket', () => {
    const c = redisConnectUnix(srv.socketPath as string);
    expect(c.err, c.errstr).toBe(0);
    expect(c.connectionType).toBe('unix');
    expect(redisCommand(c, 'PING')?.str).toBe('PONG');
    redisFree(c);
  });

  it('honours the read timeout: err set, no hang, context unusable after', () => {
    const c = redisConnectWithTimeout(srv.host, srv.port, { sec: 0, usec: 200_000 });
    expect(c.err).toBe(0);
    const t0 = performance.now();
    const r = redisCommand(c, 'BLPOP empty-list 5');
    const waited = performance.now() - t0;
    expect(r).toBeNull();
    expect(c.err).toBe(REDIS_ERR_TIMEOUT);
    expect(c.errstr).toBe('Timeout');
    expect(waited).toBeLessThan(4000); // well before BLPOP's own 5 s
    expect(redisCommand(c, 'PING')).toBeNull();
    expect(redisAppendCommand(c, 'PING')).toBe(REDIS_ERR);
    redisFree(c);
  });

  it('redisReconnect makes a failed context usable again', () => {
    const c = redisConnectWithTimeout(srv.host, srv.port, 150);
    expect(redisCommand(c, 'BLPOP empty-list 5')).toBeNull();
    expect(c.err).toBe(REDIS_ERR_TIMEOUT);
    expect(redisReconnect(c)).toBe(REDIS_OK);
    expect(c.err).toBe(0);
    expect(c.errstr).toBe('');
    expect(c.commandTimeoutMs).toBe(150);
    expect(redisCommand(c, 'ECHO %s', 'again')?.str).toBe('again');
    redisFree(c);
    expect(redisReconnect(c)).toBe(REDIS_ERR);
  });

  it('redisSetTimeout changes the read timeout of a live context', () => {
    const c = connected(srv);
    expect(redisSetTimeout(c, 150)).toBe(REDIS_OK);
    expect(c.commandTimeoutMs).toBe(150);
    expect(redisCommand(c, 'BLPOP empty-list 5')).toBeNull();
    expect(c.err).toBe(REDIS_ERR_TIMEOUT);
    redisFree(c);
  });

  it('reports an invalid format as REDIS_ERR_OTHER', () => {
    const c = connected(srv);
    expect(redisCommand(c, 'GET %q', 'x')).toBeNull();
    expect(c.err).toBe(REDIS_ERR_OTHER);
    redisFree(c);
  });

  it('RESP3: push replies go to the push callback, never in place of a reply', () => {
    const c = connected(srv);
    const other = connected(srv);
    expect(redisCommand(c, 'HELLO 3')?.type).not.toBe(REDIS_REPLY_ERROR);
    const pushes: RedisReply[] = [];
    redisSetPushCallback(c, (_ctx, reply) => pushes.push(reply));
    expect(redisCommand(c, 'CLIENT TRACKING on')?.str).toBe('OK');
    redisCommand(c, 'GET tracked');
    redisCommand(other, 'SET tracked 1'); // invalidates c's cached key
    expect(redisCommand(c, 'PING')?.str).toBe('PONG');
    expect(pushes.length).toBe(1);
    expect(pushes[0]?.type).toBe(REDIS_REPLY_PUSH);
    expect(pushes[0]?.element[0]?.str).toBe('invalidate');
    redisFree(other);
    redisFree(c);
  });

  it('redisFree ends the worker thread', async () => {
    // Earlier tests' workers report their exit once this thread is idle.
    await vi.waitFor(() => expect(liveWorkerCount()).toBe(0), { timeout: 5000 });
    const c = connected(srv);
    expect(liveWorkerCount()).toBe(1);
    redisFree(c);
    redisFree(c); // twice is harmless
    await vi.waitFor(() => expect(liveWorkerCount()).toBe(0), { timeout: 5000 });
    expect(redisCommand(c, 'PING')).toBeNull();
  });
});

describe('blocking context: authentication', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis({ password: 's3cret' });
  });
  afterAll(() => srv.stop());

  it('AUTH with the password, as the article does', () => {
    const c = connected(srv);
    expect(redisCommand(c, 'GET x')?.str).toMatch(/^NOAUTH/);
    expect(redisCommand(c, 'AUTH %s', 'wrong')?.type).toBe(REDIS_REPLY_ERROR);
    expect(redisCommand(c, 'AUTH %s', 's3cret')?.str).toBe('OK');
    expect(redisCommand(c, 'INCR counter')?.integer).toBe(1);
    redisFree(c);
  });
});

describe('blocking context: failures', () => {
  it('connection refused → REDIS_ERR_IO "Connection refused"', async () => {
    const port = await getFreePort();
    const c = redisConnect('127.0.0.1', port);
    expect(c.err).toBe(REDIS_ERR_IO);
    expect(c.errstr).toBe('Connection refused');
    expect(redisCommand(c, 'PING')).toBeNull();
    redisFree(c);
  });

  it('a missing unix socket → REDIS_ERR_IO', () => {
    const c = redisConnectUnix('/nonexistent/reactor-ts.sock');
    expect(c.err).toBe(REDIS_ERR_IO);
    expect(c.errstr).toBe('No such file or directory');
    redisFree(c);
  });

  it('server closing the connection → REDIS_ERR_EOF', async () => {
    const srv = await startRedis();
    try {
      const c = connected(srv);
      const id = redisCommand(c, 'CLIENT ID')?.integer;
      const killer = redisConnect(srv.host, srv.port);
      expect(redisCommand(killer, 'CLIENT KILL ID %d', Number(id))?.integer).toBe(1);
      redisFree(killer);
      expect(redisCommand(c, 'PING')).toBeNull();
      expect(c.err).toBe(REDIS_ERR_EOF);
      expect(c.errstr).toBe('Server closed the connection');
      redisFree(c);
    } finally {
      await srv.stop();
    }
  });

  it('kill -9 of the server during a blocking call: err set, one return, no hang', async () => {
    const srv = await startRedis();
    try {
      const c = connected(srv);
      // A timer cannot fire while this thread is blocked, so the kill comes
      // from a separate process started before the call.
      const killer = spawn('sh', ['-c', `sleep 0.3; kill -9 ${srv.pid}`], { stdio: 'ignore' });
      const t0 = performance.now();
      const r = redisCommand(c, 'BLPOP never 30');
      expect(r).toBeNull();
      expect(performance.now() - t0).toBeLessThan(20_000);
      expect([REDIS_ERR_EOF, REDIS_ERR_IO]).toContain(c.err);
      expect(c.errstr).not.toBe('');
      expect(redisGetReply(c)).toBeNull();
      await new Promise((resolve) => killer.once('exit', resolve));
      redisFree(c);
    } finally {
      await srv.stop();
    }
  });
});

describe('the shared ring', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis();
  });
  afterAll(() => srv.stop());

  it('carries replies of any size across the ring edge and the int32 counter wrap', async () => {
    // Counters start just below 2^31, so they turn negative mid-test; a 4 KiB
    // ring makes most replies wrap around its end or span several fills.
    const ch = new WorkerChannel({ host: srv.host, port: srv.port }, 4096, 2 ** 31 - 3000);
    expect(ch.waitConnected(5000)).toBeNull();
    const reader = new RespReader({ builder: 'native', stringMode: 'buffer' });
    const roundTrip = (argv: Array<string | Buffer>): unknown => {
      ch.send(encodeCommand(argv));
      for (;;) {
        const reply = reader.getReply();
        if (reply !== NEED_MORE) return reply;
        const bytes = ch.read(10_000);
        if (!Buffer.isBuffer(bytes)) throw new Error(`channel failed: ${JSON.stringify(bytes)}`);
        reader.feed(bytes);
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 20_000 }), async (bytes) => {
        const value = Buffer.from(bytes);
        roundTrip(['SET', 'ring', value]);
        expect(Buffer.compare(roundTrip(['GET', 'ring']) as Buffer, value)).toBe(0);
      }),
      { numRuns: 60 },
    );
    ch.close();
  });
});

/**
 * A scripted peer in a child process: this thread is blocked while the
 * context waits, so a server in this process could never answer. `onData`
 * is the body of a `(socket, chunk) => ...` handler.
 */
async function startFakeServer(onData: string): Promise<{ port: number; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const net = require('net');
       const s = net.createServer((socket) => { socket.on('error', () => {});
         socket.on('data', (chunk) => { ${onData} }); });
       s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d)))));
  return { port, stop: () => child.kill('SIGKILL') };
}

describe('blocking context: scripted peers', () => {
  it('a broken reply stream → REDIS_ERR_PROTOCOL, no hang', async () => {
    const peer = await startFakeServer(`socket.write('?not resp\\r\\n');`);
    try {
      const c = redisConnect('127.0.0.1', peer.port);
      expect(redisCommand(c, 'PING')).toBeNull();
      expect(c.err).toBe(REDIS_ERR_PROTOCOL);
      expect(c.errstr).not.toBe('');
      redisFree(c);
    } finally {
      peer.stop();
    }
  });

  it('a reply that arrives one byte at a time is reassembled', async () => {
    const reply = '*3\\r\\n$5\\r\\nhello\\r\\n:42\\r\\n+OK\\r\\n';
    const peer = await startFakeServer(
      `const r = Buffer.from('${reply}'); let i = 0;
       const t = setInterval(() => { socket.write(r.subarray(i, i + 1)); if (++i === r.length) clearInterval(t); }, 2);`,
    );
    try {
      const c = redisConnect('127.0.0.1', peer.port);
      const r = redisCommand(c, 'ANYTHING');
      expect(r?.type).toBe(REDIS_REPLY_ARRAY);
      expect(r?.element.map((e) => e.str ?? e.integer)).toEqual(['hello', 42, 'OK']);
      redisFree(c);
    } finally {
      peer.stop();
    }
  });

  it('the server closing mid-reply → REDIS_ERR_EOF after the bytes it did send', async () => {
    const peer = await startFakeServer(`socket.end('$10\\r\\nhal');`);
    try {
      const c = redisConnect('127.0.0.1', peer.port);
      expect(redisCommand(c, 'GET x')).toBeNull();
      expect(c.err).toBe(REDIS_ERR_EOF);
      redisFree(c);
    } finally {
      peer.stop();
    }
  });
});

describe('blocking context: timeouts and a dead worker', () => {
  it('honours the connect timeout (a listener whose backlog is full)', async () => {
    // A stopped process listening with backlog 1: once its accept queue is
    // full the kernel drops further SYNs, so a connect hangs — on loopback.
    const listener = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('net').createServer();
         s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
           console.log(s.address().port); process.kill(process.pid, 'SIGSTOP'); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const fillers: net.Socket[] = [];
    try {
      const port = await new Promise<number>((resolve) => listener.stdout.once('data', (d: Buffer) => resolve(Number(String(d)))));
      for (let i = 0; i < 4; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => {}));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const c = redisConnectWithTimeout('127.0.0.1', port, { sec: 0, usec: 300_000 });
      expect(c.err).toBe(REDIS_ERR_TIMEOUT);
      expect(c.errstr).toBe('Timeout');
      expect(redisCommand(c, 'PING')).toBeNull();
      redisFree(c);
    } finally {
      for (const s of fillers) s.destroy();
      listener.kill('SIGKILL');
    }
  });

  it('a worker thread that dies is detected by its missing heartbeat', async () => {
    const srv = await startRedis();
    try {
      const ch = new WorkerChannel({ host: srv.host, port: srv.port });
      expect(ch.waitConnected(5000)).toBeNull();
      // terminate() stops the thread asynchronously, without this thread's
      // loop; the blocked read below must notice on its own.
      void (ch as unknown as { worker: Worker }).worker.terminate();
      const res = ch.read(null);
      expect(Buffer.isBuffer(res)).toBe(false);
      expect(res).toMatchObject({ kind: 'dead' });
      ch.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('blocking context: process lifetime', () => {
  it('a script that never calls redisFree still exits', async () => {
    const srv = await startRedis();
    try {
      const code = [
        `import { redisConnect, redisCommand } from ${JSON.stringify(new URL('./blocking.ts', import.meta.url).href)};`,
        `const c = redisConnect('127.0.0.1', ${srv.port});`,
        `console.log(redisCommand(c, 'PING')?.str);`,
      ].join('\n');
      const res = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', code], {
        cwd: new URL('..', import.meta.url).pathname,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(res.stdout.trim()).toBe('PONG');
      expect(res.status).toBe(0);
    } finally {
      await srv.stop();
    }
  });

  const dist = new URL('../dist/blocking.js', import.meta.url);
  // Only a dist/ built from the current sources says anything (`pnpm test` builds first).
  const distIsFresh = ['blocking', 'blocking-channel', 'blocking-worker'].every((name) => {
    const js = new URL(`../dist/${name}.js`, import.meta.url);
    const ts = new URL(`./${name}.ts`, import.meta.url);
    return existsSync(js) && statSync(js).mtimeMs >= statSync(ts).mtimeMs;
  });
  it.skipIf(!distIsFresh)('runs from the compiled dist/ as well (after tsc -b)', async () => {
    const srv = await startRedis();
    try {
      const code = [
        `import { redisConnect, redisCommand, redisFree } from ${JSON.stringify(dist.href)};`,
        `const c = redisConnect('127.0.0.1', ${srv.port});`,
        `console.log(redisCommand(c, 'INCR %s', 'n')?.integer);`,
        `redisFree(c);`,
      ].join('\n');
      const res = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
      expect(res.stderr).toBe('');
      expect(res.stdout.trim()).toBe('1');
      expect(res.status).toBe(0);
    } finally {
      await srv.stop();
    }
  });
});
