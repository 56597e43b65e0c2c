// Regression tests for the article's C defects (see the README's defects table).
import { describe, expect, it } from 'vitest';
import {
  EV_NONE,
  EV_READ,
  EV_WRITE,
  ReactorFullError,
  eventBufferOut,
  eventBufferQueued,
  eventBufferWrite,
  type ReactorEvent,
} from './index.js';
import { connectClient, echoAccept, reactorsReleasedAfterEach, readBytes, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();

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
