// createSentinel against a real Sentinel deployment (startSentinelGroup: a
// master, one replica, three sentinels), with a failover by SENTINEL
// FAILOVER and one by kill -9, each in the middle of 20,000 INCR.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getFreePort, startRedis, startSentinelGroup, type RedisServer, type SentinelGroup } from '@reactor-ts/test-utils';
import { createClient, type RedisClient } from './client.js';
import { ConnectionError } from './errors.js';
import { createSentinel, type SentinelClient } from './sentinel.js';

let group: SentinelGroup;
let plain: RedisServer;
let deadPort: number;
beforeAll(async () => {
  group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
  // A "sentinel" that is not one (it refuses SENTINEL) and one that is down.
  plain = await startRedis();
  deadPort = await getFreePort();
}, 120_000);
afterAll(async () => {
  await group?.stop();
  await plain?.stop();
});

const sentinelPort = (i: number): number => group.sentinels[i]!.port;

/**
 * Runs `total` INCR on `key`, `concurrency` at a time, paced (each worker
 * pauses a few ms between commands) so that the failover lands in the
 * middle of the run; every promise is accounted for.
 */
async function incrLoad(
  client: SentinelClient,
  key: string,
  total: number,
  concurrency: number,
  onSuccess: (ok: number) => void,
): Promise<{ ok: number; mayHaveRun: number; notSent: number; other: Error[]; maxGapMs: number }> {
  let issued = 0;
  let last = performance.now();
  const res = { ok: 0, mayHaveRun: 0, notSent: 0, other: [] as Error[], maxGapMs: 0 };
  const worker = async (): Promise<void> => {
    while (issued < total) {
      issued++;
      try {
        await client.sendArgv(['INCR', key]);
        res.ok++;
        const now = performance.now();
        res.maxGapMs = Math.max(res.maxGapMs, now - last);
        last = now;
        onSuccess(res.ok);
        await new Promise((r) => setTimeout(r, 8));
      } catch (err) {
        if (err instanceof ConnectionError && /not sent/.test(err.message)) res.notSent++;
        else if (err instanceof ConnectionError) res.mayHaveRun++;
        else res.other.push(err as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return res;
}

/** Every command a node runs from now on, as MONITOR lines. */
function monitor(port: number): { lines: string[]; close: () => void } {
  const lines: string[] = [];
  const s = net.connect(port, '127.0.0.1', () => s.write('MONITOR\r\n'));
  let buf = '';
  s.on('data', (d) => {
    buf += d.toString('latin1');
    const parts = buf.split('\r\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  s.on('error', () => {});
  return { lines, close: () => s.destroy() };
}

/** The test's own +switch-master subscriber: when the sentinels announced the promotion. */
async function watchSwitch(): Promise<{ at: () => number; client: RedisClient }> {
  const c = createClient({ url: `redis://127.0.0.1:${sentinelPort(1)}` });
  await c.connect();
  let at = 0;
  await c.subscribe('+switch-master', () => {
    if (at === 0) at = performance.now();
  });
  return { at: () => at, client: c };
}

describe('createSentinel', () => {
  it('skips sentinels that are down or wrong, finds the master (ROLE checked) and learns the other sentinels', async () => {
    const client = createSentinel({
      sentinels: [`redis://127.0.0.1:${deadPort}`, `redis://127.0.0.1:${plain.port}`, `redis://127.0.0.1:${sentinelPort(0)}`],
      name: group.name,
    });
    await client.connect();
    expect(client.address?.port).toBe(await group.masterPort());
    expect(client.knownSentinels[0]!.port).toBe(sentinelPort(0));
    // SENTINEL sentinels is asked right after the switch, without holding it up.
    await vi.waitFor(() => {
      const known = client.knownSentinels.map((s) => s.port);
      for (const s of group.sentinels) expect(known).toContain(s.port);
    }, { timeout: 5000 });
    // Same typed methods, pipelines, transactions and pub/sub as createClient.
    expect(await client.ping()).toBe('PONG');
    expect(await client.set('s:k', 'v')).toBe('OK');
    expect(await client.get('s:k')).toBe('v');
    expect(await client.pipeline().set('s:p', '1').incr('s:p').get('s:p').exec()).toEqual(['OK', 2, '2']);
    expect(await client.multi().incr('s:p').incr('s:p').exec()).toEqual([3, 4]);
    const sub = createSentinel({ sentinels: group.sentinelUrls, name: group.name });
    const got = new Promise<string>((resolve) => void sub.subscribe('s:ch', (m: string) => resolve(m)));
    await sub.connect();
    // The subscription is confirmed before PUBLISH can reach it.
    await new Promise((r) => setTimeout(r, 100));
    await client.sendArgv(['PUBLISH', 's:ch', 'hi']);
    expect(await got).toBe('hi');
    expect(await sub.unsubscribe('s:ch')).toBe(0);
    await sub.quit();
    await client.quit();
    await expect(client.get('s:k')).rejects.toThrow(/closed/);
  }, 60_000);

  it("role 'replica' connects to a replica; commands issued before connect() wait for it", async () => {
    const client = createSentinel({ sentinels: group.sentinelUrls, name: group.name, role: 'replica' });
    const early = client.sendArgv(['ROLE']);
    expect(((await early) as unknown[])[0]).toBe('slave');
    expect(client.address?.port).not.toBe(await group.masterPort());
    await client.quit();
  }, 60_000);

  it('SENTINEL FAILOVER during 20,000 INCR: serves again within 2 s, every promise settles, nothing goes to the old master after the switch', async () => {
    const client = createSentinel({ sentinels: group.sentinelUrls, name: group.name });
    await client.connect();
    await client.del('s:fo');
    const oldPort = client.address!.port;
    const mon = monitor(oldPort);
    const sw = await watchSwitch();
    let failover: Promise<{ oldPort: number; newPort: number }> | null = null;
    let firstAfter = 0;
    const load = await incrLoad(client, 's:fo', 20_000, 20, (ok) => {
      if (ok === 3000 && failover === null) failover = group.failover();
      if (firstAfter === 0 && sw.at() > 0 && client.address !== null && client.address.port !== oldPort) firstAfter = performance.now();
    });
    const { newPort } = await failover!;
    expect(newPort).not.toBe(oldPort);
    expect(client.address?.port).toBe(newPort);
    const counter = Number(await group.call(newPort, 'GET', 's:fo'));
    mon.close();
    await sw.client.quit();
    await client.quit();

    expect(load.ok + load.mayHaveRun + load.notSent + load.other.length).toBe(20_000);
    expect(load.other).toEqual([]);
    // Nothing ran twice. What the old master acknowledged after the replica
    // was promoted but before +switch-master (async replication: it resyncs
    // from the new master) is lost; reported, not hidden.
    expect(counter).toBeLessThanOrEqual(load.ok + load.mayHaveRun);
    const lost = Math.max(0, load.ok - counter);
    console.log(`[sentinel FAILOVER] ok=${load.ok} mayHaveRun=${load.mayHaveRun} notSent=${load.notSent} counter=${counter} lostToReplication=${lost} servedAgainAfterMs=${(firstAfter - sw.at()).toFixed(0)} longestPauseMs=${load.maxGapMs.toFixed(0)}`);
    expect(firstAfter).toBeGreaterThan(0);
    expect(firstAfter - sw.at()).toBeLessThan(2000);
    // The old node saw our QUIT, and no INCR after it, from any connection.
    const quitAt = mon.lines.findIndex((l) => /"QUIT"/i.test(l));
    expect(quitAt).toBeGreaterThan(-1);
    expect(mon.lines.slice(quitAt + 1).filter((l) => /"INCR" "s:fo"/.test(l))).toEqual([]);
  }, 120_000);

  it('kill -9 of the master during 20,000 INCR: serves again within 2 s of the promotion, every promise settles', async () => {
    const client = createSentinel({ sentinels: group.sentinelUrls, name: group.name });
    await client.connect();
    await client.del('s:k9');
    const oldPort = client.address!.port;
    const sw = await watchSwitch();
    let killed: Promise<{ oldPort: number; newPort: number }> | null = null;
    let firstAfter = 0;
    const load = await incrLoad(client, 's:k9', 20_000, 20, (ok) => {
      if (ok === 3000 && killed === null) killed = group.killMaster();
      if (firstAfter === 0 && sw.at() > 0 && client.address !== null && client.address.port !== oldPort) firstAfter = performance.now();
    });
    const { newPort } = await killed!;
    expect(client.address?.port).toBe(newPort);
    const counter = Number(await group.call(newPort, 'GET', 's:k9'));
    await sw.client.quit();
    await client.quit();

    expect(load.ok + load.mayHaveRun + load.notSent + load.other.length).toBe(20_000);
    expect(load.other).toEqual([]);
    expect(counter).toBeLessThanOrEqual(load.ok + load.mayHaveRun);
    const lost = Math.max(0, load.ok - counter);
    console.log(`[sentinel kill -9] ok=${load.ok} mayHaveRun=${load.mayHaveRun} notSent=${load.notSent} counter=${counter} lostToReplication=${lost} servedAgainAfterMs=${(firstAfter - sw.at()).toFixed(0)} longestPauseMs=${load.maxGapMs.toFixed(0)}`);
    expect(firstAfter).toBeGreaterThan(0);
    expect(firstAfter - sw.at()).toBeLessThan(2000);
  }, 120_000);
});

describe('createSentinel with passwords', () => {
  let secured: SentinelGroup;
  beforeAll(async () => {
    secured = await startSentinelGroup({ replicas: 1, sentinels: 1, password: 'data-pw', sentinelPassword: 'sentinel-pw' });
  }, 120_000);
  afterAll(async () => {
    await secured?.stop();
  });

  it('authenticates to the sentinels with sentinelPassword and to the nodes with password', async () => {
    const client = createSentinel({ sentinels: secured.sentinelUrls, name: secured.name, sentinelPassword: 'sentinel-pw', password: 'data-pw' });
    await client.connect();
    expect(client.address?.port).toBe(await secured.masterPort());
    expect(await client.incr('s:auth')).toBe(1);
    await client.quit();
  }, 60_000);

  it('a wrong sentinel password is a bounded wait that ends in a ConnectionError, never a hang', async () => {
    const client = createSentinel({ sentinels: secured.sentinelUrls, name: secured.name, sentinelPassword: 'wrong', password: 'data-pw', switchTimeout: 1500 });
    const started = performance.now();
    await expect(client.connect()).rejects.toThrow(/no master for 'mymaster' within 1500 ms .*not sent/);
    await expect(client.get('x')).rejects.toBeInstanceOf(ConnectionError);
    expect(performance.now() - started).toBeLessThan(10_000);
    await client.disconnect();
  }, 30_000);
});
