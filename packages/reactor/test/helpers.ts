// Shared by the reactor's specs: reactors released after each test, a
// reactor echo server, and small node:net clients.
import * as net from 'node:net';
import { afterEach } from 'vitest';
import {
  createReactor,
  EV_READ,
  eventBufferRead,
  eventBufferWrite,
  type AcceptCallback,
  type Reactor,
  type ReactorEvent,
} from '../src/index.js';

/**
 * `createReactor` for one spec file: every reactor it made is released after
 * each test, so a failing test cannot leave sockets or timers to the next.
 */
export function reactorsReleasedAfterEach(): (opts?: Parameters<typeof createReactor>[0]) => Reactor {
  const reactors: Reactor[] = [];
  afterEach(() => {
    for (const r of reactors.splice(0)) r.release();
  });
  return (opts) => {
    const r = createReactor(opts);
    reactors.push(r);
    return r;
  };
}

/** Echoes whatever arrives; closes on EOF after flushing. */
export function echoAccept(r: Reactor, onEvent?: (e: ReactorEvent) => void): AcceptCallback {
  return (socket) => {
    const e = r.newEvent(
      socket,
      (ev) => {
        const n = eventBufferRead(ev);
        eventBufferWrite(ev, ev.in.pullup(n));
        ev.in.drain(n);
      },
      null,
      (ev) => r.delEvent(ev),
    );
    r.addEvent(e, EV_READ);
    onEvent?.(e);
  };
}

export function connectClient(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Reads from `s` until `n` bytes have arrived. */
export function readBytes(s: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (b: Buffer): void => {
      parts.push(b);
      got += b.length;
      if (got >= n) done(null);
    };
    const onEnd = (): void => done(new Error(`stream ended after ${got} of ${n} bytes`));
    const done = (err: Error | null): void => {
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', done);
      if (err) reject(err);
      else resolve(Buffer.concat(parts));
    };
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', done);
  });
}

/** Everything the peer sends until it closes. */
export function readAll(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on('data', (b: Buffer) => parts.push(b));
    s.once('end', () => resolve(Buffer.concat(parts)));
    s.once('close', () => resolve(Buffer.concat(parts)));
    s.once('error', reject);
  });
}

export async function waitFor(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
