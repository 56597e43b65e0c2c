// The loop: stepping, timers, batches and before-sleep, re-entrant callbacks.
import { describe, expect, it } from 'vitest';
import { EV_READ, EV_WRITE, ReactorError, eventBufferRead, eventBufferWrite, type ReactorEvent } from './index.js';
import { connectClient, echoAccept, reactorsReleasedAfterEach, readAll, readBytes, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();

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
