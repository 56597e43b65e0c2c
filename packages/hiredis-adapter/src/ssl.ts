/**
 * hiredis's TLS API (`hiredis_ssl.h` / `ssl.c`): an SSL context made once
 * from certificate files, then applied to connections.
 *
 *   const ssl = redisCreateSSLContext({ cacert: 'ca.crt', cert: 'client.crt', key: 'client.key' });
 *   if (typeof ssl === 'string') throw new Error(ssl);      // hiredis: NULL + redisSSLContextError
 *   const c = redisConnect('127.0.0.1', 6380);               // blocking: TCP first,
 *   redisInitiateSSLWithContext(c, ssl);                     // then the handshake, blocking
 *   const ac = redisAsyncConnect('127.0.0.1', 6380);         // async: before redisAttach,
 *   redisInitiateSSLWithContext(ac.c, ssl);                  // the handshake runs in the reactor
 *   redisAttach(reactor, ac);
 *   ...
 *   redisFreeSSLContext(ssl);
 *
 * Where it differs from hiredis, on purpose:
 * - The files are read when the context is made, so a missing or unreadable
 *   file is reported then, with its name (hiredis only says "Failed to load
 *   client certificate").
 * - With verifyMode 'peer' (the default) the server's name is checked too
 *   (serverName, else the host, as Node's TLS does): hiredis checks only the
 *   chain. 'none' checks neither, as SSL_VERIFY_NONE.
 * - The async context's handshake is part of its connect: `connectTimeout`
 *   covers it, and a failed one is the connect callback's REDIS_ERR with the
 *   reactor's TlsError text in `errstr` (unknown CA, hostname mismatch,
 *   expired certificate), instead of a bare OpenSSL error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tls from 'node:tls';
import type { ClientTlsOptions } from '@reactor-ts/reactor';
import { startBlockingTls, type RedisContext } from './blocking.js';
import { REDIS_ERR, REDIS_OK } from './constants.js';
import type { RedisConnectionInfo, RedisSSLContext, RedisSSLVerifyMode } from './types.js';

/** `redisSSLOptions`: file names, as hiredis takes them. */
export interface RedisSSLOptions {
  /** PEM file of the CAs that vouch for the server (cacert_filename). */
  cacert?: string;
  /** Folder of PEM CA files (capath); every file in it holding a certificate is read. */
  capath?: string;
  /** Client certificate (cert_filename), for servers with tls-auth-clients. */
  cert?: string;
  /** Its private key (private_key_filename); needed with `cert`. */
  key?: string;
  /** SNI name, and the name the certificate must carry (server_name). */
  serverName?: string;
  /** Default 'peer'. */
  verifyMode?: RedisSSLVerifyMode;
}

class SSLContext implements RedisSSLContext {
  live = true;
  constructor(
    readonly serverName: string | null,
    readonly verifyMode: RedisSSLVerifyMode,
    /** The PEM bytes, for the blocking context's worker thread (a SecureContext cannot cross threads). */
    readonly pem: { ca: Buffer[] | null; cert: Buffer | null; key: Buffer | null },
    readonly secureContext: tls.SecureContext,
  ) {}
}

/** TLS to apply at redisAttach, by async context (its `ac.c`). */
const pendingAsync = new WeakMap<RedisConnectionInfo, ClientTlsOptions>();

/** The TLS options redisAttach passes to the reactor's connect for this context (attach.ts). */
export function tlsForAttach(c: RedisConnectionInfo): ClientTlsOptions | undefined {
  return pendingAsync.get(c);
}

function readPem(file: string, what: string): Buffer | string {
  try {
    return readFileSync(file);
  } catch (err) {
    return `Failed to load ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

/** Every file in `dir` that holds a PEM certificate (OpenSSL's capath holds hashed names and their links). */
function readCaPath(dir: string): Buffer[] | string {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    return `Failed to load CA path ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const out: Buffer[] = [];
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      const bytes = readFileSync(file);
      if (bytes.includes('-----BEGIN CERTIFICATE-----')) out.push(bytes);
    } catch {
      // An unreadable entry is skipped, as OpenSSL's lookup skips it.
    }
  }
  return out.length > 0 ? out : `Failed to load CA path ${dir}: no certificate in it`;
}

/**
 * `redisCreateSSLContextWithOptions`: the context, or a string saying what
 * failed (hiredis returns NULL and a redisSSLContextError; the string is
 * that error's text with the file and the cause).
 */
export function redisCreateSSLContext(opts: RedisSSLOptions = {}): RedisSSLContext | string {
  const verifyMode = opts.verifyMode ?? 'peer';
  if (verifyMode !== 'peer' && verifyMode !== 'none') {
    return `Invalid SSL verify mode: ${String(verifyMode)} (use 'peer' or 'none')`;
  }
  if ((opts.cert === undefined) !== (opts.key === undefined)) {
    return opts.cert === undefined ? 'Failed to load private key: a key needs its cert' : 'Failed to load client certificate: a cert needs its key';
  }
  let ca: Buffer[] | null = null;
  if (opts.cacert !== undefined) {
    const b = readPem(opts.cacert, 'CA certificate');
    if (typeof b === 'string') return b;
    ca = [b];
  }
  if (opts.capath !== undefined) {
    const list = readCaPath(opts.capath);
    if (typeof list === 'string') return list;
    ca = [...(ca ?? []), ...list];
  }
  let cert: Buffer | null = null;
  let key: Buffer | null = null;
  if (opts.cert !== undefined && opts.key !== undefined) {
    const c = readPem(opts.cert, 'client certificate');
    if (typeof c === 'string') return c;
    const k = readPem(opts.key, 'private key');
    if (typeof k === 'string') return k;
    cert = c;
    key = k;
  }
  let secureContext: tls.SecureContext;
  try {
    const o: tls.SecureContextOptions = {};
    if (ca !== null) o.ca = ca;
    if (cert !== null && key !== null) {
      o.cert = cert;
      o.key = key;
    }
    secureContext = tls.createSecureContext(o);
  } catch (err) {
    return `Failed to create SSL_CTX: ${(err as Error).message}`;
  }
  return new SSLContext(opts.serverName ?? null, verifyMode, { ca, cert, key }, secureContext);
}

/** `redisFreeSSLContext`: the context can no longer be applied (connections made with it keep working). */
export function redisFreeSSLContext(ssl: RedisSSLContext | null): void {
  if (ssl instanceof SSLContext) ssl.live = false;
}

/** The reactor's TLS options for an SSL context (the async path). */
export function clientTlsOptions(ssl: RedisSSLContext, host: string): ClientTlsOptions {
  const s = ssl as SSLContext;
  const o: ClientTlsOptions = { secureContext: s.secureContext, rejectUnauthorized: s.verifyMode === 'peer' };
  const name = s.serverName ?? (isIp(host) ? null : host);
  if (name !== null) o.servername = name;
  return o;
}

/**
 * `redisInitiateSSLWithContext(c, ssl)`. For a blocking context (from
 * redisConnect*): runs the handshake on its connection and blocks until it
 * is done, within the context's connect timeout; REDIS_ERR sets `c.err` /
 * `c.errstr`. For an async context, pass `ac.c` before `redisAttach`: the
 * handshake then runs as part of the connect. REDIS_ERR when `ssl` is freed
 * or not a context, the async context is already attached, or it uses a
 * unix socket.
 */
export function redisInitiateSSLWithContext(c: RedisContext | RedisConnectionInfo, ssl: RedisSSLContext): number {
  if (!(ssl instanceof SSLContext) || !ssl.live) return REDIS_ERR;
  if ('flags' in c) {
    // The async context's connection info (ac.c).
    if (c.fd >= 0 || c.connectionType !== 'tcp' || pendingAsync.has(c)) return REDIS_ERR;
    pendingAsync.set(c, clientTlsOptions(ssl, c.host));
    return REDIS_OK;
  }
  const host = c.tcp?.host ?? '';
  const servername = ssl.serverName ?? (host === '' || isIp(host) ? undefined : host);
  return startBlockingTls(c, {
    ca: ssl.pem.ca ?? undefined,
    cert: ssl.pem.cert ?? undefined,
    key: ssl.pem.key ?? undefined,
    servername,
    rejectUnauthorized: ssl.verifyMode === 'peer',
  });
}

/**
 * The async option form (`redisAsyncConnectWithOptions({ ..., ssl })`):
 * an SSL context, or the reactor's TLS options as they are.
 */
export function applyAsyncTls(c: RedisConnectionInfo, ssl: RedisSSLContext | ClientTlsOptions): number {
  if (ssl instanceof SSLContext) return redisInitiateSSLWithContext(c, ssl);
  if (c.fd >= 0 || c.connectionType !== 'tcp' || pendingAsync.has(c)) return REDIS_ERR;
  const o = ssl as ClientTlsOptions;
  pendingAsync.set(c, o.servername === undefined && !isIp(c.host) ? { ...o, servername: c.host } : o);
  return REDIS_OK;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
