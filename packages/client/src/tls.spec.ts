// The promise client over TLS, against real `redis-server --tls-port N --port 0`
// processes with certificates made for this file (makeTlsCerts, the openssl
// CLI): every API over rediss://, mutual TLS (tls-auth-clients yes), and the
// failures a user meets first (wrong CA, wrong host name, wrong port), each
// a clear error naming the cause, never a hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { makeTlsCerts, startRedis, type RedisServer, type TlsCerts } from '@reactor-ts/test-utils';
import { createClient, createPool, type ClientOptions, type RedisClient } from './index.js';
import { waitFor } from '../test/helpers.js';

let certs: TlsCerts;
let open: RedisServer; // tls-auth-clients no, plus a plain port
let strict: RedisServer; // tls-auth-clients yes
let reactor: Reactor;
const clients: RedisClient[] = [];

beforeAll(async () => {
  certs = makeTlsCerts();
  [open, strict] = await Promise.all([
    startRedis({ tls: { certs, plainPort: true } }),
    startRedis({ tls: { certs, authClients: 'yes' } }),
  ]);
  reactor = createReactor();
  void reactor.eventloop();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  reactor?.stopEventloop();
  reactor?.release();
  await Promise.all([open?.stop(), strict?.stop()]);
  certs?.remove();
});

function client(opts: ClientOptions): RedisClient {
  const c = createClient({ reactor, connectTimeout: 5000, ...opts });
  clients.push(c);
  return c;
}

/** The CA-verified client options for `srv`. */
const trusted = (srv: RedisServer, over: ClientOptions = {}): ClientOptions => ({
  url: srv.url,
  tls: { ca: certs.ca.cert },
  ...over,
});

/** connect() must fail: returns the error (and proves it did not hang past the connect timeout). */
async function connectFails(opts: ClientOptions): Promise<Error> {
  const c = client(opts);
  const err = await c.connect().then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(Error);
  return err!;
}

describe('every API over rediss://', () => {
  it('PING, SET/GET, binary values, RESP3', async () => {
    expect(open.url).toMatch(/^rediss:\/\//);
    const c = await client(trusted(open)).connect();
    expect(await c.ping()).toBe('PONG');
    expect(await c.set('tls:k', 'v')).toBe('OK');
    expect(await c.get('tls:k')).toBe('v');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await c.set('tls:bin', bytes);
    const b = await client(trusted(open, { returnBuffers: true })).connect();
    expect(Buffer.compare((await b.get('tls:bin')) as Buffer, bytes)).toBe(0);
    const r3 = await client(trusted(open, { protocol: 3 })).connect();
    expect(await r3.hset('tls:h', 'f', '1')).toBe(1);
    expect(await r3.hgetall('tls:h')).toEqual(new Map([['f', '1']]));
  });

  it('pipelines of 1,000 and transactions', async () => {
    const c = await client(trusted(open)).connect();
    const p = c.pipeline();
    for (let i = 0; i < 1000; i++) p.incr('tls:count');
    const replies = await p.exec();
    expect(replies).toHaveLength(1000);
    expect(replies[999]).toBe(1000);
    const tx = await c.multi().set('tls:a', '1').incr('tls:a').get('tls:a').exec();
    expect(tx).toEqual(['OK', 2, '2']);
    const watched = await c.watchRetry(['tls:a'], async (conn) => {
      const v = Number(await conn.get('tls:a'));
      return conn.multi().set('tls:a', String(v * 10));
    });
    expect(watched).toEqual(['OK']);
    expect(await c.get('tls:a')).toBe('20');
  });

  it('pub/sub: a TLS subscriber gets what a TLS publisher sends', async () => {
    const sub = await client(trusted(open)).connect();
    const pub = await client(trusted(open)).connect();
    const got: string[] = [];
    expect(await sub.subscribe('tls:news', (m) => void got.push(m))).toBe(1);
    expect(await pub.publish('tls:news', 'over tls')).toBe(1);
    await waitFor(() => got.length === 1, 'the message');
    expect(got).toEqual(['over tls']);
    expect(await sub.unsubscribe()).toBe(0);
  });

  it('a pool of TLS connections', async () => {
    const pool = createPool({ ...trusted(open), reactor, size: 3 });
    await pool.connect();
    try {
      const n = await Promise.all(Array.from({ length: 30 }, () => pool.incr('tls:pool')));
      expect(n.sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    } finally {
      await pool.quit();
    }
  });

  it('the tls option with a redis:// URL means TLS too; host name "localhost" verifies', async () => {
    const c = await client({ url: `redis://localhost:${open.port}`, tls: { ca: certs.ca.cert, minVersion: 'TLSv1.3' } }).connect();
    expect(await c.ping()).toBe('PONG');
  });
});

describe('mutual TLS (tls-auth-clients yes)', () => {
  it('serves a client that presents a certificate from the CA', async () => {
    const c = await client(trusted(strict, { tls: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key } })).connect();
    expect(await c.ping()).toBe('PONG');
    expect(await c.set('mtls', 'yes')).toBe('OK');
  });

  it('refuses a client without a certificate, with an error saying so', async () => {
    const err = await connectFails(trusted(strict));
    expect(err.message).toMatch(/TLS: the peer (refused the handshake|reset the connection before answering)/);
  });

  it("refuses a client whose certificate another CA signed", async () => {
    const err = await connectFails(
      trusted(strict, { tls: { ca: certs.ca.cert, cert: certs.otherClient.cert, key: certs.otherClient.key } }),
    );
    // TLS 1.3: the client's handshake is over before the server checks the
    // certificate, so the first command can race the server's alert: the
    // refusal arrives as the alert (unknown CA) or as a reset of the write,
    // which the reactor names as a likely refusal (node-tls.ts tlsRefusal).
    expect(err.name).toBe('ConnectionError');
    expect(err.message).toMatch(/TLS: (the peer does not trust our certificate|the peer reset the connection before answering)/);
  });
});

describe('TLS failures are clear and never hang', () => {
  it('wrong CA: names the untrusted certificate', async () => {
    const err = await connectFails(trusted(open, { tls: { ca: certs.otherCa.cert } }));
    expect(err.message).toMatch(/not signed by a trusted CA/);
  });

  it('no CA at all (Node\'s bundled roots do not know the test CA)', async () => {
    const err = await connectFails({ url: open.url });
    expect(err.message).toMatch(/not signed by a trusted CA/);
  });

  it('wrong host name: names the mismatch', async () => {
    const err = await connectFails(trusted(open, { tls: { ca: certs.ca.cert, servername: 'redis.example.com' } }));
    expect(err.message).toMatch(/does not name this host/);
  });

  it('rediss:// to a plain TCP port: the handshake deadline asks whether the port speaks TLS', async () => {
    // redis-server reads the ClientHello as an unfinished inline command and
    // waits: the handshake deadline (inside the connect timeout) names TLS.
    const err = await connectFails({ url: `rediss://127.0.0.1:${open.plainPort}`, tls: { ca: certs.ca.cert }, connectTimeout: 1500 });
    expect(err.message).toMatch(/handshake did not finish within 1450 ms \(is the peer speaking TLS on this port\?\)/);
  });

  it('redis:// (plain) to a TLS port fails within the connect timeout instead of hanging', async () => {
    const err = await connectFails({ url: `redis://127.0.0.1:${open.port}`, connectTimeout: 2000 });
    expect(err.name).toMatch(/ConnectionError|TimeoutError/);
  });

  it('a unix socket with tls is a TypeError at once', () => {
    expect(() => createClient({ url: 'unix:///tmp/none.sock', tls: { ca: certs.ca.cert } })).toThrow(TypeError);
  });
});
