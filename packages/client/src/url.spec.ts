import { describe, expect, it } from 'vitest';
import { describeEndpoint, linkTls, parseRedisUrl, redact, tlsFor } from './url.js';

describe('parseRedisUrl', () => {
  it('reads host, port, user, password and db', () => {
    expect(parseRedisUrl('redis://alice:s3cret@10.0.0.5:7000/4')).toEqual({
      host: '10.0.0.5',
      port: 7000,
      username: 'alice',
      password: 's3cret',
      db: 4,
    });
  });

  it('defaults to 127.0.0.1:6379 and no db', () => {
    expect(parseRedisUrl('redis://')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(parseRedisUrl('redis://example.com')).toEqual({ host: 'example.com', port: 6379 });
  });

  it('takes a password with no user (redis://:pw@h) and a lone user field as a password', () => {
    expect(parseRedisUrl('redis://:pw@h:1')).toEqual({ host: 'h', port: 1, password: 'pw' });
    expect(parseRedisUrl('redis://pw@h:1')).toEqual({ host: 'h', port: 1, password: 'pw' });
  });

  it('decodes percent-encoded credentials', () => {
    expect(parseRedisUrl('redis://u%40x:p%3Aw%2F@h:1').password).toBe('p:w/');
    expect(parseRedisUrl('redis://u%40x:p%3Aw%2F@h:1').username).toBe('u@x');
  });

  it('reads the db from ?db= too, and IPv6 hosts', () => {
    expect(parseRedisUrl('redis://h:1?db=2').db).toBe(2);
    expect(parseRedisUrl('redis://[::1]:7001').host).toBe('::1');
  });

  it('reads rediss:// as TLS, same shape as redis://', () => {
    expect(parseRedisUrl('rediss://alice:pw@h:6380/2')).toEqual({ host: 'h', port: 6380, username: 'alice', password: 'pw', db: 2, tls: true });
    expect(parseRedisUrl('rediss://h')).toEqual({ host: 'h', port: 6379, tls: true });
  });

  it('refuses other schemes, garbage, and a bad db', () => {
    expect(() => parseRedisUrl('http://h:1')).toThrow(/unsupported URL scheme 'http:'/);
    expect(() => parseRedisUrl('not a url')).toThrow(/invalid Redis URL/);
    expect(() => parseRedisUrl('redis://h:1/abc')).toThrow(/invalid database 'abc'/);
  });

  it('reads unix socket URLs', () => {
    expect(parseRedisUrl('redis+unix:///tmp/r.sock?db=3')).toEqual({ path: '/tmp/r.sock', db: 3 });
    expect(parseRedisUrl('unix:///tmp/r.sock')).toEqual({ path: '/tmp/r.sock' });
    expect(() => parseRedisUrl('unix:///')).toThrow(/no socket path/);
  });

  it('never prints a password in an error', () => {
    expect(() => parseRedisUrl('rediss://u:topsecret@h/abc')).toThrow(/u:\*\*\*@/);
    expect(redact('redis://topsecret@h')).toBe('redis://***@h');
  });

  it('tlsFor: rediss:// or the tls option turns TLS on; false forces it off; never over a unix socket', () => {
    const ca = Buffer.from('pem');
    expect(tlsFor(parseRedisUrl('redis://h'), undefined)).toBeUndefined();
    expect(tlsFor(parseRedisUrl('rediss://h'), undefined)).toEqual({});
    expect(tlsFor(parseRedisUrl('rediss://h'), { ca })).toEqual({ ca });
    expect(tlsFor(parseRedisUrl('redis://h'), { ca })).toEqual({ ca });
    expect(tlsFor(parseRedisUrl('redis://h'), true)).toEqual({});
    expect(tlsFor(parseRedisUrl('rediss://h'), false)).toBeUndefined();
    expect(() => tlsFor(parseRedisUrl('unix:///tmp/s'), { ca })).toThrow(/TLS over a unix socket/);
  });

  it('linkTls: the handshake deadline sits just inside the connect timeout unless chosen', () => {
    expect(linkTls({}, 10_000)).toEqual({ handshakeTimeoutMs: 9950 });
    expect(linkTls({ handshakeTimeoutMs: 3 }, 10_000)).toEqual({ handshakeTimeoutMs: 3 });
    expect(linkTls({}, 20)).toEqual({ handshakeTimeoutMs: 1 });
  });

  it('describes endpoints for messages', () => {
    expect(describeEndpoint({ host: '::1', port: 5 })).toBe('[::1]:5');
    expect(describeEndpoint({ path: '/tmp/s' })).toBe('/tmp/s');
  });
});
