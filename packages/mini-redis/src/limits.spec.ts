/**
 * Limits and lifecycle: maxclients, the query buffer limit, the pub/sub
 * output limit, QUIT, active expiry on the reactor's timer, and an embedded
 * server sharing a caller's reactor.
 */
import { createReactor } from '@reactor-ts/reactor';
import { afterEach, describe, expect, it } from 'vitest';
import { startMiniRedis, type MiniRedis } from './server.js';
import { RespConnection } from '@reactor-ts/test-utils';

const servers: MiniRedis[] = [];
const conns: RespConnection[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function start(opts: Parameters<typeof startMiniRedis>[0] = {}): Promise<MiniRedis> {
  const s = await startMiniRedis({ port: 0, ...opts });
  servers.push(s);
  return s;
}
async function open(port: number): Promise<RespConnection> {
  const c = await RespConnection.open(port);
  conns.push(c);
  return c;
}
function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('limits', () => {
  it('maxclients: the extra client gets Redis\'s error and is closed; a slot frees on disconnect', async () => {
    const s = await start({ maxclients: 2 });
    const a = await open(s.port);
    const b = await open(s.port);
    expect(await a.command('ping')).toBe('+PONG\r\n');
    expect(await b.command('ping')).toBe('+PONG\r\n');
    const c = await open(s.port);
    expect(await c.read((g) => g.length > 0 && c.isClosed)).toBe('-ERR max number of clients reached\r\n');
    a.close();
    await waitFor(() => s.state.clients.size === 1);
    const d = await open(s.port);
    expect(await d.command('ping')).toBe('+PONG\r\n');
  });

  it('query buffer limit: a client sending an endless argument is dropped, others carry on', async () => {
    const s = await start({ maxQueryBuffer: 64 * 1024 });
    const good = await open(s.port);
    const bad = await open(s.port);
    // A bulk argument announced as 1 MiB and fed past the limit.
    await bad.raw(`*2\r\n$4\r\nECHO\r\n$1048576\r\n${'x'.repeat(200 * 1024)}`, () => false).catch(() => '');
    await waitFor(() => bad.isClosed);
    expect(await good.command('ping')).toBe('+PONG\r\n');
  });

  it('pub/sub output limit: a subscriber that never reads is disconnected', async () => {
    const s = await start({ pubsubHardLimit: 256 * 1024 });
    const sub = await open(s.port);
    expect(await sub.command('subscribe', 'ch')).toContain('subscribe');
    sub.pause();
    const pub = await open(s.port);
    const big = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 200 && s.state.pubsub.channelCount > 0; i++) await pub.command('publish', 'ch', big);
    await waitFor(() => s.state.pubsub.channelCount === 0);
    expect(await pub.command('publish', 'ch', 'x')).toBe(':0\r\n');
  });

  it('output hard limit (the reactor\'s): a client that never reads its big replies is closed', async () => {
    const s = await start({ outputLimits: { hard: 256 * 1024 } });
    const c = await open(s.port);
    await c.command('set', 'big', 'x'.repeat(200 * 1024));
    c.pause();
    const other = await open(s.port);
    // Pipelined GETs whose replies pile up in e.out once the socket is backed up.
    const burst = Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'.repeat(200));
    for (let i = 0; i < 20 && s.state.clients.size > 1; i++) {
      c.send(burst);
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => s.state.clients.size === 1);
    expect(await other.command('ping')).toBe('+PONG\r\n');
  });

  it('QUIT answers +OK and closes; requests after it are ignored', async () => {
    const s = await start();
    const c = await open(s.port);
    const got = await c.raw('*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n', () => false);
    expect(got).toBe('+OK\r\n');
    expect(c.isClosed).toBe(true);
  });

  it('active expiry removes keys nobody reads, driven by the reactor timer', async () => {
    const s = await start({ expireIntervalMs: 20 });
    const c = await open(s.port);
    // No command reads these keys again, so only the active cycle can remove them.
    for (let i = 0; i < 50; i++) await c.command('set', `k${i}`, 'v', 'px', '100');
    await c.command('set', 'keep', 'v');
    // Generous: on a loaded CI machine the 20 ms cycle can run late; what is
    // asserted is that the keys go, not how fast.
    await waitFor(() => s.state.store.dbs[0]!.size === 1, 15_000);
    expect(await c.command('dbsize')).toBe(':1\r\n');
    expect(s.state.stats.expired).toBe(50);
  });

  it('a port already taken rejects with the socket error', async () => {
    const s = await start();
    await expect(startMiniRedis({ port: s.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('embeds in a reactor the caller runs, and close() leaves that reactor running', async () => {
    const reactor = createReactor();
    const loop = reactor.eventloop();
    try {
      const s = await startMiniRedis({ port: 0, reactor });
      const c = await RespConnection.open(s.port);
      expect(await c.command('set', 'a', '1')).toBe('+OK\r\n');
      await s.close();
      await waitFor(() => c.isClosed);
      expect(reactor.running).toBe(true);
      // No longer listening: a new connection is refused.
      await expect(RespConnection.open(s.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      reactor.release();
      await loop;
    }
  });
});
