// Closing: delEvent's flush-or-abort, and half-close (EOF, then a reply).
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { EV_READ, eventBufferWrite } from './index.js';
import { connectClient, reactorsReleasedAfterEach, readAll, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();

describe('delEvent', () => {
  it('flushes queued output before closing, unless asked to abort', async () => {
    const r = make();
    const received = async (abort: boolean): Promise<string> => {
      const port = await r.createServer(0, (socket) => {
        const e = r.newEvent(
          socket,
          (ev) => {
            ev.in.clear();
            eventBufferWrite(ev, 'queued reply');
            r.delEvent(ev, { abort });
          },
          null,
          null,
        );
        r.addEvent(e, EV_READ);
      }, { host: '127.0.0.1' });
      const c = await connectClient(port);
      const all = readAll(c).catch(() => Buffer.alloc(0)); // an abort may reset the connection
      c.write('x');
      return (await all).toString();
    };
    const loop = r.eventloop();
    expect(await received(false)).toBe('queued reply');
    expect(await received(true)).toBe('');
    r.stopEventloop();
    await loop;
  });
});

describe('half-close', () => {
  it('replies after the client FIN, then ends its side', async () => {
    const r = make();
    const port = await r.createServer(0, (socket) => {
      const e = r.newEvent(
        socket,
        () => {},
        null,
        (ev, err) => {
          // Client is done sending: answer with everything it sent.
          expect(err.code).toBe('EOF');
          eventBufferWrite(ev, `got ${ev.in.remove(ev.in.length).toString()}`);
          r.delEvent(ev);
        },
      );
      r.addEvent(e, EV_READ);
    }, { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const all = readAll(c);
    c.end('request body');
    expect((await all).toString()).toBe('got request body');
    r.stopEventloop();
    await loop;
  });

  it('offers the last bytes to readFn before reporting EOF', async () => {
    const r = make();
    const log: string[] = [];
    const port = await r.createServer(0, (socket) => {
      const e = r.newEvent(
        socket,
        (ev) => log.push(`read ${ev.in.remove(ev.in.length).toString()}`),
        null,
        (ev, err) => {
          log.push(err.code);
          r.delEvent(ev);
        },
      );
      r.addEvent(e, EV_READ);
    }, { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = await connectClient(port);
    c.end('last');
    await waitFor(() => log.length === 2, 'EOF');
    expect(log).toEqual(['read last', 'EOF']);
    r.stopEventloop();
    await loop;
  });
});
