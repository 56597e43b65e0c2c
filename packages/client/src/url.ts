/**
 * Connection URLs: `redis://[user[:password]@]host[:port][/db]`,
 * `rediss://...` for TLS (same shape), and unix sockets as
 * `redis+unix:///path/to.sock?db=N` or `unix:///path/to.sock` (user and
 * password work there too).
 */
import type { ClientTlsOptions } from '@reactor-ts/reactor';

/** Where and how to connect, as the URL said. */
export interface RedisEndpoint {
  /** TCP host (absent for a unix socket). */
  host?: string;
  /** TCP port (absent for a unix socket). */
  port?: number;
  /** Unix socket path. */
  path?: string;
  /** ACL user name; absent means the default user. */
  username?: string;
  password?: string;
  /** Database to SELECT after connecting. */
  db?: number;
  /** `rediss://`: speak TLS. */
  tls?: boolean;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 6379;

/** Parses a connection URL; throws a TypeError naming the problem. */
export function parseRedisUrl(url: string): RedisEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`invalid Redis URL '${redact(url)}': expected redis://[user[:password]@]host[:port][/db]`);
  }
  const scheme = u.protocol;
  const ep: RedisEndpoint = {};
  if (u.username !== '') ep.username = decodeURIComponent(u.username);
  if (u.password !== '') ep.password = decodeURIComponent(u.password);
  // `redis://secret@host` is how many URLs carry a requirepass password
  // (redis-cli reads it so too): a lone user field with no password is a password.
  if (ep.username !== undefined && ep.password === undefined) {
    ep.password = ep.username;
    delete ep.username;
  }
  const dbParam = u.searchParams.get('db');

  if (scheme === 'redis:' || scheme === 'rediss:') {
    if (scheme === 'rediss:') ep.tls = true;
    ep.host = u.hostname === '' ? DEFAULT_HOST : stripBrackets(u.hostname);
    ep.port = u.port === '' ? DEFAULT_PORT : Number(u.port);
    const dbPath = u.pathname.replace(/^\/+/, '');
    if (dbPath !== '') ep.db = parseDb(dbPath, url);
    else if (dbParam !== null) ep.db = parseDb(dbParam, url);
    return ep;
  }
  if (scheme === 'redis+unix:' || scheme === 'unix:') {
    const path = decodeURIComponent(u.pathname);
    if (path === '' || path === '/') throw new TypeError(`unix socket URL '${redact(url)}' has no socket path`);
    ep.path = path;
    if (dbParam !== null) ep.db = parseDb(dbParam, url);
    return ep;
  }
  throw new TypeError(
    `unsupported URL scheme '${scheme}' in '${redact(url)}': use redis://, rediss://, redis+unix:// or unix://`,
  );
}

/**
 * The TLS settings of a connection: the `tls` option (node:tls's ca, cert,
 * key, servername, rejectUnauthorized, minVersion, ...) or `rediss://`
 * alone (Node's bundled CAs); undefined for plain TCP. Either one turns TLS
 * on: a `tls` option with a `redis://` URL is taken as meaning TLS, never
 * silently dropped. `tls: false` forces plain TCP even for rediss://.
 */
export function tlsFor(ep: RedisEndpoint, tls: ClientTlsOptions | boolean | undefined): ClientTlsOptions | undefined {
  if (tls === false) return undefined;
  if (tls === undefined && ep.tls !== true) return undefined;
  if (ep.path !== undefined) throw new TypeError('TLS over a unix socket is not supported: use rediss://host:port');
  return tls === true || tls === undefined ? {} : tls;
}

function parseDb(text: string, url: string): number {
  if (!/^\d{1,5}$/.test(text)) {
    throw new TypeError(`invalid database '${text}' in '${redact(url)}': expected a non-negative integer`);
  }
  return Number(text);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The TLS options one link uses: unless the caller chose a handshake
 * deadline, the handshake gets one just inside the connect timeout, so a
 * server that never answers the ClientHello (a plain port) fails with the
 * TLS layer's message ("is it speaking TLS?") rather than a bare timeout.
 */
export function linkTls(tls: ClientTlsOptions, connectTimeout: number): ClientTlsOptions {
  if (tls.handshakeTimeoutMs !== undefined || !(connectTimeout > 0)) return tls;
  return { ...tls, handshakeTimeoutMs: Math.max(1, connectTimeout - 50) };
}

/** The URL with any password replaced, so errors never print secrets. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@').replace(/\/\/([^:@/]+)@/, '//***@');
}

/** `host:port` or the socket path, for messages. */
export function describeEndpoint(ep: RedisEndpoint): string {
  if (ep.path !== undefined) return ep.path;
  const host = ep.host ?? DEFAULT_HOST;
  return `${host.includes(':') ? `[${host}]` : host}:${ep.port ?? DEFAULT_PORT}`;
}
