// Edge cases of error reporting and socket ownership, and a large transfer through backpressure.
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { EV_READ, EV_WRITE, type ReactorEvent } from './index.js';
import { connectClient, echoAccept, reactorsReleasedAfterEach, readBytes, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();

describe('edge cases', () => {
  it('reports a socket error once even if the handler keeps the event', async () => {
    const r = make();
    let server: ReactorEvent | null = null;
    const codes: string[] = [];
    const port = await r.createServer(0, (socket) => {
      server = r.newEvent(socket, null, () => {}, (_e, err) => codes.push(err.code));
      r.addEvent(server, EV_READ | EV_WRITE);
    }, { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = await connectClient(port);
    await waitFor(() => server !== null, 'accept');
    c.resetAndDestroy();
    await waitFor(() => codes.length > 0, 'error');
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
    expect(codes).toEqual(['ECONNRESET']);
    r.stopEventloop();
    await loop;
  });

  it('a listener deleted inside acceptFn keeps the client it already accepted', async () => {
    const r = make();
    let listenerGone = false;
    const port = await r.createServer(0, (socket, listener) => {
      const accept = echoAccept(r);
      accept(socket, listener);
      r.delEvent(listener);
      listenerGone = true;
    }, { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = await connectClient(port);
    await waitFor(() => listenerGone, 'accept');
    const echo = readBytes(c, 5);
    c.write('still');
    expect((await echo).toString()).toBe('still');
    expect(r.size).toBe(1);
    c.destroy();
    r.stopEventloop();
    await loop;
  });

  it('refuses to wrap a socket twice and reports an already-closed socket', async () => {
    const r = make();
    const s = new net.Socket();
    s.destroy();
    let code = '';
    const e = r.newEvent(s, null, null, (ev, err) => {
      code = err.code;
      r.delEvent(ev);
    });
    expect(() => r.newEvent(s, null, null, null)).toThrow(/already belongs/);
    r.addEvent(e, EV_READ);
    expect(await r.eventloopOnce(1000)).toBe(1);
    expect(code).toBe('ERR_SOCKET_CLOSED');
    expect(r.size).toBe(0);
  });
});

describe('large transfers', () => {
  it('echoes 4 MiB of random bytes intact through backpressure', async () => {
    const { randomBytes } = await import('node:crypto');
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = await connectClient(port);
    const payload = randomBytes(4 * 1024 * 1024);
    const back = readBytes(c, payload.length);
    for (let off = 0; off < payload.length; off += 100_000) c.write(payload.subarray(off, off + 100_000));
    const got = await back;
    expect(got.length).toBe(payload.length);
    expect(got.equals(payload)).toBe(true);
    c.destroy();
    r.stopEventloop();
    await loop;
  });
});
