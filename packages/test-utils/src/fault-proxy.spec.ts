import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startRedis, type RedisServer } from './redis-server.js';

/** A TCP server that records what each connection sent and echoes it back. */
async function echoServer(): Promise<{ port: number; received: Buffer[][]; close(): Promise<void> }> {
  const received: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    const mine: Buffer[] = [];
    received.push(mine);
    sockets.add(s);
    s.on('data', (d: Buffer) => {
      mine.push(d);
      s.write(d);
    });
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address() as net.AddressInfo;
  return {
    port: addr.port,
    received,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => srv.close(() => r()));
    },
  };
}

/** Connects to the proxy and collects what comes back until `want` bytes, an error or a close. */
function dial(port: number): { sock: net.Socket; got: () => Buffer; ended: Promise<string> } {
  const sock = net.connect({ port, host: '127.0.0.1' });
  const parts: Buffer[] = [];
  sock.on('data', (d: Buffer) => parts.push(d));
  const ended = new Promise<string>((resolve) => {
    sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    sock.once('end', () => resolve('end'));
    sock.once('close', () => resolve('close'));
  });
  return { sock, got: () => Buffer.concat(parts), ended };
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(seed = 7): Promise<{ echo: Awaited<ReturnType<typeof echoServer>>; proxy: FaultProxy }> {
  const echo = await echoServer();
  cleanups.push(() => echo.close());
  const proxy = await startFaultProxy({ target: { port: echo.port }, seed });
  cleanups.push(() => proxy.close());
  return { echo, proxy };
}

const payload = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));

describe('FaultProxy', () => {
  it('forwards both ways unchanged when no fault is set', async () => {
    const { proxy } = await setup();
    const c = dial(proxy.port);
    c.sock.write(payload);
    await until(() => c.got().length === payload.length, 'the echo');
    expect(c.got().equals(payload)).toBe(true);
    expect(proxy.stats()).toMatchObject({ accepted: 1, open: 1, bytesToServer: payload.length, bytesToClient: payload.length });
    c.sock.destroy();
  });

  it('dribbles in pieces of at most maxBytes, in order, nothing lost', async () => {
    const { echo, proxy } = await setup();
    proxy.dribble({ minBytes: 1, maxBytes: 7, pauseChance: 0 });
    const c = dial(proxy.port);
    const small = payload.subarray(0, 5_000);
    c.sock.write(small);
    await until(() => c.got().length === small.length, 'the dribbled echo');
    expect(c.got().equals(small)).toBe(true);
    // Pieces are written on separate turns; the target saw many reads, none
    // of them the whole payload.
    expect(echo.received[0]!.length).toBeGreaterThan(10);
    c.sock.destroy();
  });

  it('resets a connection after its byte budget, mid-stream, and counts it', async () => {
    const { echo, proxy } = await setup();
    proxy.resetAfter({ min: 100, max: 100 });
    const c = dial(proxy.port);
    c.sock.write(payload);
    expect(await c.ended).toBe('ECONNRESET');
    await until(() => proxy.stats().open === 0, 'the link to close');
    expect(proxy.stats().resets).toBe(1);
    expect(proxy.stats().bytesToServer + proxy.stats().bytesToClient).toBeLessThanOrEqual(100);
    const seen = Buffer.concat(echo.received[0] ?? []).length;
    expect(seen).toBeLessThanOrEqual(100);
  });

  it('blackholes: holds bytes and new connections, then delivers them on heal', async () => {
    const { echo, proxy } = await setup();
    const first = dial(proxy.port);
    first.sock.write('before');
    await until(() => first.got().toString() === 'before', 'the first echo');
    proxy.blackhole();
    first.sock.write('during');
    const second = dial(proxy.port);
    second.sock.write('new');
    await until(() => proxy.stats().accepted === 2, 'the second accept');
    await new Promise((r) => setTimeout(r, 100));
    expect(first.got().toString()).toBe('before');
    expect(echo.received.length).toBe(1); // the held connection has not reached the target
    proxy.heal();
    await until(() => first.got().toString() === 'beforeduring', 'the held bytes');
    await until(() => second.got().toString() === 'new', 'the held connection');
    expect(echo.received.length).toBe(2);
    first.sock.destroy();
    second.sock.destroy();
  });

  it('heals by itself after blackhole(ms)', async () => {
    const { proxy } = await setup();
    proxy.blackhole(50);
    expect(proxy.blackholed).toBe(true);
    const c = dial(proxy.port);
    c.sock.write('x');
    await until(() => c.got().toString() === 'x', 'the echo after the heal');
    expect(proxy.blackholed).toBe(false);
    c.sock.destroy();
  });

  it('half-closes: the client sees end of stream, the target connection is dropped', async () => {
    const { proxy } = await setup();
    const c = dial(proxy.port);
    c.sock.write('a');
    await until(() => c.got().length === 1, 'the echo');
    proxy.halfClose();
    expect(await c.ended).toBe('end');
    c.sock.write('ignored');
    c.sock.end();
    await until(() => proxy.stats().open === 0, 'the link to close');
  });

  it('resetAll() resets every open connection', async () => {
    const { proxy } = await setup();
    const a = dial(proxy.port);
    const b = dial(proxy.port);
    await until(() => proxy.stats().open === 2, 'two links');
    proxy.resetAll();
    // An RST, not an orderly FIN: the client's read fails.
    expect(await a.ended).toBe('ECONNRESET');
    expect(await b.ended).toBe('ECONNRESET');
    expect(proxy.stats().resets).toBe(2);
  });

  it('refuses a reset range with max < min', async () => {
    const { proxy } = await setup();
    expect(() => proxy.resetAfter({ min: 10, max: 5 })).toThrow(RangeError);
  });

  describe('in front of a real redis-server', () => {
    let srv: RedisServer;
    it('carries 2,000 pipelined INCR dribbled, replies complete and in order', async () => {
      srv = await startRedis();
      cleanups.push(() => srv.stop());
      const proxy = await startFaultProxy({ target: { port: srv.port }, seed: 3 });
      cleanups.push(() => proxy.close());
      proxy.dribble({ maxBytes: 7 });
      const c = dial(proxy.port);
      let req = '';
      for (let i = 0; i < 2000; i++) req += '*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n';
      c.sock.write(req);
      let want = '';
      for (let i = 1; i <= 2000; i++) want += `:${i}\r\n`;
      await until(() => c.got().length >= want.length, 'every reply', 30_000);
      expect(c.got().toString()).toBe(want);
      expect(proxy.urlWith('redis://:pw@127.0.0.1:1/2')).toBe(`redis://:pw@127.0.0.1:${proxy.port}/2`);
      c.sock.destroy();
    });
  });
});
