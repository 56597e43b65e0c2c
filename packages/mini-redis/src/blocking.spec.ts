/**
 * Blocking commands that really block, run as multi-client scenarios against
 * redis-server 7.0 and against mini-redis: each scenario returns a transcript
 * of the replies its clients got, and the two transcripts must be the same
 * bytes. A scenario waits for a client to be parked by polling INFO's
 * `blocked_clients` (never by sleeping), so the order of events is the same
 * on both servers. The timeout case also checks when the reply comes, with
 * a generous upper bound.
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

type Scenario = (open: () => Promise<RespConnection>, log: (line: string) => void) => Promise<void>;

/** Resolves once the server reports `n` blocked clients (polled every 5 ms, 5 s at most). */
async function blockedClients(ctl: RespConnection, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const info = await ctl.command('info', 'clients');
    if (new RegExp(`blocked_clients:${n}\\r\\n`).test(info)) return;
    if (Date.now() > deadline) throw new Error(`blocked_clients never reached ${n}: ${info}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function send(c: RespConnection, ...argv: string[]): void {
  c.send(Buffer.from(`*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
}

const scenarios: Record<string, Scenario> = {
  'two clients blocked on one key are served in the order they blocked': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    send(a, 'blpop', 'k', '0');
    await blockedClients(ctl, 1);
    send(b, 'blpop', 'k', '0');
    await blockedClients(ctl, 2);
    log(await ctl.command('rpush', 'k', 'first', 'second', 'third'));
    log(`a ${await a.reply()}`);
    log(`b ${await b.reply()}`);
    log(await ctl.command('lrange', 'k', '0', '-1'));
    await blockedClients(ctl, 0);
  },
  'one element for two waiters: the second keeps waiting, then the next push serves it': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    send(a, 'brpop', 'k', '0');
    await blockedClients(ctl, 1);
    send(b, 'brpop', 'k', '0');
    await blockedClients(ctl, 2);
    log(await ctl.command('lpush', 'k', 'x'));
    log(`a ${await a.reply()}`);
    await blockedClients(ctl, 1);
    log(await ctl.command('lpush', 'k', 'y'));
    log(`b ${await b.reply()}`);
    log(await ctl.command('exists', 'k'));
  },
  'a client blocked on several keys is served from the one that became ready': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    send(a, 'blpop', 'k1', 'k2', 'k3', '0');
    await blockedClients(ctl, 1);
    send(b, 'blpop', 'k2', '0');
    await blockedClients(ctl, 2);
    log(await ctl.command('rpush', 'k2', 'x', 'y'));
    log(`a ${await a.reply()}`);
    log(`b ${await b.reply()}`);
  },
  'a timeout of 0.1 s answers a null array (RESP2) or null (RESP3) on time': async (open, log) => {
    const [a, a3] = [await open(), await open()];
    await a3.command('hello', '3');
    const t0 = Date.now();
    send(a, 'blpop', 'k', '0.1');
    send(a3, 'blmove', 'k', 'd', 'left', 'left', '0.1');
    log(`a ${await a.reply()}`);
    log(`a3 ${await a3.reply()}`);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(3000);
  },
  'a client killed while blocked frees its place; the element goes to nobody': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    send(a, 'blpop', 'k', '0');
    await blockedClients(ctl, 1);
    send(b, 'blpop', 'k', '0');
    await blockedClients(ctl, 2);
    a.close();
    await blockedClients(ctl, 1);
    log(await ctl.command('rpush', 'k', 'x', 'y'));
    log(`b ${await b.reply()}`);
    log(await ctl.command('lrange', 'k', '0', '-1'));
  },
  'BLMOVE between two blocked chains: one push moves the element along both': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    send(a, 'blmove', 'k1', 'k2', 'right', 'left', '0');
    await blockedClients(ctl, 1);
    send(b, 'brpoplpush', 'k2', 'k3', '0');
    await blockedClients(ctl, 2);
    log(await ctl.command('rpush', 'k1', 'v'));
    log(`a ${await a.reply()}`);
    log(`b ${await b.reply()}`);
    log(await ctl.command('exists', 'k1', 'k2'));
    log(await ctl.command('lrange', 'k3', '0', '-1'));
  },
  'BLMPOP wakes with up to COUNT elements': async (open, log) => {
    const [a, ctl] = [await open(), await open()];
    send(a, 'blmpop', '0', '2', 'x', 'y', 'right', 'count', '2');
    await blockedClients(ctl, 1);
    log(await ctl.command('rpush', 'y', '1', '2', '3'));
    log(`a ${await a.reply()}`);
    log(await ctl.command('lrange', 'y', '0', '-1'));
  },
  'BZPOPMIN, BZPOPMAX and BZMPOP wake in order when a sorted set is created': async (open, log) => {
    const [a, b, d, ctl] = [await open(), await open(), await open(), await open()];
    send(a, 'bzpopmin', 'z', '0');
    await blockedClients(ctl, 1);
    send(b, 'bzpopmax', 'z', '0');
    await blockedClients(ctl, 2);
    send(d, 'bzmpop', '0', '1', 'z', 'min', 'count', '5');
    await blockedClients(ctl, 3);
    log(await ctl.command('zadd', 'z', '1', 'one', '2', 'two', '3', 'three', '4', 'four'));
    log(`a ${await a.reply()}`);
    log(`b ${await b.reply()}`);
    log(`d ${await d.reply()}`);
    log(await ctl.command('exists', 'z'));
  },
  'a BZPOPMIN waiter is not served by a list under its key': async (open, log) => {
    const [a, ctl] = [await open(), await open()];
    await a.command('hello', '3');
    send(a, 'bzpopmin', 'k', '0');
    await blockedClients(ctl, 1);
    log(await ctl.command('rpush', 'k', 'x'));
    log(await ctl.command('del', 'k'));
    log(await ctl.command('zadd', 'k', '1.5', 'm'));
    log(`a ${await a.reply()}`);
  },
  'requests pipelined behind a blocked command wait for it': async (open, log) => {
    const [a, ctl] = [await open(), await open()];
    a.send(Buffer.from('*3\r\n$5\r\nblpop\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nping\r\n*2\r\n$4\r\necho\r\n$2\r\nhi\r\n'));
    await blockedClients(ctl, 1);
    log(await ctl.command('rpush', 'k', 'v'));
    log(`a ${await a.reply()}`);
    log(`a ${await a.reply()}`);
    log(`a ${await a.reply()}`);
  },
  'a push inside MULTI/EXEC serves the waiter after EXEC': async (open, log) => {
    const [a, ctl] = [await open(), await open()];
    send(a, 'blpop', 'k', '0');
    await blockedClients(ctl, 1);
    log(await ctl.command('multi'));
    log(await ctl.command('rpush', 'k', 'a'));
    log(await ctl.command('rpush', 'k', 'b'));
    log(await ctl.command('exec'));
    log(`a ${await a.reply()}`);
    log(await ctl.command('lrange', 'k', '0', '-1'));
  },
  'a key created by RENAME or LMOVE wakes the waiter': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    send(a, 'blpop', 'dst', '0');
    await blockedClients(ctl, 1);
    log(await ctl.command('rpush', 'src', 'x', 'y'));
    log(await ctl.command('rename', 'src', 'dst'));
    log(`a ${await a.reply()}`);
    send(b, 'brpop', 'other', '0');
    await blockedClients(ctl, 1);
    log(await ctl.command('lmove', 'dst', 'other', 'left', 'left'));
    log(`b ${await b.reply()}`);
  },
  'one pipelined write LPUSH, RPOP, LPUSH: the waiter is served after the first command, not after the batch': async (open, log) => {
    // redis-server 7.0 runs handleClientsBlockedOnKeys at the end of every
    // processCommand, so the waiter takes "a" before RPOP runs; serving once
    // per batch would give "a" to RPOP and "b" to the waiter.
    const [a, ctl] = [await open(), await open()];
    send(a, 'blpop', 'k', '0');
    await blockedClients(ctl, 1);
    const cmds = [
      ['lpush', 'k', 'a'],
      ['rpop', 'k'],
      ['lpush', 'k', 'b'],
      ['lrange', 'k', '0', '-1'],
    ];
    ctl.send(Buffer.concat(cmds.map((argv) => Buffer.from(`*${argv.length}\r\n${argv.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`))));
    for (let i = 0; i < cmds.length; i++) log(`ctl ${await ctl.reply()}`);
    log(`a ${await a.reply()}`);
  },
  'two waiters, one pipelined write of two LPUSHes and an RPOP between: each push serves one waiter in order': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    send(a, 'brpop', 'k', '0');
    await blockedClients(ctl, 1);
    send(b, 'brpop', 'k', '0');
    await blockedClients(ctl, 2);
    const cmds = [
      ['lpush', 'k', 'x', 'y'],
      ['rpop', 'k'],
      ['lpush', 'k', 'z'],
      ['rpop', 'k'],
    ];
    ctl.send(Buffer.concat(cmds.map((argv) => Buffer.from(`*${argv.length}\r\n${argv.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`))));
    for (let i = 0; i < cmds.length; i++) log(`ctl ${await ctl.reply()}`);
    log(`a ${await a.reply()}`);
    log(`b ${await b.reply()}`);
    log(await ctl.command('exists', 'k'));
  },
  'a wrong-type key created for a waiter: it keeps waiting': async (open, log) => {
    const [a, ctl] = [await open(), await open()];
    send(a, 'blpop', 'k', '0');
    await blockedClients(ctl, 1);
    log(await ctl.command('set', 'k', 'string'));
    log(await ctl.command('del', 'k'));
    await blockedClients(ctl, 1);
    log(await ctl.command('rpush', 'k', 'v'));
    log(`a ${await a.reply()}`);
  },
};

describe('blocking commands, multi-client, like redis-server 7.0', () => {
  const servers = withBothServers();

  async function transcript(port: number, scenario: Scenario): Promise<string[]> {
    const conns: RespConnection[] = [];
    const flush = await RespConnection.open(port);
    await flush.command('flushall');
    flush.close();
    const lines: string[] = [];
    try {
      await scenario(
        async () => {
          const c = await RespConnection.open(port);
          conns.push(c);
          return c;
        },
        (line) => lines.push(line),
      );
    } finally {
      for (const c of conns) c.close();
    }
    return lines;
  }

  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const expected = await transcript(servers.redis.port, scenario);
      const got = await transcript(servers.mini.port, scenario);
      expect(got).toEqual(expected);
    });
  }

  it('a client killed while blocked leaves no entry behind (mini-redis internals)', async () => {
    const a = await RespConnection.open(servers.mini.port);
    const ctl = await RespConnection.open(servers.mini.port);
    try {
      send(a, 'blpop', 'gone1', 'gone2', '0');
      await blockedClients(ctl, 1);
      a.close();
      await blockedClients(ctl, 0);
      const db = servers.mini.state.store.dbs[0];
      expect(db?.blockedOn.size).toBe(0);
      expect(servers.mini.state.blocking.count).toBe(0);
    } finally {
      ctl.close();
    }
  });
});
