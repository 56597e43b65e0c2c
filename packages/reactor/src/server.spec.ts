// The server side: createServer, listenerFor, accepting, maxclients.
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectClient, echoAccept, reactorsReleasedAfterEach, readAll, readBytes, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();

describe('echo server', () => {
  it('echoes bytes from many messages and clients', async () => {
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const loop = r.eventloop();
    const clients = await Promise.all([1, 2, 3].map(() => connectClient(port)));
    const replies = clients.map((c, i) => {
      const msg = Buffer.from(`hello ${i} `.repeat(1000));
      const p = readBytes(c, msg.length);
      c.write(msg.subarray(0, 100));
      c.write(msg.subarray(100));
      return p.then((b) => expect(b.equals(msg)).toBe(true));
    });
    await Promise.all(replies);
    for (const c of clients) c.destroy();
    r.stopEventloop();
    await loop;
  });

  it('listenerFor finds the listening event; delEvent on it stops listening', async () => {
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const listener = r.listenerFor(port);
    expect(listener).not.toBeNull();
    expect(listener!.socket).toBeInstanceOf(net.Server);
    r.delEvent(listener!);
    expect(r.listenerFor(port)).toBeNull();
    expect(r.size).toBe(0);
    await expect(connectClient(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('createServer rejects with the Node code when the port is taken', async () => {
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    expect(r.size).toBe(1);
    await expect(r.createServer(port, echoAccept(r), { host: '127.0.0.1' })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    expect(r.size).toBe(1);
  });
});

describe('maxConn', () => {
  it('answers the extra client with the message and closes it', async () => {
    const r = make({ maxConn: 3 }); // listener + 2 clients
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const loop = r.eventloop();
    const a = await connectClient(port);
    const b = await connectClient(port);
    await waitFor(() => r.size === 3, 'two accepted');
    const c = await connectClient(port);
    expect((await readAll(c)).toString()).toBe('-ERR max number of clients reached\r\n');
    // The others carry on.
    const echo = readBytes(a, 2);
    a.write('ok');
    expect((await echo).toString()).toBe('ok');
    b.destroy();
    await waitFor(() => r.size === 2, 'slot freed');
    const d = await connectClient(port);
    const echo2 = readBytes(d, 3);
    d.write('yes');
    expect((await echo2).toString()).toBe('yes');
    a.destroy();
    d.destroy();
    r.stopEventloop();
    await loop;
  });

  it('uses a configured message', async () => {
    const r = make({ maxConn: 1, fullMessage: 'busy\n' });
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = await connectClient(port);
    expect((await readAll(c)).toString()).toBe('busy\n');
    r.stopEventloop();
    await loop;
  });
});
