// The card's promise, end to end: a TCP server on the reactor answers each
// client line by running it as a Redis command through a context attached
// to the SAME reactor — one loop, no threads, no second event system.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReactor, EV_READ, eventBufferWrite, type Reactor, type ReactorEvent } from '@reactor-ts/reactor';
import { REDIS_REPLY_ERROR, REDIS_REPLY_INTEGER, REDIS_REPLY_NIL, type RedisReply } from '@reactor-ts/resp';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { redisAttach } from './attach.js';
import { REDIS_OK } from './constants.js';
import {
  redisAsyncCommandArgv,
  redisAsyncConnect,
  redisAsyncFree,
  type RedisAsyncContext,
} from './context.js';

let srv: RedisServer;
beforeAll(async () => {
  srv = await startRedis();
});
afterAll(() => srv.stop());

function render(reply: RedisReply | null): string {
  if (reply === null) return '-ERR redis unavailable';
  if (reply.type === REDIS_REPLY_INTEGER) return String(reply.integer);
  if (reply.type === REDIS_REPLY_NIL) return '(nil)';
  if (reply.type === REDIS_REPLY_ERROR) return `-${reply.str}`;
  return reply.str ?? '';
}

/**
 * The server: each line a client sends (`INCR hits`) becomes one Redis
 * command; its reply goes back to that client as one line. Replies to one
 * client keep its order because the context's FIFO does.
 */
async function startFrontend(r: Reactor, ac: RedisAsyncContext): Promise<number> {
  const onLine = (client: ReactorEvent, line: string): void => {
    const argv = line.trim().split(/\s+/).filter((w) => w !== '');
    if (argv.length === 0) return;
    redisAsyncCommandArgv(ac, (_c, reply) => {
      if (client.alive) eventBufferWrite(client, `${render(reply)}\n`);
    }, null, argv);
  };
  return r.createServer(0, (socket) => {
    const e = r.newEvent(
      socket,
      (ev) => {
        for (let line = ev.in.readLine(); line !== null; line = ev.in.readLine()) onLine(ev, line.toString());
      },
      null,
      (ev) => r.delEvent(ev),
    );
    r.addEvent(e, EV_READ);
  }, { host: '127.0.0.1' });
}

/** A node:net client: sends `lines`, resolves with the first `lines.length` answers. */
function client(port: number, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(lines.map((l) => `${l}\r\n`).join('')));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      const answers = got.split('\n');
      if (answers.length > lines.length) {
        s.end();
        resolve(answers.slice(0, lines.length));
      }
    });
    s.on('error', reject);
  });
}

describe('a TCP server and a Redis context on one reactor', () => {
  it('answers each client line by running it through the attached context', async () => {
    const r = createReactor();
    const ac = redisAsyncConnect('127.0.0.1', srv.port);
    expect(redisAttach(r, ac)).toBe(REDIS_OK);
    const port = await startFrontend(r, ac);
    const loop = r.eventloop();
    try {
      const one = await client(port, ['DEL hits', 'INCR hits', 'INCR hits', 'GET hits', 'NOSUCH x']);
      expect(one.slice(0, 4)).toEqual([expect.stringMatching(/^[01]$/), '1', '2', '2']);
      expect(one[4]).toMatch(/^-ERR unknown command 'NOSUCH'/);
      // Several clients at once, interleaved in the same loop.
      const many = await Promise.all(
        Array.from({ length: 8 }, () => client(port, Array.from({ length: 50 }, () => 'INCR hits'))),
      );
      const values = many.flat().map(Number);
      expect(new Set(values).size).toBe(400);
      expect(Math.max(...values)).toBe(402);
      for (const answers of many) {
        const nums = answers.map(Number);
        expect(nums).toEqual([...nums].sort((a, b) => a - b));
      }
    } finally {
      redisAsyncFree(ac);
      r.stopEventloop();
      await loop;
      r.release();
    }
  });
});
