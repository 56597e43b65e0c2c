// hiredis's SSL API (ssl.ts) against real TLS redis-servers started for this
// file: one with the test CA's server certificate, one that also demands a
// client certificate (tls-auth-clients yes). Both contexts: the blocking one
// (handshake in its worker thread) and the async one on a reactor.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { REDIS_REPLY_ERROR, type RedisReply } from '@reactor-ts/resp';
import { makeTlsCerts, startRedis, type RedisServer, type TlsCerts } from '@reactor-ts/test-utils';
import { redisAttach } from './attach.js';
import {
  redisAppendCommand,
  redisCommand,
  redisConnect,
  redisConnectWithOptions,
  redisFree,
  redisGetReply,
  redisReconnect,
  type RedisContext,
} from './blocking.js';
import { REDIS_ERR, REDIS_OK } from './constants.js';
import {
  redisAsyncCommand,
  redisAsyncConnect,
  redisAsyncConnectWithOptions,
  redisAsyncDisconnect,
  redisAsyncSetConnectCallback,
  type RedisAsyncContext,
  type RedisAsyncOptions,
} from './context.js';
import { redisCreateSSLContext, redisFreeSSLContext, redisInitiateSSLWithContext } from './ssl.js';
import type { RedisSSLContext } from './types.js';
import { runLoop } from '../test/helpers.js';

let certs: TlsCerts;
let srv: RedisServer;
let mtls: RedisServer;
beforeAll(async () => {
  certs = makeTlsCerts();
  srv = await startRedis({ tls: { certs } });
  mtls = await startRedis({ tls: { certs, authClients: 'yes' } });
}, 60_000);
afterAll(async () => {
  await srv?.stop();
  await mtls?.stop();
  certs?.remove();
});

function sslOrThrow(r: RedisSSLContext | string): RedisSSLContext {
  if (typeof r === 'string') throw new Error(r);
  return r;
}

const text = (r: RedisReply | null): string | null => (r === null ? null : r.str ?? String(r.integer));

describe('redisCreateSSLContext', () => {
  it('returns a string naming the file and the cause when a file cannot be used', () => {
    const missing = redisCreateSSLContext({ cacert: '/nonexistent/ca.crt' });
    expect(missing).toMatch(/^Failed to load CA certificate \/nonexistent\/ca\.crt: ENOENT/);
    expect(redisCreateSSLContext({ cert: certs.client.certFile })).toMatch(/needs its key/);
    expect(redisCreateSSLContext({ capath: '/nonexistent' })).toMatch(/Failed to load CA path/);
    const garbage = path.join(certs.dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    expect(redisCreateSSLContext({ cert: garbage, key: garbage })).toMatch(/^Failed to create SSL_CTX/);
    expect(redisCreateSSLContext({ verifyMode: 'maybe' as 'peer' })).toMatch(/Invalid SSL verify mode/);
  });

  it('makes a context from a CA file or a CA folder; a freed one is refused', () => {
    const a = sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile }));
    expect(a.verifyMode).toBe('peer');
    const b = sslOrThrow(redisCreateSSLContext({ capath: certs.dir, serverName: 'localhost' }));
    expect(b.serverName).toBe('localhost');
    redisFreeSSLContext(a);
    expect(a.live).toBe(false);
    const c = redisConnect('127.0.0.1', srv.port);
    expect(redisInitiateSSLWithContext(c, a)).toBe(REDIS_ERR);
    expect(redisInitiateSSLWithContext(c, b)).toBe(REDIS_OK);
    expect(text(redisCommand(c, 'PING'))).toBe('PONG');
    redisFree(c);
  });
});

describe('blocking context over TLS', () => {
  it('PING / SET / GET and a pipeline after the handshake in its worker; redisReconnect redoes it', () => {
    const ssl = sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile }));
    const c = redisConnectWithOptions({ host: '127.0.0.1', port: srv.port, connectTimeout: 5000 });
    expect(c.err).toBe(0);
    expect(redisInitiateSSLWithContext(c, ssl)).toBe(REDIS_OK);
    expect(text(redisCommand(c, 'PING'))).toBe('PONG');
    expect(text(redisCommand(c, 'SET %s %s', 'tls:b', 'v1'))).toBe('OK');
    expect(text(redisCommand(c, 'GET %s', 'tls:b'))).toBe('v1');
    redisCommand(c, 'DEL tls:n');
    for (let i = 0; i < 100; i++) redisAppendCommand(c, 'INCR tls:n');
    let last: RedisReply | null = null;
    for (let i = 0; i < 100; i++) last = redisGetReply(c);
    expect(last?.integer).toBe(100);
    expect(redisReconnect(c)).toBe(REDIS_OK);
    expect(text(redisCommand(c, 'GET tls:n'))).toBe('100');
    // Twice on one connection is a mistake, not a second handshake.
    expect(redisInitiateSSLWithContext(c, ssl)).toBe(REDIS_ERR);
    expect(c.errstr).toMatch(/already/);
    redisFree(c);
  });

  const failing: Array<[string, () => RedisSSLContext, RegExp]> = [
    ['an unknown CA', () => sslOrThrow(redisCreateSSLContext({ cacert: certs.otherCa.certFile })), /SSL handshake failed: .*(verify|self.signed|issuer)/i],
    ['a wrong host name', () => sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile, serverName: 'wrong.example' })), /SSL handshake failed: .*(altnames|wrong\.example)/i],
  ];
  for (const [what, make, pattern] of failing) {
    it(`fails the handshake on ${what}, with c.err set and errstr naming the cause`, () => {
      const c = redisConnectWithOptions({ host: '127.0.0.1', port: srv.port, connectTimeout: 5000 });
      expect(redisInitiateSSLWithContext(c, make())).toBe(REDIS_ERR);
      expect(c.err).not.toBe(0);
      expect(c.errstr).toMatch(pattern);
      expect(redisCommand(c, 'PING')).toBeNull();
      redisFree(c);
    });
  }

  it('pub/sub: a subscribed blocking context reads the message another one published', () => {
    const ssl = sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile }));
    const sub = redisConnectWithOptions({ host: '127.0.0.1', port: srv.port, commandTimeout: 5000 });
    const pub = redisConnect('127.0.0.1', srv.port);
    expect(redisInitiateSSLWithContext(sub, ssl)).toBe(REDIS_OK);
    expect(redisInitiateSSLWithContext(pub, ssl)).toBe(REDIS_OK);
    const confirm = redisCommand(sub, 'SUBSCRIBE tls:bch');
    expect(confirm?.element?.map((e) => e.str ?? e.integer)).toEqual(['subscribe', 'tls:bch', 1]);
    expect(redisCommand(pub, 'PUBLISH tls:bch %s', 'over tls')?.integer).toBe(1);
    const msg = redisGetReply(sub);
    expect(msg?.element?.map((e) => e.str)).toEqual(['message', 'tls:bch', 'over tls']);
    redisFree(sub);
    redisFree(pub);
  });

  it('verifyMode none connects to a server the CA list does not vouch for', () => {
    const ssl = sslOrThrow(redisCreateSSLContext({ cacert: certs.otherCa.certFile, verifyMode: 'none' }));
    const c = redisConnect('127.0.0.1', srv.port);
    expect(redisInitiateSSLWithContext(c, ssl)).toBe(REDIS_OK);
    expect(text(redisCommand(c, 'PING'))).toBe('PONG');
    redisFree(c);
  });

  it('tls-auth-clients yes: refused without a client certificate, served with one', () => {
    const anon = sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile }));
    const c1 = redisConnectWithOptions({ host: '127.0.0.1', port: mtls.port, connectTimeout: 5000, commandTimeout: 5000 });
    // TLS 1.3: the client may finish its handshake before the server checks;
    // then the refusal arrives as the first read's error. Either way, no reply.
    const started = redisInitiateSSLWithContext(c1, anon);
    const reply = started === REDIS_OK ? redisCommand(c1, 'PING') : null;
    expect(reply).toBeNull();
    expect(c1.err).not.toBe(0);
    expect(c1.errstr).not.toMatch(/^Timeout$/);
    redisFree(c1);
    const ours = sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile, cert: certs.client.certFile, key: certs.client.keyFile }));
    const c2: RedisContext = redisConnect('127.0.0.1', mtls.port);
    expect(redisInitiateSSLWithContext(c2, ours)).toBe(REDIS_OK);
    expect(text(redisCommand(c2, 'PING'))).toBe('PONG');
    redisFree(c2);
  });
});

describe('async context over TLS', () => {
  let r: Reactor;
  beforeAll(() => {
    r = createReactor();
  });
  afterAll(() => r.release());

  /** Attaches `ac` and runs the loop until `work` calls done (or the connect fails). */
  async function run(ac: RedisAsyncContext, work: (done: () => void) => void): Promise<number> {
    let status = -2;
    redisAsyncSetConnectCallback(ac, (_c, s) => {
      status = s;
      if (s !== REDIS_OK) r.stopEventloop();
    });
    expect(redisAttach(r, ac)).toBe(REDIS_OK);
    work(() => {
      redisAsyncDisconnect(ac);
      r.stopEventloop();
    });
    await runLoop(r, 20_000);
    return status;
  }

  it('PING / SET / GET, a pipeline of 1000 and pub/sub, with redisInitiateSSLWithContext(ac.c) before redisAttach', async () => {
    const ssl = sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile }));
    const ac = redisAsyncConnect('127.0.0.1', srv.port);
    const pub = redisAsyncConnect('127.0.0.1', srv.port);
    expect(redisInitiateSSLWithContext(ac.c, ssl)).toBe(REDIS_OK);
    expect(redisInitiateSSLWithContext(pub.c, ssl)).toBe(REDIS_OK);
    expect(redisAttach(r, pub)).toBe(REDIS_OK);
    const seen: Array<string | null> = [];
    let message: string | null = null;
    const status = await run(ac, (done) => {
      redisAsyncCommand(ac, (_c, rep) => seen.push(text(rep)), null, 'PING');
      redisAsyncCommand(ac, (_c, rep) => seen.push(text(rep)), null, 'SET %s %s', 'tls:a', 'x');
      redisAsyncCommand(ac, (_c, rep) => seen.push(text(rep)), null, 'GET %s', 'tls:a');
      redisAsyncCommand(ac, null, null, 'DEL tls:p');
      for (let i = 0; i < 1000; i++) {
        redisAsyncCommand(ac, (_c, rep) => (i === 999 ? seen.push(text(rep)) : undefined), null, 'INCR tls:p');
      }
      const sub = redisAsyncConnect('127.0.0.1', srv.port);
      redisInitiateSSLWithContext(sub.c, ssl);
      redisAttach(r, sub);
      redisAsyncCommand(sub, (_c, rep) => {
        const items = rep?.element ?? [];
        if (items[0]?.str === 'subscribe') redisAsyncCommand(pub, null, null, 'PUBLISH tls:ch hello');
        if (items[0]?.str === 'message') {
          message = items[2]?.str ?? null;
          redisAsyncDisconnect(pub);
          redisAsyncCommand(sub, null, null, 'UNSUBSCRIBE');
          redisAsyncDisconnect(sub);
          done();
        }
      }, null, 'SUBSCRIBE tls:ch');
    });
    expect(status).toBe(REDIS_OK);
    expect(seen).toEqual(['PONG', 'OK', 'x', '1000']);
    expect(message).toBe('hello');
    // Once attached, TLS can no longer be turned on.
    expect(redisInitiateSSLWithContext(ac.c, ssl)).toBe(REDIS_ERR);
  });

  it('the ssl option takes an SSL context or the reactor TLS options; mutual TLS with a client certificate', async () => {
    const ours = sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile, cert: certs.client.certFile, key: certs.client.keyFile }));
    for (const ssl of [ours, { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key }]) {
      const opts: RedisAsyncOptions = { host: '127.0.0.1', port: mtls.port, ssl, connectTimeout: 5000 };
      const ac = redisAsyncConnectWithOptions(opts);
      let pong: string | null = null;
      const status = await run(ac, (done) => redisAsyncCommand(ac, (_c, rep) => {
        pong = text(rep);
        done();
      }, null, 'PING'));
      expect(status).toBe(REDIS_OK);
      expect(pong).toBe('PONG');
    }
  });

  const failing: Array<[string, () => RedisSSLContext, RegExp]> = [
    ['an unknown CA', () => sslOrThrow(redisCreateSSLContext({ cacert: certs.otherCa.certFile })), /not signed by a trusted CA/],
    ['a wrong host name', () => sslOrThrow(redisCreateSSLContext({ cacert: certs.ca.certFile, serverName: 'wrong.example' })), /does not name this host/],
  ];
  it.each(failing)('fails the connect on %s with errstr naming the cause, and never hangs', async (_what, make, pattern) => {
    const ssl = make();
    const ac = redisAsyncConnectWithOptions({ host: '127.0.0.1', port: srv.port, ssl, connectTimeout: 5000 });
    let reply: RedisReply | null | undefined;
    const status = await run(ac, () => redisAsyncCommand(ac, (_c, rep) => (reply = rep), null, 'PING'));
    expect(status).toBe(REDIS_ERR);
    expect(ac.errstr).toMatch(pattern);
    // The queued command settled, with no reply.
    expect(reply).toBeNull();
    expect(r.size).toBe(0);
  });

  it('a server that demands a certificate refuses the client without one: the command settles with no reply', async () => {
    const ac = redisAsyncConnectWithOptions({ host: '127.0.0.1', port: mtls.port, ssl: { ca: certs.ca.cert }, connectTimeout: 5000 });
    let reply: RedisReply | null | undefined;
    let down = false;
    redisAsyncSetConnectCallback(ac, (_c, s) => {
      if (s !== REDIS_OK) {
        down = true;
        r.stopEventloop();
      }
    });
    expect(redisAttach(r, ac)).toBe(REDIS_OK);
    redisAsyncCommand(ac, (_c, rep) => {
      reply = rep;
      r.stopEventloop();
    }, null, 'PING');
    await runLoop(r, 20_000);
    expect(reply === null || reply === undefined || reply.type === REDIS_REPLY_ERROR).toBe(true);
    expect(down || ac.err !== 0).toBe(true);
    expect(ac.errstr).toMatch(/TLS|certificate|reset|closed/i);
  });
});
