// TLS on the reactor (node:tls): the same event model as TCP, after the
// handshake; failed handshakes as error events naming the cause. Real
// certificates from makeTlsCerts (the openssl CLI), real sockets on loopback.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTlsCerts, type TlsCerts } from '@reactor-ts/test-utils';
import {
  EV_READ,
  EV_WRITE,
  TlsError,
  eventBufferRead,
  eventBufferWrite,
  type ClientTlsOptions,
  type Reactor,
  type ReactorError,
  type ReactorEvent,
  type ServerTlsOptions,
} from './index.js';
import { echoAccept, reactorsReleasedAfterEach, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();
let certs: TlsCerts;

beforeAll(() => {
  certs = makeTlsCerts();
});
afterAll(() => certs?.remove());

const serverTls = (over: Partial<ServerTlsOptions> = {}): ServerTlsOptions => ({
  key: certs.server.key,
  cert: certs.server.cert,
  ...over,
});

/** A reactor TLS echo server, its loop running. */
async function tlsEchoServer(over: Partial<ServerTlsOptions> = {}, onEvent?: (e: ReactorEvent) => void) {
  const srv = make();
  const port = await srv.createServer(0, echoAccept(srv, onEvent), { host: '127.0.0.1', tls: serverTls(over) });
  const loop = srv.eventloop();
  return { srv, port, loop };
}

/** A reactor TLS client: what it read, the error it got, and when it became writable. */
function tlsClient(r: Reactor, port: number, opts: ClientTlsOptions, host = '127.0.0.1') {
  const state = { got: '', error: null as ReactorError | null, writable: 0, eof: false };
  const e = r.connect(port, host, { tls: opts });
  e.readFn = (ev) => {
    state.got += ev.in.remove(eventBufferRead(ev)).toString();
  };
  e.writeFn = (ev) => {
    state.writable++;
    r.enableEvent(ev, true, false);
  };
  e.errorFn = (ev, err) => {
    if (err.code === 'EOF') state.eof = true;
    else state.error = err;
    r.delEvent(ev);
  };
  r.addEvent(e, EV_READ | EV_WRITE);
  return { e, state };
}

describe('TLS server and client on the reactor', () => {
  it('echoes over TLS; EV_WRITE comes after the handshake and output queued before it goes out after', async () => {
    const { port } = await tlsEchoServer();
    const r = make();
    const { e, state } = tlsClient(r, port, { ca: certs.ca.cert });
    // Queued before the handshake: held in e.out, not handed to an unverified peer.
    eventBufferWrite(e, 'early ');
    expect(e.connected).toBe(false);
    const loop = r.eventloop();
    await waitFor(() => state.writable > 0, 'EV_WRITE after the handshake');
    expect(e.connected).toBe(true);
    expect((e.socket as tls.TLSSocket).authorized).toBe(true);
    eventBufferWrite(e, 'late');
    await waitFor(() => state.got === 'early late', 'the echo');
    expect(state.error).toBeNull();
    r.stopEventloop();
    await loop;
  });

  it('serves node:tls clients; many clients, many messages, bytes intact', async () => {
    const { port } = await tlsEchoServer();
    const one = (i: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const msg = `client ${i} `.repeat(2000);
        const s = tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert }, () => {
          for (let k = 0; k < 4; k++) s.write(msg.slice((k * msg.length) / 4, ((k + 1) * msg.length) / 4));
        });
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d.toString();
          if (got.length >= msg.length) {
            s.end();
            resolve(got === msg ? 'ok' : `mismatch for ${i}`);
          }
        });
        s.once('error', reject);
      });
    expect(await Promise.all([0, 1, 2, 3, 4].map(one))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('coalesces the writes of one turn into one socket write (one TLS record batch)', async () => {
    let server: ReactorEvent | null = null;
    const srv = make();
    const port = await srv.createServer(
      0,
      (socket) => {
        const e = srv.newEvent(
          socket,
          (ev) => {
            ev.in.drain(eventBufferRead(ev));
            for (let i = 0; i < 16; i++) eventBufferWrite(ev, `reply ${i}\n`);
          },
          null,
          (ev) => srv.delEvent(ev),
        );
        server = e;
        srv.addEvent(e, EV_READ);
      },
      { host: '127.0.0.1', tls: serverTls() },
    );
    const srvLoop = srv.eventloop();
    const s = tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert });
    await new Promise<void>((res) => s.once('secureConnect', () => res()));
    await waitFor(() => server !== null, 'the accept');
    const socket = server!.socket as tls.TLSSocket;
    let writes = 0;
    const write = socket.write.bind(socket) as (chunk: Uint8Array) => boolean;
    (socket as { write: (chunk: Uint8Array) => boolean }).write = (chunk) => {
      writes++;
      return write(chunk);
    };
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.write('go');
    const expected = Array.from({ length: 16 }, (_, i) => `reply ${i}\n`).join('');
    await waitFor(() => got === expected, 'sixteen replies');
    expect(writes).toBe(1);
    s.destroy();
    srv.stopEventloop();
    await srvLoop;
  });

  it('half-close: the client ends its side, the server still replies, then closes', async () => {
    const srv = make();
    const port = await srv.createServer(
      0,
      (socket) => {
        let seen = '';
        const e = srv.newEvent(
          socket,
          (ev) => void (seen += ev.in.remove(eventBufferRead(ev)).toString()),
          null,
          (ev, err) => {
            if (err.code === 'EOF') eventBufferWrite(ev, `after FIN: ${seen}`);
            srv.delEvent(ev);
          },
        );
        srv.addEvent(e, EV_READ);
      },
      { host: '127.0.0.1', tls: serverTls() },
    );
    const srvLoop = srv.eventloop();
    const reply = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert, allowHalfOpen: true } as tls.ConnectionOptions, () => {
        s.end('question');
      });
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.once('end', () => resolve(got));
      s.once('error', reject);
    });
    expect(reply).toBe('after FIN: question');
    srv.stopEventloop();
    await srvLoop;
  });

  it('delEvent flushes 1 MiB queued over TLS before closing', async () => {
    const payload = Buffer.alloc(1024 * 1024, 'x');
    const srv = make();
    const port = await srv.createServer(
      0,
      (socket) => {
        const e = srv.newEvent(socket, null, null, (ev) => srv.delEvent(ev));
        eventBufferWrite(e, payload);
        srv.delEvent(e);
      },
      { host: '127.0.0.1', tls: serverTls() },
    );
    const srvLoop = srv.eventloop();
    const n = await new Promise<number>((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert });
      let got = 0;
      s.on('data', (d: Buffer) => (got += d.length));
      s.once('close', () => resolve(got));
      s.once('error', reject);
    });
    expect(n).toBe(payload.length);
    srv.stopEventloop();
    await srvLoop;
  });

  it('output limits apply: a client that never reads is dropped with ERR_OUTPUT_LIMIT', async () => {
    const srv = make({ output: { hard: 256 * 1024 } });
    const errors: string[] = [];
    const port = await srv.createServer(
      0,
      (socket) => {
        const e = srv.newEvent(
          socket,
          (ev) => {
            ev.in.drain(eventBufferRead(ev));
            // Far more than the peer reads: the TLS socket backs up, e.out grows.
            for (let i = 0; i < 64; i++) eventBufferWrite(ev, Buffer.alloc(64 * 1024, 'y'));
          },
          null,
          (ev, err) => {
            errors.push(err.code);
            srv.delEvent(ev);
          },
        );
        srv.addEvent(e, EV_READ);
      },
      { host: '127.0.0.1', tls: serverTls() },
    );
    const srvLoop = srv.eventloop();
    const s = tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert }, () => {
      s.pause();
      s.write('flood me');
    });
    s.on('error', () => {});
    await waitFor(() => errors.length > 0, 'the limit');
    expect(errors).toEqual(['ERR_OUTPUT_LIMIT']);
    await waitFor(() => srv.size === 1, 'the slot freed (only the listener left)');
    s.destroy();
    srv.stopEventloop();
    await srvLoop;
  });

  it('maxConn: the extra TLS client gets the maxclients answer over TLS', async () => {
    const srv = make({ maxConn: 2 }); // the listener and one client
    const port = await srv.createServer(0, echoAccept(srv), { host: '127.0.0.1', tls: serverTls() });
    const srvLoop = srv.eventloop();
    const first = tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert });
    first.on('error', () => {});
    await new Promise<void>((res) => first.once('secureConnect', () => res()));
    await waitFor(() => srv.size === 2, 'the first client accepted');
    const answer = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert });
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.once('close', () => resolve(got));
      s.once('error', reject);
    });
    expect(answer).toBe('-ERR max number of clients reached\r\n');
    first.destroy();
    srv.stopEventloop();
    await srvLoop;
  });
});

describe('TLS options', () => {
  it('a shared secureContext (made once) verifies like ca; ALPN and minVersion reach node:tls', async () => {
    let negotiated: string | false | null = null;
    const { port } = await tlsEchoServer({ ALPNProtocols: ['resp3', 'resp2'], minVersion: 'TLSv1.3' }, (e) => {
      negotiated = (e.socket as tls.TLSSocket).alpnProtocol ?? null;
    });
    const r = make();
    const ctx = tls.createSecureContext({ ca: certs.ca.cert });
    const { e, state } = tlsClient(r, port, { secureContext: ctx, ALPNProtocols: ['resp2'], minVersion: 'TLSv1.3' });
    const loop = r.eventloop();
    eventBufferWrite(e, 'ctx');
    await waitFor(() => state.got === 'ctx', 'the echo');
    expect(negotiated).toBe('resp2');
    expect((e.socket as tls.TLSSocket).getProtocol()).toBe('TLSv1.3');
    r.stopEventloop();
    await loop;
  });

  it('a client held to TLS 1.2 at most is refused by a TLS 1.3-only server, with the reason', async () => {
    const { port } = await tlsEchoServer({ minVersion: 'TLSv1.3' });
    const r = make();
    const { state } = tlsClient(r, port, { ca: certs.ca.cert, maxVersion: 'TLSv1.2' });
    const loop = r.eventloop();
    await waitFor(() => state.error !== null, 'the refusal');
    expect(state.error).toBeInstanceOf(TlsError);
    expect((state.error as TlsError).reason).toBe('peer-refused');
    expect(r.size).toBe(0);
    r.stopEventloop();
    await loop;
  });

  it('the input limit applies to decrypted bytes: over it, ERR_INPUT_LIMIT and the slot is freed', async () => {
    const srv = make({ maxInput: 4096 });
    const errors: string[] = [];
    const port = await srv.createServer(
      0,
      (socket) => {
        // No readFn consumes e.in: bytes pile up until the limit.
        const e = srv.newEvent(socket, null, null, (ev, err) => {
          errors.push(err.code);
          srv.delEvent(ev);
        });
        srv.addEvent(e, EV_READ);
      },
      { host: '127.0.0.1', tls: serverTls() },
    );
    const srvLoop = srv.eventloop();
    const s = tls.connect({ port, host: '127.0.0.1', ca: certs.ca.cert }, () => s.write(Buffer.alloc(64 * 1024, 'z')));
    s.on('error', () => {});
    await waitFor(() => errors.length > 0, 'the limit');
    expect(errors).toEqual(['ERR_INPUT_LIMIT']);
    await waitFor(() => srv.size === 1, 'only the listener left');
    s.destroy();
    srv.stopEventloop();
    await srvLoop;
  });
});

describe('TLS handshake failures', () => {
  /** Connects a reactor TLS client and waits for its error; checks the slot is free afterwards. */
  async function failure(port: number, opts: ClientTlsOptions, host = '127.0.0.1'): Promise<TlsError> {
    const r = make();
    const { state } = tlsClient(r, port, opts, host);
    const loop = r.eventloop();
    await waitFor(() => state.error !== null || state.eof, 'the handshake failure');
    expect(state.writable).toBe(0); // never writable: the peer was never verified
    expect(r.size).toBe(0); // the slot is free
    r.stopEventloop();
    await loop;
    expect(state.error).toBeInstanceOf(TlsError);
    return state.error as TlsError;
  }

  it('unknown CA', async () => {
    const { port } = await tlsEchoServer();
    const err = await failure(port, { ca: certs.otherCa.cert });
    expect(err.reason).toBe('unknown-ca');
    expect(err.message).toMatch(/not signed by a trusted CA/);
    expect(err.code).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/);
  });

  it('hostname mismatch', async () => {
    const { port } = await tlsEchoServer({ key: certs.wrongHost.key, cert: certs.wrongHost.cert });
    const err = await failure(port, { ca: certs.ca.cert });
    expect(err.reason).toBe('hostname-mismatch');
    expect(err.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(err.message).toMatch(/does not name this host/);
  });

  it('expired certificate', async () => {
    const { port } = await tlsEchoServer({ key: certs.expired.key, cert: certs.expired.cert });
    const err = await failure(port, { ca: certs.ca.cert });
    expect(err.reason).toBe('expired');
    expect(err.code).toBe('CERT_HAS_EXPIRED');
    expect(err.message).toMatch(/expired/);
  });

  it('a plain TCP server on the port: not-tls', async () => {
    const srv = make();
    const port = await srv.createServer(
      0,
      (socket) => {
        const e = srv.newEvent(
          socket,
          (ev) => {
            ev.in.drain(eventBufferRead(ev));
            eventBufferWrite(ev, '-ERR this is not TLS\r\n');
          },
          null,
          (ev) => srv.delEvent(ev),
        );
        srv.addEvent(e, EV_READ);
      },
      { host: '127.0.0.1' },
    );
    const srvLoop = srv.eventloop();
    const err = await failure(port, { ca: certs.ca.cert });
    expect(err.reason).toBe('not-tls');
    srv.stopEventloop();
    await srvLoop;
  });

  it('a peer that never answers the ClientHello: handshake timeout', async () => {
    // It reads (so it sees the client's FIN) and never answers.
    const silent = net.createServer((s) => s.on('error', () => {}).resume());
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
    try {
      const err = await failure((silent.address() as net.AddressInfo).port, { ca: certs.ca.cert, handshakeTimeoutMs: 300 });
      expect(err.reason).toBe('handshake-timeout');
      expect(err.code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    } finally {
      await new Promise((res) => silent.close(res));
    }
  });

  it('no error handler: the reactor closes the failed connection itself and frees the slot', async () => {
    const { port } = await tlsEchoServer();
    const r = make();
    const e = r.connect(port, '127.0.0.1', { tls: { ca: certs.otherCa.cert } });
    r.addEvent(e, EV_WRITE);
    const loop = r.eventloop();
    await waitFor(() => !e.alive, 'the event closed');
    expect(r.size).toBe(0);
    r.stopEventloop();
    await loop;
  });
});

describe('mutual TLS and the server side of failures', () => {
  it('requestCert: a client with a certificate from the CA is served', async () => {
    let peer: tls.PeerCertificate | null = null;
    const { port } = await tlsEchoServer({ ca: certs.ca.cert, requestCert: true }, (e) => {
      peer = (e.socket as tls.TLSSocket).getPeerCertificate();
    });
    const r = make();
    const { e, state } = tlsClient(r, port, { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key });
    const loop = r.eventloop();
    eventBufferWrite(e, 'mtls');
    await waitFor(() => state.got === 'mtls', 'the echo');
    expect(peer!.subject.CN).toBe('reactor-ts-client');
    r.stopEventloop();
    await loop;
  });

  it('requestCert: clients without a certificate, or with a stranger\'s, never reach acceptFn nor take a slot', async () => {
    const serverErrors: TlsError[] = [];
    let accepted = 0;
    const { srv, port } = await tlsEchoServer(
      { ca: certs.ca.cert, requestCert: true, onHandshakeError: (err) => void serverErrors.push(err) },
      () => accepted++,
    );
    for (const own of [{}, { cert: certs.otherClient.cert, key: certs.otherClient.key }]) {
      const r = make();
      const { e, state } = tlsClient(r, port, { ca: certs.ca.cert, ...own });
      eventBufferWrite(e, 'let me in');
      const loop = r.eventloop();
      // TLS 1.3: the client's side of the handshake ends before the server
      // checks its certificate, so the refusal arrives as an alert or a close.
      await waitFor(() => state.error !== null || state.eof, 'the refusal');
      expect(state.got).toBe('');
      if (state.error !== null) expect(state.error).toBeInstanceOf(TlsError);
      r.stopEventloop();
      await loop;
    }
    await waitFor(() => serverErrors.length === 2, 'both failures reported to onHandshakeError');
    expect(serverErrors.every((err) => err instanceof TlsError)).toBe(true);
    expect(serverErrors[0]!.reason).toBe('peer-refused');
    expect(accepted).toBe(0);
    expect(srv.size).toBe(1); // the listener only
  });

  it('a client that never finishes its handshake is timed out; release() closes one still in it', async () => {
    const serverErrors: TlsError[] = [];
    const { srv, port } = await tlsEchoServer({ handshakeTimeoutMs: 300, onHandshakeError: (err) => void serverErrors.push(err) });
    const silent = (to: number): Promise<net.Socket> =>
      new Promise((res) => {
        const s = net.connect(to, '127.0.0.1', () => res(s));
        s.on('error', () => {});
        s.resume(); // reads, so it sees the server's close
      });
    const first = await silent(port);
    await new Promise<void>((res) => first.once('close', () => res()));
    await waitFor(() => serverErrors.length === 1, 'the timeout reported');
    expect(serverErrors[0]!.reason).toBe('handshake-timeout');

    // A timeout past the test's own: only release() can close this one in time.
    const patient = await tlsEchoServer({ handshakeTimeoutMs: 120_000 });
    const second = await silent(patient.port);
    await waitFor(() => patient.srv.size === 1, 'the listener up');
    const closed = new Promise<void>((res) => second.once('close', () => res()));
    patient.srv.release();
    await closed;
    srv.release();
  });
});
