/**
 * Typed errors handed to `errorFn` (and thrown by the few calls that can fail
 * synchronously). `code` is either Node's own (ECONNREFUSED, ECONNRESET, ...)
 * or one of the reactor's: EOF, ERR_REACTOR_FULL, ERR_INPUT_LIMIT,
 * ERR_OUTPUT_LIMIT, ERR_RELEASED.
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

/** Wraps whatever a socket emitted as 'error' so that `code` is always set. */
export function toReactorError(err: unknown): ReactorError {
  if (err instanceof ReactorError) return err;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return new ReactorError(err.message, typeof code === 'string' ? code : 'ERR_SOCKET', { cause: err });
  }
  return new ReactorError(String(err), 'ERR_SOCKET');
}

/** End of stream, the C `read() == 0`: shared because it carries no state. */
export function eofError(): ReactorError {
  return new ReactorError('connection closed by peer', 'EOF');
}
