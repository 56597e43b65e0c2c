/**
 * Typed errors handed to `errorFn` (and thrown by the few calls that can fail
 * synchronously). `code` is either Node's own (ECONNREFUSED, ECONNRESET, ...)
 * or one of the reactor's: EOF, ERR_REACTOR_FULL, ERR_INPUT_LIMIT,
 * ERR_OUTPUT_LIMIT, ERR_RELEASED, ERR_TLS_HANDSHAKE_TIMEOUT. TLS failures are
 * `TlsError`s: `code` stays OpenSSL's / Node's, `reason` names the cause.
 */
export class ReactorError extends Error {
  /** Machine-readable cause; see the class comment for the values. */
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReactorError';
    this.code = code;
  }
}

/** The slot table is full: `maxConn` events are alive (Redis's maxclients). */
export class ReactorFullError extends ReactorError {
  constructor(maxConn: number) {
    super(`reactor is full: all ${maxConn} event slots are in use`, 'ERR_REACTOR_FULL');
    this.name = 'ReactorFullError';
  }
}

/**
 * Why a TLS connection failed, named for the people who must fix it: the
 * first three are the usual certificate mistakes (wrong `ca`, wrong host
 * name or `servername`, a certificate past its date).
 */
export type TlsFailure =
  | 'unknown-ca'
  | 'hostname-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'peer-refused'
  | 'not-tls'
  | 'handshake-timeout'
  | 'other';

/** A TLS handshake or record-layer failure; `code` is Node's / OpenSSL's, unchanged. */
export class TlsError extends ReactorError {
  /** The cause in one word, for code that must react to it (see TlsFailure). */
  readonly reason: TlsFailure;

  constructor(message: string, code: string, reason: TlsFailure, options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'TlsError';
    this.reason = reason;
  }
}

/** OpenSSL's verify results and Node's TLS codes, by cause. */
const TLS_REASONS: ReadonlyArray<[TlsFailure, string, readonly string[]]> = [
  ['unknown-ca', 'the certificate is not signed by a trusted CA (check `ca`)', [
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE',
  ]],
  // The same mistake seen from the other end: the peer's alert about our certificate.
  ['unknown-ca', 'the peer does not trust our certificate (no CA it knows signed it)', [
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  ]],
  ['hostname-mismatch', 'the certificate does not name this host (check the host or `servername`)', [
    'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'IP_ADDRESS_MISMATCH',
  ]],
  ['expired', 'the certificate has expired', ['CERT_HAS_EXPIRED', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED']],
  ['not-yet-valid', 'the certificate is not valid yet', ['CERT_NOT_YET_VALID']],
  ['peer-refused', 'the peer refused the handshake (a client certificate it requires or trusts is missing)', [
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
    'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  ]],
  ['not-tls', 'the peer does not speak TLS on this port', ['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_HTTP_REQUEST']],
  ['handshake-timeout', 'the handshake did not finish in time', ['ERR_TLS_HANDSHAKE_TIMEOUT']],
];

function tlsReason(code: string): [TlsFailure, string] | null {
  for (const [reason, text, codes] of TLS_REASONS) if (codes.includes(code)) return [reason, text];
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return ['other', 'TLS failure'];
  return null;
}

/** Wraps whatever a socket emitted as 'error' so that `code` is always set. */
export function toReactorError(err: unknown): ReactorError {
  if (err instanceof ReactorError) return err;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const tls = typeof code === 'string' ? tlsReason(code) : null;
    if (tls !== null) {
      return new TlsError(`TLS: ${tls[1]}: ${sslText(err.message)} (${code})`, code!, tls[0], { cause: err });
    }
    return new ReactorError(err.message, typeof code === 'string' ? code : 'ERR_SOCKET', { cause: err });
  }
  return new ReactorError(String(err), 'ERR_SOCKET');
}

/** End of stream, the C `read() == 0`: shared because it carries no state. */
export function eofError(): ReactorError {
  return new ReactorError('connection closed by peer', 'EOF');
}

/**
 * OpenSSL's messages read `<thread>:error:<hex>:SSL routines:<function>:<what>:<file>:<line>:`;
 * only `<what>` helps a reader. Node's own messages are kept whole.
 */
function sslText(message: string): string {
  const openssl = /:SSL routines:[^:]*:([^:]+)/.exec(message);
  if (openssl !== null) return openssl[1]!.trim();
  const i = message.indexOf('\n');
  return (i < 0 ? message : message.slice(0, i)).trim();
}
