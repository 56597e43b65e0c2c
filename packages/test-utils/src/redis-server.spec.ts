import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort, startRedis, type RedisServer } from './index.js';

/** Sends raw bytes and collects the reply until `until` matches what arrived. */
function rawExchange(port: number, bytes: string, until: (got: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    sock.setTimeout(5000, () => {
      sock.destroy();
      reject(new Error(`timeout, got ${JSON.stringify(got)}`));
    });
    sock.once('error', reject);
    sock.once('connect', () => sock.write(bytes));
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (until(got)) {
        sock.destroy();
        resolve(got);
      }
    });
  });
}

describe('redis-server harness', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis({ enableDebug: true });
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('starts on a free loopback port that is not 6379', () => {
    expect(srv.port).not.toBe(6379);
    expect(srv.pid).toBeGreaterThan(0);
    expect(srv.url).toBe(`redis://127.0.0.1:${srv.port}`);
  });

  it('SET and GET through a raw socket with hand-written RESP', async () => {
    const req =
      '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n' +
      '*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n';
    const expected = '+OK\r\n$5\r\nvalue\r\n';
    const got = await rawExchange(srv.port, req, (g) => g.length >= expected.length);
    expect(got).toBe(expected);
  });

  it('passes through error replies byte for byte', async () => {
    const got = await rawExchange(srv.port, '*3\r\n$3\r\nket\r\n$3\r\nkey\r\n$5\r\nvalue\r\n', (g) =>
      g.endsWith('\r\n'),
    );
    expect(got).toBe("-ERR unknown command 'ket', with args beginning with: 'key' 'value' \r\n");
  });

  it('kill9 then start brings the same port back, empty', async () => {
    await rawExchange(srv.port, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n', (g) => g === '+OK\r\n');
    const oldPid = srv.pid;
    await srv.kill9();
    expect(srv.pid).toBe(0);
    await srv.start();
    expect(srv.pid).toBeGreaterThan(0);
    expect(srv.pid).not.toBe(oldPid);
    const got = await rawExchange(srv.port, '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n', (g) => g.endsWith('\r\n'));
    expect(got).toBe('$-1\r\n');
  });

  it('restart keeps the port', async () => {
    const port = srv.port;
    await srv.restart();
    expect(srv.port).toBe(port);
    const got = await rawExchange(port, '*1\r\n$4\r\nPING\r\n', (g) => g.endsWith('\r\n'));
    expect(got).toBe('+PONG\r\n');
  });

  it('enables the DEBUG command when asked', async () => {
    const got = await rawExchange(srv.port, '*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$1\r\n0\r\n', (g) =>
      g.endsWith('\r\n'),
    );
    expect(got).toBe('+OK\r\n');
  });
});

describe('redis-server harness with auth', () => {
  it('requirepass and ACL users', async () => {
    const srv = await startRedis({
      password: 's3cret',
      users: [{ name: 'reader', password: 'rpw', rules: '~* +get +ping' }],
    });
    try {
      expect(srv.url).toBe(`redis://:s3cret@127.0.0.1:${srv.port}`);
      const noauth = await rawExchange(srv.port, '*1\r\n$4\r\nPING\r\n', (g) => g.endsWith('\r\n'));
      expect(noauth.startsWith('-NOAUTH')).toBe(true);
      const ok = await rawExchange(
        srv.port,
        '*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n*1\r\n$4\r\nPING\r\n',
        (g) => g === '+OK\r\n+PONG\r\n',
      );
      expect(ok).toBe('+OK\r\n+PONG\r\n');
      const denied = await rawExchange(
        srv.port,
        '*3\r\n$4\r\nAUTH\r\n$6\r\nreader\r\n$3\r\nrpw\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n',
        (g) => g.split('\r\n').length >= 3,
      );
      expect(denied.startsWith('+OK\r\n-NOPERM')).toBe(true);
    } finally {
      await srv.stop();
    }
  });

  it('getFreePort never returns 6379', async () => {
    for (let i = 0; i < 20; i++) expect(await getFreePort()).not.toBe(6379);
  });

  it('unix socket when asked', async () => {
    const srv = await startRedis({ unixSocket: true });
    try {
      expect(srv.socketPath).toBeDefined();
      const got = await new Promise<string>((resolve, reject) => {
        const s = net.connect({ path: srv.socketPath! });
        s.once('error', reject);
        s.once('connect', () => s.write('*1\r\n$4\r\nPING\r\n'));
        s.once('data', (d: Buffer) => {
          s.destroy();
          resolve(d.toString());
        });
      });
      expect(got).toBe('+PONG\r\n');
    } finally {
      await srv.stop();
    }
  });
});
