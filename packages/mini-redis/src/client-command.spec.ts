/**
 * CLIENT subcommands against redis-server 7.0: REPLY ON/OFF/SKIP, UNBLOCK,
 * KILL (filters, SKIPME, the old addr form), NO-EVICT, and the errors, as
 * transcripts compared byte for byte; CLIENT INFO / LIST by their field
 * names and order (the values are per-process: ids, ports, ages).
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

type Scenario = (open: () => Promise<RespConnection>, log: (line: string) => void) => Promise<void>;

function send(c: RespConnection, ...argv: string[]): void {
  c.send(Buffer.from(`*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
}

async function blockedClients(ctl: RespConnection, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const info = await ctl.command('info', 'clients');
    if (info.includes(`blocked_clients:${n}\r\n`)) return;
    if (Date.now() > deadline) throw new Error(`blocked_clients never reached ${n}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The id of `c`, as a string (ids differ between servers, so they are never logged). */
async function idOf(c: RespConnection): Promise<string> {
  return (await c.command('client', 'id')).slice(1, -2);
}

const scenarios: Record<string, Scenario> = {
  'CLIENT REPLY OFF, SKIP and ON': async (open, log) => {
    const a = await open();
    // Everything in one write: only the replies that are not suppressed come back.
    a.send(
      Buffer.from(
        [
          ['client', 'reply', 'off'],
          ['set', 'k', '1'],
          ['get', 'k'],
          ['client', 'reply', 'skip'],
          ['client', 'reply', 'on'],
          ['client', 'reply', 'skip'],
          ['incr', 'k'],
          ['get', 'k'],
          ['client', 'reply', 'bogus'],
          ['client', 'reply'],
        ]
          .map((argv) => `*${argv.length}\r\n${argv.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`)
          .join(''),
      ),
    );
    for (let i = 0; i < 4; i++) log(await a.reply());
  },
  'CLIENT UNBLOCK with TIMEOUT and ERROR, and on a client that is not blocked': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    const aid = await idOf(a);
    const bid = await idOf(b);
    send(a, 'blpop', 'k', '0');
    send(b, 'blmove', 'k', 'd', 'left', 'left', '0');
    await blockedClients(ctl, 2);
    log(await ctl.command('client', 'unblock', aid));
    log(`a ${await a.reply()}`);
    log(await ctl.command('client', 'unblock', bid, 'error'));
    log(`b ${await b.reply()}`);
    log(await ctl.command('client', 'unblock', aid));
    log(await ctl.command('client', 'unblock', '999999'));
    log(await ctl.command('client', 'unblock', aid, 'bogus'));
    log(await ctl.command('client', 'unblock', 'x'));
    log(await ctl.command('client', 'unblock'));
    log(`a ${await a.command('ping')}`);
  },
  'CLIENT KILL by ID, TYPE and SKIPME; the old addr form': async (open, log) => {
    const [a, b, ctl] = [await open(), await open(), await open()];
    const aid = await idOf(a);
    log(await ctl.command('client', 'kill', 'id', aid));
    await a.until(() => a.isClosed, 5000, 'a closed');
    log(`a closed ${a.isClosed}`);
    log(await ctl.command('client', 'kill', 'id', aid));
    await b.command('subscribe', 'ch');
    log(await ctl.command('client', 'kill', 'type', 'pubsub'));
    await b.until(() => b.isClosed, 5000, 'b closed');
    log(await ctl.command('client', 'kill', 'type', 'bogus'));
    log(await ctl.command('client', 'kill', 'id', '0'));
    log(await ctl.command('client', 'kill', 'id', 'x'));
    log(await ctl.command('client', 'kill', 'skipme', 'maybe'));
    log(await ctl.command('client', 'kill', 'bogus', '1'));
    log(await ctl.command('client', 'kill', 'id'));
    log(await ctl.command('client', 'kill', '1.2.3.4:5'));
    log(await ctl.command('client', 'kill', 'user', 'nobody'));
    log(await ctl.command('client', 'kill', 'type', 'normal', 'skipme', 'yes'));
    log(await ctl.command('ping'));
    log(await ctl.command('client', 'kill', 'type', 'normal', 'skipme', 'no'));
    await ctl.until(() => ctl.isClosed, 5000, 'ctl closed');
    log(`ctl closed ${ctl.isClosed}`);
  },
  'CLIENT NO-EVICT, SETNAME, GETNAME and unknown subcommands': async (open, log) => {
    const a = await open();
    for (const argv of [
      ['client', 'no-evict', 'on'],
      ['client', 'no-evict', 'off'],
      ['client', 'no-evict', 'maybe'],
      ['client', 'no-evict'],
      ['client', 'setname', 'worker-1'],
      ['client', 'getname'],
      ['client', 'setname', 'bad name'],
      ['client', 'setname', ''],
      ['client', 'getname'],
      ['client', 'info', 'x'],
      ['client', 'list', 'type', 'bogus'],
      ['client', 'list', 'id', 'x'],
      ['client', 'list', 'bogus'],
      ['client', 'list', 'id', '999999'],
      ['client', 'frobnicate'],
    ]) {
      log(await a.command(...argv));
    }
  },
};

/** The field names of a CLIENT INFO line, in order. */
function fieldNames(reply: string): string[] {
  const body = reply.slice(reply.indexOf('\r\n') + 2);
  return body
    .replace(/^txt:/, '')
    .trim()
    .split(' ')
    .map((kv) => kv.slice(0, kv.indexOf('=')));
}

describe('CLIENT like redis-server 7.0', () => {
  const servers = withBothServers();

  async function transcript(port: number, scenario: Scenario): Promise<string[]> {
    const conns: RespConnection[] = [];
    const lines: string[] = [];
    const flush = await RespConnection.open(port);
    await flush.command('flushall');
    flush.close();
    try {
      await scenario(
        async () => {
          const c = await RespConnection.open(port);
          conns.push(c);
          return c;
        },
        (l) => lines.push(l),
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

  it('CLIENT INFO and CLIENT LIST have Redis 7.0 fields in its order, with values that hold here', async () => {
    const r = await RespConnection.open(servers.redis.port);
    const m = await RespConnection.open(servers.mini.port);
    try {
      for (const c of [r, m]) {
        await c.command('client', 'setname', 'me');
        await c.command('select', '3');
      }
      const [ri, mi] = [await r.command('client', 'info'), await m.command('client', 'info')];
      expect(fieldNames(mi)).toEqual(fieldNames(ri));
      const id = (await m.command('client', 'id')).slice(1, -2);
      expect(mi).toMatch(new RegExp(`^\\$\\d+\\r\\nid=${id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${servers.mini.port} fd=\\d+ name=me age=\\d+ idle=0 flags=N db=3 sub=0 psub=0 `));
      expect(mi).toMatch(/ cmd=client\|info user=default redir=-1 resp=2\n\r\n$/);
      const list = await m.command('client', 'list');
      expect(list).toContain(`id=${id} `);
      const r3 = await RespConnection.open(servers.mini.port);
      await r3.command('hello', '3');
      expect(await r3.command('client', 'info')).toMatch(/^=\d+\r\ntxt:id=\d+ .* resp=3\n\r\n$/s);
      r3.close();
    } finally {
      r.close();
      m.close();
    }
  });
});
