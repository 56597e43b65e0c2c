/**
 * Errors of the protocol layer.
 *
 * `ProtocolError` means the byte stream itself is broken: the reader stops and
 * refuses input until `reset()`, and a connection using it must be closed.
 * `ReplyError` is a well-formed error *reply* (`-ERR ...`, `!...`): a value,
 * returned to whoever issued the command, never a reason to drop the link.
 */

/** The stream violates RESP or a configured limit. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** Always 'ERR_PROTOCOL', for code that switches on `err.code`. */
  readonly code = 'ERR_PROTOCOL';
  constructor(
    message: string,
    /** Byte offset in the stream (counted from the last reset) where it went wrong. */
    readonly offset: number,
    /** The offending byte, when there is one. */
    readonly byte?: number,
  ) {
    super(message);
  }
}

/** An error reply from the server (`-` or `!`). */
export class ReplyError extends Error {
  override readonly name = 'ReplyError';
  /** The first word of the message, e.g. `ERR`, `WRONGTYPE`, `NOSCRIPT`. */
  readonly code: string;
  constructor(message: string) {
    super(message);
    const sp = message.indexOf(' ');
    this.code = sp === -1 ? message : message.slice(0, sp);
  }
}
