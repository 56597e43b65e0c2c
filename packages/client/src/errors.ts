/**
 * The promise client's errors. Every rejection is one of these (or a
 * `ReplyError`, the server's own answer), so callers can tell "Redis said no"
 * from "the command may never have reached Redis" from "it took too long".
 *
 * Each carries a `code` for switch statements and a message that says what
 * happened and to which server, because "Connection is closed." alone does
 * not help anyone at 3 a.m. Each also carries `mayHaveRun`, the one fact a
 * caller needs to retry safely:
 * - false: the command certainly did not reach the server (it waited for a
 *   connection, was refused before sending, or the client is closed): safe
 *   to send again;
 * - true: it was written and no reply came (the link failed, or its
 *   deadline passed): Redis may have run it, so re-send only if it is
 *   idempotent.
 */
export { ReplyError } from '@reactor-ts/resp';

/**
 * The link to the server failed or was closed while the command was pending.
 * Whether a written command ran on the server is unknown: it was not re-sent.
 */
export class ConnectionError extends Error {
  override readonly name: string = 'ConnectionError';
  /**
   * Why: Node's socket code (`ECONNREFUSED`, `ECONNRESET`, ...), `EOF`
   * (the server closed), `ERR_DISCONNECTED` (`disconnect()` was called),
   * `ERR_AUTH` (the handshake was refused), or `ERR_CONNECTION`.
   */
  readonly code: string;
  /** The command was written before the failure, so Redis may have run it (see the top of this file). */
  readonly mayHaveRun: boolean;

  constructor(message: string, code = 'ERR_CONNECTION', options?: { cause?: unknown; mayHaveRun?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.mayHaveRun = options?.mayHaveRun ?? true;
  }
}

/**
 * A connect or command deadline passed. A command's deadline counts from
 * when it was issued, wherever it waited (for a connection, or for its
 * reply); one that was written keeps its place on the connection and its
 * late reply is dropped (unless `closeOnTimeout`).
 */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(
    message: string,
    /** The deadline that passed, in ms. */
    readonly timeoutMs: number,
    /** The command had been written when its deadline passed (see the top of this file). */
    readonly mayHaveRun: boolean = true,
  ) {
    super(message);
  }
}

/** The offline queue (commands waiting for a connection) is at its limit. */
export class OfflineQueueFullError extends Error {
  override readonly name = 'OfflineQueueFullError';
  readonly code = 'ERR_OFFLINE_QUEUE_FULL';
  readonly mayHaveRun = false;
  constructor(readonly limit: number) {
    super(
      `offline queue is full: ${limit} commands are already waiting for the connection ` +
        `(raise offlineQueueLimit, or await connect() before issuing commands)`,
    );
  }
}

/**
 * The connection refused the command before anything was sent: bad
 * arguments (an empty command, an argument that is not a string, Buffer or
 * number), or a command its mode does not allow (RESP2 subscribed mode,
 * MONITOR). Unlike its parent's other cases, the command certainly did not
 * run; it is a ConnectionError so that code catching those keeps working.
 */
export class CommandRefusedError extends ConnectionError {
  override readonly name = 'CommandRefusedError';
  constructor(message: string) {
    super(message, 'ERR_COMMAND_REFUSED', { mayHaveRun: false });
  }
}

/** The client was closed (`quit()`, `disconnect()`, or it gave up reconnecting); it takes no more commands. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  readonly code = 'ERR_CLIENT_CLOSED';
  readonly mayHaveRun = false;
}

/**
 * The command's AbortSignal fired (`client.withAbortSignal(signal)`,
 * `pipeline.exec({ signal })`). `mayHaveRun` false: it was still waiting for
 * a connection and was taken out of the queue, or the signal had fired
 * before it was issued — it never reached Redis. True: it had been written,
 * so Redis may run it or have run it; its reply, when it comes, is dropped
 * and the commands behind it get theirs. `cause` is the signal's reason.
 * Named as the platform's AbortError, so `err.name === 'AbortError'` checks
 * (fetch, timers/promises) work for it too.
 */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';
  constructor(
    message: string,
    /** Written before the abort (see the top of this file). */
    readonly mayHaveRun: boolean,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
