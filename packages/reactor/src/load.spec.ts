// Real clients in bulk: many connections at once, slot reuse over many
// connect/close cycles, limits that close one connection while others carry
// on, and a client in a separate process. Every loop is bounded in count.
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { EV_READ, eventBufferWrite, type Reactor, type ReactorEvent } from './index.js';
import { connectClient, echoAccept, reactorsReleasedAfterEach, readBytes, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();

describe('many connections', () => {
  it('serves 1,000 concurrent connections', async () => {
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const loop = r.eventloop();
    const clients: net.Socket[] = [];
    for (let i = 0; i < 1000; i += 100) {
      clients.push(...(await Promise.all(Array.from({ length: 100 }, () => connectClient(port)))));
    }
    await waitFor(() => r.size === 1001, 'all accepted');
    const replies = await Promise.all(
      clients.map((c, i) => {
        const msg = `client ${i}\n`;
        const p = readBytes(c, msg.length);
        c.write(msg);
        return p.then((b) => b.toString() === msg);
      }),
    );
    expect(replies.every(Boolean)).toBe(true);
    for (const c of clients) c.destroy();
    await waitFor(() => r.size === 1, 'all closed');
    r.stopEventloop();
    await loop;
  });

  it('100,000 connect/close cycles reuse slots without leaking', async () => {
    const CYCLES = 100_000;
    const PARALLEL = 64;
    const r = make({ maxConn: 256 }); // a leak of a few hundred slots would fill it
    let maxFd = 0;
    const port = await r.createServer(0, echoAccept(r, (e) => (maxFd = Math.max(maxFd, e.fd))), {
      host: '127.0.0.1',
    });
    const loop = r.eventloop();
    let started = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (started < CYCLES) {
        const n = started++;
        const c = await connectClient(port);
        const echo = readBytes(c, 1);
        c.write('x');
        await echo;
        // Alternate a FIN (EOF path) and an RST (error path); RST also keeps
        // TIME_WAIT from piling up on the client's ephemeral ports.
        if (n % 2 === 0) c.resetAndDestroy();
        else c.end();
        done++;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    expect(done).toBe(CYCLES);
    await waitFor(() => r.size === 1, 'every slot returned');
    expect(maxFd).toBeLessThan(256);
    r.stopEventloop();
    await loop;
  }, 180_000);
});

describe('limits', () => {
  /** Server that floods every connection with 64 KiB per timer tick. */
  async function flooder(r: Reactor, errors: string[]): Promise<{ port: number; events: Set<ReactorEvent> }> {
    const events = new Set<ReactorEvent>();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const port = await r.createServer(0, (socket) => {
      const e = r.newEvent(socket, null, null, (ev, err) => {
        errors.push(err.code);
        events.delete(ev);
        r.delEvent(ev);
      });
      r.addEvent(e, EV_READ);
      events.add(e);
    }, { host: '127.0.0.1' });
    r.addTimer(1, () => {
      for (const e of events) eventBufferWrite(e, chunk);
    }, { repeat: true });
    return { port, events };
  }

  it('a client that never reads hits the hard output limit; the others carry on', async () => {
    const r = make({ output: { hard: 1024 * 1024 } });
    const errors: string[] = [];
    const { port, events } = await flooder(r, errors);
    const loop = r.eventloop();
    const slow = await connectClient(port);
    slow.pause();
    const fast = await connectClient(port);
    let received = 0;
    fast.on('data', (b: Buffer) => (received += b.length));
    await waitFor(() => errors.length === 1, 'slow client closed', 30_000);
    expect(errors).toEqual(['ERR_OUTPUT_LIMIT']);
    expect(events.size).toBe(1);
    const before = received;
    await waitFor(() => received > before + 1024 * 1024, 'fast client keeps receiving', 30_000);
    expect(r.size).toBe(2); // listener + fast
    slow.destroy();
    fast.destroy();
    r.stopEventloop();
    await loop;
  });

  it('a soft output limit held long enough closes the connection', async () => {
    const r = make({ output: { hard: 0, soft: 512 * 1024, softMs: 20 } });
    const errors: string[] = [];
    const { port } = await flooder(r, errors);
    const loop = r.eventloop();
    const slow = await connectClient(port);
    slow.pause();
    await waitFor(() => errors.length === 1, 'slow client closed', 30_000);
    expect(errors).toEqual(['ERR_OUTPUT_LIMIT']);
    slow.destroy();
    r.stopEventloop();
    await loop;
  });

  it('input over the limit closes that connection only', async () => {
    const r = make({ maxInput: 4096 });
    const errors: string[] = [];
    const port = await r.createServer(0, (socket) => {
      // readFn never consumes: e.in only grows.
      const e = r.newEvent(socket, () => {}, null, (ev, err) => {
        errors.push(err.code);
        r.delEvent(ev);
      });
      r.addEvent(e, EV_READ);
    }, { host: '127.0.0.1' });
    const loop = r.eventloop();
    const ok = await connectClient(port);
    ok.write(Buffer.alloc(1000));
    const bad = await connectClient(port);
    const badClosed = new Promise((res) => bad.once('close', res));
    bad.on('error', () => {});
    bad.write(Buffer.alloc(10_000));
    await badClosed;
    await waitFor(() => errors.length === 1, 'error reported');
    expect(errors).toEqual(['ERR_INPUT_LIMIT']);
    expect(r.size).toBe(2);
    ok.destroy();
    r.stopEventloop();
    await loop;
  });
});

describe('a client in another process', () => {
  it('pipelines to the echo server and checks every byte', async () => {
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const loop = r.eventloop();
    const script = `
      const net = require('node:net');
      const s = net.connect(${port}, '127.0.0.1');
      let want = '';
      for (let i = 0; i < 2000; i++) want += 'msg ' + i + '\\n';
      let got = '';
      s.on('connect', () => { for (const line of want.split(/(?<=\\n)/)) s.write(line); });
      s.setEncoding('utf8');
      s.on('data', (d) => { got += d; if (got.length >= want.length) { console.log(got === want ? 'ok' : 'mismatch'); s.end(); } });
      s.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });
      setTimeout(() => { console.log('timeout'); process.exit(2); }, 20000).unref();
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((res) => child.once('exit', res));
    expect(out.trim()).toBe('ok');
    expect(code).toBe(0);
    await waitFor(() => r.size === 1, 'client slot returned');
    r.stopEventloop();
    await loop;
  });
});
