/**
 * TLS for the Node layer (node:tls): the listening server and the outbound
 * connection. Everything above node-io.ts sees the same event model as on
 * TCP; the differences are all here:
 *
 * - Server side, the handshake runs before the reactor sees the socket:
 *   tls.Server's 'secureConnection' is the accept, so acceptFn only gets
 *   sockets whose handshake (and client-certificate check) is done, and a
 *   failed handshake never takes a slot. Node's own server does the
 *   verification: a bare `new TLSSocket(raw, { isServer })` skips the
 *   requestCert / rejectUnauthorized check, so the raw socket is not wrapped
 *   by hand.
 * - Client side, `connected` turns true on 'secureConnect' instead of
 *   'connect' (node-io.ts asks `isHandshaking`), so the connect's EV_WRITE
 *   and the first flush of queued output wait for a verified peer.
 * - Errors keep Node's / OpenSSL's code; toReactorError makes them
 *   TlsErrors with a reason (errors.ts).
 * - Both sides bound the handshake in time (handshakeTimeoutMs), so a peer
 *   that connects and says nothing neither holds a slot nor hangs a client.
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { TlsError, toReactorError } from './errors.js';
import type { ClientTlsOptions, ServerTlsOptions } from './reactor-api.js';

const DEFAULT_HANDSHAKE_MS = 10_000;

/** Outbound TLS sockets whose handshake is not done yet. */
const handshaking = new WeakSet<net.Socket>();

/** True while a TLS socket made by tlsConnect has not finished its handshake. */
export function isHandshaking(socket: net.Socket): boolean {
  return handshaking.has(socket);
}

/**
 * TLS 1.3 ends the client's side of the handshake before the server has
 * checked the client's certificate, so a server that refuses it sends an
 * alert and closes while the client's first write is under way: the client
 * often meets ECONNRESET / EPIPE before it reads the alert. Before any byte
 * arrived, that reset is reported as the likely refusal it is.
 */
export function tlsRefusal(socket: net.Socket, err: Error): TlsError | null {
  if (!(socket instanceof tls.TLSSocket)) return null;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ECONNRESET' && code !== 'EPIPE') return null;
  return new TlsError(
    `TLS: the peer reset the connection before answering anything (${code}): it probably refused the ` +
      'handshake (does it require a client certificate, or not trust the one sent?)',
    code,
    'peer-refused',
    { cause: err },
  );
}

/** Readonly arrays in the public options; node:tls's types want mutable ones. */
type Mutable<T> = T extends ReadonlyArray<infer U> ? U[] : T;
function pem<T>(v: T): Mutable<T> {
  return v as Mutable<T>;
}

function handshakeTimeoutError(ms: number): TlsError {
  return new TlsError(
    `TLS: the handshake did not finish within ${ms} ms (is the peer speaking TLS on this port?)`,
    'ERR_TLS_HANDSHAKE_TIMEOUT',
    'handshake-timeout',
  );
}

/** Starts a TLS connection; `onread` is net's option, passed through (see node-io.ts READ_BUFFER). */
export function tlsConnect(
  target: { port: number; host: string },
  opts: ClientTlsOptions,
  onread: net.OnReadOpts,
): tls.TLSSocket {
  // allowHalfOpen reaches the TLSSocket (Node passes the options through) though
  // @types/node does not list it for tls.connect.
  const options: tls.ConnectionOptions & net.TcpSocketConnectOpts & { allowHalfOpen: boolean } = {
    port: target.port,
    host: target.host,
    allowHalfOpen: true,
    noDelay: true,
    onread,
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
  };
  if (opts.secureContext !== undefined) options.secureContext = opts.secureContext;
  if (opts.ca !== undefined) options.ca = pem(opts.ca);
  if (opts.cert !== undefined) options.cert = pem(opts.cert);
  if (opts.key !== undefined) options.key = pem(opts.key);
  if (opts.servername !== undefined) options.servername = opts.servername;
  if (opts.minVersion !== undefined) options.minVersion = opts.minVersion;
  if (opts.maxVersion !== undefined) options.maxVersion = opts.maxVersion;
  if (opts.ALPNProtocols !== undefined) options.ALPNProtocols = opts.ALPNProtocols;
  const socket = tls.connect(options);
  handshaking.add(socket);
  const ms = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_MS;
  const timer = ms > 0 ? setTimeout(() => socket.destroy(handshakeTimeoutError(ms)), ms) : null;
  timer?.unref();
  const done = (): void => {
    handshaking.delete(socket);
    if (timer !== null) clearTimeout(timer);
  };
  socket.once('secureConnect', done);
  socket.once('close', done);
  return socket;
}

/**
 * A tls.Server for createServer. `onAccept` gets each socket once its
 * handshake is done. Raw sockets still handshaking are tracked so that
 * closing the listener closes them too (release() must not leave a peer
 * that never finishes holding the process open until the timeout).
 */
export function createTlsListener(
  opts: ServerTlsOptions,
  onAccept: (socket: tls.TLSSocket) => void,
): { server: tls.Server; closeHandshakes: () => void } {
  const requestCert = opts.requestCert ?? false;
  const options: tls.TlsOptions = {
    key: pem(opts.key),
    cert: pem(opts.cert),
    requestCert,
    rejectUnauthorized: requestCert ? (opts.rejectUnauthorized ?? true) : false,
    handshakeTimeout: opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_MS,
    allowHalfOpen: true,
    noDelay: true,
  };
  if (opts.ca !== undefined) options.ca = pem(opts.ca);
  if (opts.ALPNProtocols !== undefined) options.ALPNProtocols = opts.ALPNProtocols;
  if (opts.minVersion !== undefined) options.minVersion = opts.minVersion;
  const server = tls.createServer(options);
  // Raw sockets still handshaking, by peer address (the TLS socket reports
  // the same address and port, and Node gives no public link between them).
  const raw = new Map<string, net.Socket>();
  const key = (s: net.Socket): string => `${s.remoteAddress}|${s.remotePort}`;
  server.on('connection', (socket: net.Socket) => {
    const k = key(socket);
    raw.set(k, socket);
    socket.once('close', () => {
      if (raw.get(k) === socket) raw.delete(k);
    });
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    // From here on the TLS socket owns the raw one; closing it closes both.
    raw.delete(key(socket));
    onAccept(socket);
  });
  server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
    // With a listener here Node leaves the socket open (a handshake
    // timeout, for one): close it, it never took a slot.
    socket.destroy();
    const e = toReactorError(err);
    opts.onHandshakeError?.(
      e instanceof TlsError ? e : new TlsError(`TLS: handshake failed: ${e.message}`, e.code, 'other', { cause: err }),
    );
  });
  return {
    server,
    closeHandshakes: () => {
      for (const s of raw.values()) s.destroy();
      raw.clear();
    },
  };
}
