/**
 * The TLS half of the Node layer: the reactor's TLS options turned into
 * `node:tls` sockets and servers, which sockets are still in their
 * handshake, and the reason a handshake failed in words a person can act on.
 *
 * TLS changes nothing above this file. A `tls.TLSSocket` is a `net.Socket`
 * whose 'data' carries plaintext and whose write() takes plaintext, so
 * node-io.ts drives it exactly as a TCP socket; the only difference it sees
 * is when the connection counts as up: after the handshake ('secureConnect'),
 * not after the TCP connect. Until then `e.connected` is false, so the event
 * is not writable, e.out waits, and no read can fire (no plaintext exists).
 *
 * Servers hand acceptFn a socket only once its handshake is over
 * ('secureConnection'), so a client that fails the handshake never takes a
 * slot; its error goes to `tls.handshakeErrorFn` if the server set one.
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { ReactorError, toReactorError } from './errors.js';
import type { TlsConnectOptions, TlsServerOptions } from './reactor-api.js';

/** Outbound TLS sockets whose handshake has not completed yet. */
const handshaking = new WeakSet<net.Socket>();

/** Opens an outbound TLS connection; it counts as connected at 'secureConnect'. */
export function openTlsConnection(port: number, host: string, opts: TlsConnectOptions): tls.TLSSocket {
  const socket = tls.connect({
    port,
    host,
    // SNI takes host names only (Node warns about an IP address there).
    servername: opts.servername ?? (isIp(host) ? undefined : host),
    ca: opts.ca,
    cert: opts.cert,
    key: opts.key,
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
    minVersion: opts.minVersion,
    ALPNProtocols: opts.ALPNProtocols,
    allowHalfOpen: true,
  });
  socket.setNoDelay(true);
  handshaking.add(socket);
  socket.once('secureConnect', () => handshaking.delete(socket));
  return socket;
}

/** The event that means "connection up" for `socket`, or null when it is up already. */
export function readyEvent(socket: net.Socket): 'secureConnect' | 'connect' | null {
  if (handshaking.has(socket)) return 'secureConnect';
  return socket.connecting ? 'connect' : null;
}

/** A TLS server whose 'secureConnection' sockets are the reactor's accepted clients. */
export function createTlsServer(opts: TlsServerOptions): tls.Server {
  const server = tls.createServer({
    key: opts.key,
    cert: opts.cert,
    ca: opts.ca,
    requestCert: opts.requestCert ?? false,
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
    ALPNProtocols: opts.ALPNProtocols,
    minVersion: opts.minVersion,
    allowHalfOpen: true,
    noDelay: true,
  });
  const onError = opts.handshakeErrorFn;
  // Without a listener Node destroys the socket silently, which is what we want too.
  server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
    socket.destroy();
    onError?.(tlsError(err));
  });
  return server;
}

/**
 * Names the cause of a TLS failure. OpenSSL's codes say it precisely but
 * not plainly; the message keeps Node's text and the code stays as it was,
 * so `err.code` can still be matched.
 */
export function tlsError(err: unknown): ReactorError {
  const base = toReactorError(err);
  const reason = tlsReason(base.code);
  if (reason === null) return base;
  return new ReactorError(`TLS handshake failed (${reason}): ${base.message}`, base.code, { cause: err });
}

function tlsReason(code: string): string | null {
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'unknown CA: the peer certificate is not signed by a trusted CA';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'hostname mismatch: the certificate is not for this host';
    case 'CERT_HAS_EXPIRED':
      return 'certificate expired';
    case 'CERT_NOT_YET_VALID':
      return 'certificate not yet valid';
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
      return 'unknown CA: the peer does not trust our certificate';
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE':
      return 'certificate required: the peer asks for a client certificate';
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return 'not TLS: the peer does not speak TLS on this port';
    default:
      return code.startsWith('ERR_SSL_') ? 'protocol error' : null;
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
