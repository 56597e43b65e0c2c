// Outbound connections: connect, its reads (net's onread path), unix sockets.
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { EV_READ, EV_WRITE, ReactorError, createReactor, eventBufferWrite } from './index.js';
import { echoAccept, reactorsReleasedAfterEach, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();

describe('outbound connect', () => {
  it('signals EV_WRITE once connected, then reads replies', async () => {
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const e = r.connect(port, '127.0.0.1');
    expect(e.connected).toBe(false);
    const log: string[] = [];
    e.writeFn = (ev) => {
      log.push(`writable connected=${ev.connected}`);
      eventBufferWrite(ev, 'hi');
      r.enableEvent(ev, true, false);
    };
    e.readFn = (ev) => {
      if (ev.in.length < 2) return;
      log.push(`read ${ev.in.remove(2).toString()}`);
      r.delEvent(ev);
      r.stopEventloop();
    };
    r.addEvent(e, EV_WRITE);
    await r.eventloop();
    expect(log).toEqual(['writable connected=true', 'read hi']);
  });

  it('reports a refused connection with Node code', async () => {
    const r = make();
    const probe = net.createServer();
    await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((res) => probe.close(res));
    const e = r.connect(port, '127.0.0.1');
    let code = '';
    e.errorFn = (ev, err) => {
      code = err.code;
      r.delEvent(ev);
      r.stopEventloop();
    };
    r.addEvent(e, EV_READ | EV_WRITE);
    await r.eventloop();
    expect(code).toBe('ECONNREFUSED');
    expect(r.size).toBe(0);
  });

  it('level-triggered EV_WRITE fires every batch while on', async () => {
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const e = r.connect(port, '127.0.0.1');
    let n = 0;
    e.writeFn = (ev) => {
      if (++n === 5) {
        r.enableEvent(ev, false, false);
        r.stopEventloop();
      }
    };
    r.addEvent(e, EV_WRITE);
    await r.eventloop();
    expect(n).toBe(5);
  });
});

/**
 * Outbound connections read through one shared buffer (net's onread option,
 * see node-io.ts): bytes must be copied out per read, backpressure must still
 * hold while read interest is off, and EOF and the input limit must behave as
 * on accepted sockets.
 */
describe('outbound reads', () => {
  /** A node:net server that sends each client `payload(i)` (i = accept order), then ends. */
  async function sender(payload: (i: number) => Buffer): Promise<{ port: number; sockets: net.Socket[]; close(): Promise<void> }> {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      s.on('error', () => {});
      sockets.push(s);
      s.end(payload(sockets.length - 1));
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    return {
      port: (server.address() as net.AddressInfo).port,
      sockets,
      close: () => new Promise((res) => server.close(() => res())),
    };
  }

  it('two connections reading at once each get their own bytes, intact', async () => {
    const { randomBytes } = await import('node:crypto');
    const payloads = [randomBytes(3 << 20), randomBytes(3 << 20)];
    const srv = await sender((i) => payloads[i]!);
    const r = make({ maxInput: 8 << 20 });
    const got: Buffer[][] = [[], []];
    let ended = 0;
    for (let i = 0; i < 2; i++) {
      const e = r.connect(srv.port, '127.0.0.1');
      e.readFn = (ev) => got[i]!.push(ev.in.remove(ev.in.length));
      e.errorFn = (ev, err) => {
        expect(err.code).toBe('EOF');
        r.delEvent(ev);
        if (++ended === 2) r.stopEventloop();
      };
      r.addEvent(e, EV_READ);
    }
    await r.eventloop();
    // Interleaved 64 KiB reads through one buffer: a missing copy would mix them.
    expect(Buffer.concat(got[0]!).equals(payloads[0]!)).toBe(true);
    expect(Buffer.concat(got[1]!).equals(payloads[1]!)).toBe(true);
    await srv.close();
  });

  it('small reads (below the size that gets a Buffer of its own) are copied out too', async () => {
    const { randomBytes } = await import('node:crypto');
    const pieces = [0, 1].map(() => Array.from({ length: 300 }, () => randomBytes(3000)));
    const sockets: net.Socket[] = [];
    // Each client gets its pieces one per turn of the loop, so most reads are one piece.
    const server = net.createServer((s) => {
      const mine = pieces[sockets.length]!;
      sockets.push(s);
      s.on('error', () => {});
      let k = 0;
      const next = (): void => {
        if (k === mine.length) s.end();
        else {
          s.write(mine[k++]!);
          setImmediate(next);
        }
      };
      next();
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as net.AddressInfo).port;
    const r = make();
    const got: Buffer[][] = [[], []];
    let ended = 0;
    for (let i = 0; i < 2; i++) {
      const e = r.connect(port, '127.0.0.1');
      e.readFn = (ev) => got[i]!.push(ev.in.remove(ev.in.length));
      e.errorFn = (ev) => {
        r.delEvent(ev);
        if (++ended === 2) r.stopEventloop();
      };
      r.addEvent(e, EV_READ);
      // Connect one after the other, so the accept order matches i.
      await waitFor(() => sockets.length === i + 1, 'accept');
    }
    await r.eventloop();
    expect(Buffer.concat(got[0]!).equals(Buffer.concat(pieces[0]!))).toBe(true);
    expect(Buffer.concat(got[1]!).equals(Buffer.concat(pieces[1]!))).toBe(true);
    await new Promise((res) => server.close(() => res(undefined)));
  });

  it('read interest off stops reading (the sender backs up); on again delivers everything', async () => {
    const payload = Buffer.alloc(8 << 20, 0x61);
    const srv = await sender(() => payload);
    const r = make({ maxInput: 16 << 20 });
    const e = r.connect(srv.port, '127.0.0.1');
    let got = 0;
    let eof = false;
    e.readFn = (ev) => {
      got += ev.in.length;
      ev.in.drain(ev.in.length);
    };
    e.errorFn = (ev, err) => {
      eof = err.code === 'EOF';
      r.delEvent(ev);
    };
    const loop = r.eventloop();
    // Never enabled: nothing may be read, so the sender's kernel buffers fill
    // and the rest waits in its socket.
    await waitFor(() => srv.sockets.length === 1, 'accept');
    await waitFor(() => srv.sockets[0]!.writableLength > 0, 'sender backs up');
    await new Promise((res) => setTimeout(res, 50));
    expect(got).toBe(0);
    expect(srv.sockets[0]!.writableLength).toBeGreaterThan(0);
    r.addEvent(e, EV_READ);
    await waitFor(() => eof, 'all bytes and EOF', 20_000);
    expect(got).toBe(payload.length);
    r.stopEventloop();
    await loop;
    await srv.close();
  });

  it('input over the limit closes the outbound connection with ERR_INPUT_LIMIT', async () => {
    const srv = await sender(() => Buffer.alloc(100_000));
    const r = make({ maxInput: 4096 });
    const e = r.connect(srv.port, '127.0.0.1');
    let code = '';
    e.readFn = () => {}; // never consumes: e.in only grows
    e.errorFn = (ev, err) => {
      code = err.code;
      r.delEvent(ev);
      r.stopEventloop();
    };
    r.addEvent(e, EV_READ);
    await r.eventloop();
    expect(code).toBe('ERR_INPUT_LIMIT');
    expect(r.size).toBe(0);
    await srv.close();
  });
});

describe('unix sockets and bad arguments', () => {
  it('connectPath talks to a unix-socket server', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = `${mkdtempSync(`${tmpdir()}/reactor-`)}/echo.sock`;
    const server = net.createServer((s) => s.pipe(s));
    await new Promise<void>((res) => server.listen(path, res));
    const r = make();
    const e = r.connectPath(path);
    let got = '';
    e.writeFn = (ev) => {
      eventBufferWrite(ev, 'over unix');
      r.enableEvent(ev, true, false);
    };
    e.readFn = (ev) => {
      got += ev.in.remove(ev.in.length).toString();
      if (got.length >= 9) {
        r.delEvent(ev);
        r.stopEventloop();
      }
    };
    r.addEvent(e, EV_WRITE);
    await r.eventloop();
    expect(got).toBe('over unix');
    await new Promise((res) => server.close(res));
  });

  it('refuses a net.Server in newEvent and a foreign event', () => {
    const r = make();
    const other = make();
    expect(() => r.newEvent(net.createServer(), null, null, null)).toThrow(ReactorError);
    const e = other.newEvent(null, null, null, null);
    expect(() => r.addEvent(e, EV_READ)).toThrow(/does not belong/);
    expect(() => createReactor({ maxConn: 0 })).toThrow(RangeError);
  });
});
