import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  EV_NONE,
  EV_READ,
  EV_WRITE,
  ReactorError,
  ReactorFullError,
  createReactor,
  eventBufferOut,
  eventBufferQueued,
  eventBufferRead,
  eventBufferWrite,
  type Reactor,
  type ReactorEvent,
} from './index.js';
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

describe('stepping mode', () => {
  it('eventloopOnce dispatches one batch by hand and resolves 0 on timeout', async () => {
    const r = make();
    const seen: string[] = [];
    let server: ReactorEvent | null = null;
    const port = await r.createServer(0, (socket) => {
      server = r.newEvent(socket, (e) => seen.push(e.in.remove(e.in.length).toString()), null, (e, err) => {
        seen.push(err.code);
        r.delEvent(e);
      });
      r.addEvent(server, EV_READ);
    }, { host: '127.0.0.1' });
    expect(await r.eventloopOnce(0)).toBe(0);
    const c = await connectClient(port);
    while (server === null) await r.eventloopOnce(1000); // the accept
    c.write('ping');
    while (seen.length === 0) await r.eventloopOnce(1000);
    expect(seen).toEqual(['ping']);
    c.end();
    while (seen.length < 2) await r.eventloopOnce(1000);
    expect(seen).toEqual(['ping', 'EOF']);
    expect(r.size).toBe(1); // only the listener
  });

  it('refuses a second loop while one runs', async () => {
    const r = make();
    const loop = r.eventloop();
    await expect(r.eventloopOnce(0)).rejects.toMatchObject({ code: 'ERR_LOOP_RUNNING' });
    await expect(r.eventloop()).rejects.toBeInstanceOf(ReactorError);
    r.stopEventloop();
    await loop;
  });
});

describe('article defects', () => {
  // enable_event(r, e, enable, 0) replaced the whole mask: turning write off
  // also turned read off and replies stalled.
  it('turning write interest off leaves read interest on (masks merge)', async () => {
    const r = make();
    const e = r.newEvent(null, () => {}, () => {}, null);
    r.addEvent(e, EV_READ);
    r.addEvent(e, EV_WRITE);
    expect(e.mask).toBe(EV_READ | EV_WRITE);
    r.enableEvent(e, true, false);
    expect(e.mask).toBe(EV_READ);
    r.addEvent(e, EV_READ); // idempotent
    expect(e.mask).toBe(EV_READ);
    r.enableEvent(e, false, false);
    expect(e.mask).toBe(EV_NONE);
  });

  // The default write path re-queued e.out instead of sending it and left
  // EPOLLOUT on forever.
  it('default write handler sends e.out and turns write interest off', async () => {
    const r = make();
    let server: ReactorEvent | null = null;
    const port = await r.createServer(0, (socket) => {
      server = r.newEvent(socket, null, null, null);
      server.out.add('queued by hand');
      r.addEvent(server, EV_READ | EV_WRITE);
    }, { host: '127.0.0.1' });
    const c = await connectClient(port);
    const got = readBytes(c, 'queued by hand'.length);
    const loop = r.eventloop();
    expect((await got).toString()).toBe('queued by hand');
    await waitFor(() => server !== null && server.mask === EV_READ, 'write interest off');
    expect(server!.out.length).toBe(0);
    c.destroy();
    r.stopEventloop();
    await loop;
  });

  // event_buffer_write kept using the event it had just deleted when write()
  // failed. Here a write on a dead event does nothing, and a failing socket
  // is reported once by the dispatcher.
  it('eventBufferOut + eventBufferQueued: bytes written in place go out like eventBufferWrite\'s, under the same limits', async () => {
    const r = make({ output: { hard: 64 } });
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const e = r.connect(port, '127.0.0.1');
    let got = '';
    const errors: string[] = [];
    e.readFn = (ev) => {
      got += ev.in.remove(ev.in.length).toString();
      if (got === 'in place') {
        // Over the hard limit: the same ERR_OUTPUT_LIMIT as eventBufferWrite.
        eventBufferOut(ev)!.add('x'.repeat(100));
        eventBufferQueued(ev);
      }
    };
    e.errorFn = (ev, err) => {
      errors.push(err.code);
      expect(eventBufferOut(ev)).toBeNull(); // a failed event takes no output
      r.delEvent(ev);
      r.stopEventloop();
    };
    e.writeFn = (ev) => {
      r.enableEvent(ev, true, false);
      const out = eventBufferOut(ev)!;
      const buf = out.reserve(8);
      buf.write('in place', out.reservedOffset, 'latin1');
      out.commit(8);
      eventBufferQueued(ev);
    };
    r.addEvent(e, EV_WRITE);
    await r.eventloop();
    expect(got).toBe('in place');
    expect(errors).toEqual(['ERR_OUTPUT_LIMIT']);
    expect(eventBufferOut(e)).toBeNull(); // deleted
    eventBufferQueued(e); // harmless
  });

  it('writing to a deleted or failed event is harmless', async () => {
    const r = make();
    const errors: string[] = [];
    let server: ReactorEvent | null = null;
    const port = await r.createServer(0, (socket) => {
      server = r.newEvent(socket, null, null, (e, err) => {
        errors.push(err.code);
        eventBufferWrite(e, 'after error'); // must not throw or resurrect
        r.delEvent(e);
        r.delEvent(e); // idempotent
        eventBufferWrite(e, 'after delete');
      });
      r.addEvent(server, EV_READ);
    }, { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = await connectClient(port);
    await waitFor(() => server !== null, 'accept');
    c.resetAndDestroy();
    await waitFor(() => errors.length > 0, 'error reported');
    expect(server!.alive).toBe(false);
    expect(r.size).toBe(1);
    r.stopEventloop();
    await loop;
    expect(errors.length).toBe(1);
  });

  it('delEvent frees the slot at once, and the slot is reused by the next event', () => {
    const r = make({ maxConn: 2 });
    const a = r.newEvent(null, null, null, null);
    const b = r.newEvent(null, null, null, null);
    expect(() => r.newEvent(null, null, null, null)).toThrow(ReactorFullError);
    r.delEvent(a);
    const c = r.newEvent(null, null, null, null);
    expect(c.fd).toBe(a.fd);
    expect(c).not.toBe(a);
    expect(a.alive).toBe(false);
    expect([b.fd, c.fd].sort()).toEqual([0, 1]);
  });
});

describe('re-entrancy', () => {
  it('delEvent, stopEventloop and release are safe inside callbacks', async () => {
    const r = make();
    const port = await r.createServer(0, (socket) => {
      const e = r.newEvent(socket, (ev) => {
        eventBufferWrite(ev, 'bye');
        r.delEvent(ev); // the queued reply still goes out
        r.stopEventloop();
      }, null, null);
      r.addEvent(e, EV_READ | EV_WRITE);
    }, { host: '127.0.0.1' });
    const c = await connectClient(port);
    const all = readAll(c);
    c.write('x');
    await r.eventloop();
    expect((await all).toString()).toBe('bye');

    const t = r.addTimer(1, () => r.release());
    expect(t).toBeGreaterThan(0);
    await r.eventloop(); // release() settles it
    expect(r.size).toBe(0);
  });

  it('release closes sockets, frees slots, cancels timers', async () => {
    const r = make();
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = await connectClient(port);
    const closed = new Promise((res) => c.once('close', res));
    await waitFor(() => r.size === 2, 'accept');
    let fired = false;
    r.addTimer(50, () => (fired = true));
    const gone = r.addTimer(60, () => (fired = true));
    expect(r.timerCount).toBe(2);
    r.delTimer(gone);
    expect(r.timerCount).toBe(1);
    r.release();
    await loop;
    await closed;
    expect(r.size).toBe(0);
    expect(r.timerCount).toBe(0);
    await new Promise((res) => setTimeout(res, 80));
    expect(fired).toBe(false);
  });
});

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

describe('busy polling', () => {
  /** A reactor echo server and a reactor client on it; `turns` counts the client reactor's turns (before-sleep runs once per turn). */
  async function echoPair(busyPollMicros: number) {
    const srv = make();
    const port = await srv.createServer(0, echoAccept(srv), { host: '127.0.0.1' });
    const srvLoop = srv.eventloop();
    const r = make({ busyPollMicros });
    const stats = { turns: 0 };
    r.setBeforeSleep(() => void stats.turns++);
    const e = r.connect(port, '127.0.0.1');
    const replies: string[] = [];
    e.readFn = (ev) => void replies.push(ev.in.remove(ev.in.length).toString());
    r.addEvent(e, EV_READ);
    const loop = r.eventloop();
    const stop = async (): Promise<void> => {
      r.stopEventloop();
      srv.stopEventloop();
      await Promise.all([loop, srvLoop]);
    };
    return { r, e, replies, stats, stop };
  }

  it('validates the window and can change it later', () => {
    expect(() => make({ busyPollMicros: -1 })).toThrow(RangeError);
    const r = make({ busyPollMicros: 30 });
    expect(r.busyPollMicros).toBe(30);
    r.setBusyPoll(0);
    expect(r.busyPollMicros).toBe(0);
    expect(() => r.setBusyPoll(Number.NaN)).toThrow(RangeError);
  });

  it('after a write, keeps turning (polling) through the window, then stops by itself', async () => {
    // A 50 ms window: wide enough that several turns run in it even on a loaded machine.
    const { e, replies, stats, stop } = await echoPair(50_000);
    await waitFor(() => e.connected, 'connected');
    const before = stats.turns;
    eventBufferWrite(e, 'ping');
    await waitFor(() => replies.join('') === 'ping', 'echo');
    await new Promise((res) => setTimeout(res, 200));
    const afterWindow = stats.turns;
    // Spun: more turns than the one write and the one reply need.
    expect(afterWindow - before).toBeGreaterThan(5);
    // The window closed: idle again, no more turns.
    await new Promise((res) => setTimeout(res, 100));
    expect(stats.turns).toBe(afterWindow);
    await stop();
  });

  it('off (the default): an idle client reactor does not turn', async () => {
    const { e, replies, stats, stop } = await echoPair(0);
    await waitFor(() => e.connected, 'connected');
    const before = stats.turns;
    eventBufferWrite(e, 'ping');
    await waitFor(() => replies.join('') === 'ping', 'echo');
    await new Promise((res) => setTimeout(res, 100));
    // The flush runs outside a turn; the reply costs one or two turns.
    expect(stats.turns - before).toBeLessThanOrEqual(3);
    await stop();
  });

  it('round trips stay correct and in order while spinning', async () => {
    const { e, replies, stop } = await echoPair(50);
    await waitFor(() => e.connected, 'connected');
    for (let i = 0; i < 200; i++) {
      eventBufferWrite(e, `${i};`);
      await waitFor(() => replies.join('').endsWith(`${i};`), `echo ${i}`);
    }
    expect(replies.join('')).toBe(Array.from({ length: 200 }, (_, i) => `${i};`).join(''));
    await stop();
  });
});

describe('timers on the reactor', () => {
  it('fire in expiry order, ties in insertion order, deletions respected', async () => {
    const r = make();
    const log: string[] = [];
    let doomed = 0;
    r.addTimer(30, () => {
      log.push('30');
      r.stopEventloop();
    });
    r.addTimer(10, () => {
      log.push('10a');
      r.delTimer(doomed);
    });
    doomed = r.addTimer(10, () => log.push('10b'));
    r.addTimer(10, () => log.push('10c'));
    r.addTimer(0, () => log.push('0'));
    await r.eventloop();
    expect(log).toEqual(['0', '10a', '10c', '30']);
  });

  it('repeating timers repeat until deleted; eventloopOnce counts them', async () => {
    const r = make();
    let n = 0;
    const id = r.addTimer(1, () => n++, { repeat: true });
    while (n < 3) expect(await r.eventloopOnce(1000)).toBeGreaterThan(0);
    expect(r.delTimer(id)).toBe(true);
    expect(await r.eventloopOnce(20)).toBe(0);
    expect(n).toBe(3);
  });

  it('a callback that throws rejects the loop promise', async () => {
    const r = make();
    r.addTimer(0, () => {
      throw new Error('boom');
    });
    await expect(r.eventloop()).rejects.toThrow('boom');
    expect(r.running).toBe(false);
  });
});

describe('batches and before-sleep', () => {
  it('dispatches at most maxEventNum per batch; before-sleep runs after each', async () => {
    const r = make({ maxEventNum: 2 });
    const port = await r.createServer(0, echoAccept(r), { host: '127.0.0.1' });
    const clients = await Promise.all([0, 1, 2, 3, 4].map(() => connectClient(port)));
    const loop = r.eventloop();
    await waitFor(() => r.size === 6, 'accepted');
    r.stopEventloop();
    await loop;
    // All five write before the reactor steps, so all five are fired at once.
    const echoes = clients.map((c) => readBytes(c, 1));
    for (const c of clients) c.write('x');
    await new Promise((res) => setTimeout(res, 50));
    const batches: number[] = [];
    r.setBeforeSleep(() => batches.push(1));
    const counts: number[] = [];
    while (counts.reduce((a, b) => a + b, 0) < 5) counts.push(await r.eventloopOnce(1000));
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    expect(batches.length).toBe(counts.length);
    await Promise.all(echoes);
    for (const c of clients) c.destroy();
  });

  it('read interest off pauses the socket; on again delivers what waited', async () => {
    const r = make();
    let server: ReactorEvent | null = null;
    const got: string[] = [];
    const port = await r.createServer(0, (socket) => {
      server = r.newEvent(socket, (e) => got.push(e.in.remove(e.in.length).toString()), null, null);
      // read interest stays off
    }, { host: '127.0.0.1' });
    const loop = r.eventloop();
    const c = await connectClient(port);
    await waitFor(() => server !== null, 'accept');
    c.write('waiting');
    await new Promise((res) => setTimeout(res, 50));
    expect(got).toEqual([]);
    r.addEvent(server!, EV_READ);
    await waitFor(() => got.length > 0, 'data');
    expect(got.join('')).toBe('waiting');
    expect(eventBufferRead(server!)).toBe(0);
    c.destroy();
    r.stopEventloop();
    await loop;
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
