/**
 * XREAD BLOCK and XREADGROUP BLOCK, run as multi-client scenarios against
 * redis-server 7.0 and against mini-redis (as blocking.spec.ts does for the
 * list commands): the transcripts of replies must be the same bytes. A
 * scenario waits for a client to be parked by polling INFO's
 * `blocked_clients`, never by sleeping.
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

type Scenario = (open: () => Promise<RespConnection>, log: (line: string) => void) => Promise<void>;

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
  'XREAD BLOCK 0 on $ is woken by the next XADD; two readers both get it': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    log(await ctl.command('xadd', 's', '1-1', 'old', 'x'));
    send(a, 'xread', 'block', '0', 'streams', 's', '$');
    await blockedClients(ctl, 1);
    send(b, 'xread', 'count', '5', 'block', '0', 'streams', 'other', 's', '0', '1-1');
    await blockedClients(ctl, 2);
    log(await ctl.command('xadd', 's', '2-1', 'new', 'y'));
    log(`a ${await a.reply()}`);
    log(`b ${await b.reply()}`);
    await blockedClients(ctl, 0);
  },
  'XREAD BLOCK on a missing stream is served when XADD creates it (RESP3 map)': async (open, log) => {
    const [a, ctl] = [await open(), await open()];
    await a.command('hello', '3');
    send(a, 'xread', 'block', '0', 'streams', 'fresh', '0');
    await blockedClients(ctl, 1);
    log(await ctl.command('xadd', 'fresh', '5-5', 'f', 'v'));
    log(`a ${await a.reply()}`);
  },
  'an XADD with an ID not above the reader\'s leaves it blocked': async (open, log) => {
    const [a, ctl] = [await open(), await open()];
    send(a, 'xread', 'block', '0', 'streams', 's', '10-0');
    await blockedClients(ctl, 1);
    log(await ctl.command('xadd', 's', '5-0', 'f', 'early'));
    await blockedClients(ctl, 1);
    log(await ctl.command('xadd', 's', '11-0', 'f', 'late'));
    log(`a ${await a.reply()}`);
  },
  'XREAD BLOCK 100 times out with a null array': async (open, log) => {
    const [a, a3] = [await open(), await open()];
    await a3.command('hello', '3');
    send(a, 'xread', 'block', '100', 'streams', 's', '$');
    send(a3, 'xread', 'block', '100', 'streams', 's', '$');
    log(`a ${await a.reply()}`);
    log(`a3 ${await a3.reply()}`);
  },
  'XREADGROUP BLOCK > is served by XADD and the entry becomes pending': async (open, log) => {
    const [a, ctl] = [await open(), await open()];
    log(await ctl.command('xgroup', 'create', 's', 'g', '$', 'mkstream'));
    send(a, 'xreadgroup', 'group', 'g', 'alice', 'block', '0', 'streams', 's', '>');
    await blockedClients(ctl, 1);
    log(await ctl.command('xadd', 's', '3-1', 'f', 'v'));
    log(`a ${await a.reply()}`);
    log(await ctl.command('xpending', 's', 'g'));
    log(await ctl.command('xreadgroup', 'group', 'g', 'alice', 'block', '0', 'streams', 's', '0'));
  },
  'inside MULTI, XREAD BLOCK does not block': async (open, log) => {
    const [a] = [await open()];
    log(await a.command('multi'));
    log(await a.command('xread', 'block', '0', 'streams', 's', '$'));
    log(await a.command('exec'));
  },
  'BLOCK errors': async (open, log) => {
    const [a] = [await open()];
    log(await a.command('xread', 'block', 'x', 'streams', 's', '$'));
    log(await a.command('xread', 'block', '-1', 'streams', 's', '$'));
    log(await a.command('xread', 'block', '1.5', 'streams', 's', '$'));
  },
};

describe('XREAD / XREADGROUP BLOCK like redis-server', () => {
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
});
