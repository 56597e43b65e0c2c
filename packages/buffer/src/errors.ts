/**
 * Thrown by `ChainBuffer.add` / `addReference` when the append would take the
 * buffer past its `maxSize`. The append is refused whole: nothing of it is
 * stored, so the caller can drop the connection (or drain and retry) with the
 * buffer exactly as it was.
 */
export class BufferOverflowError extends RangeError {
  readonly code = 'ERR_BUFFER_OVERFLOW' as const;
  /** The configured limit, in bytes. */
  readonly maxSize: number;
  /** Bytes buffered when the append was refused. */
  readonly length: number;
  /** Size of the refused append, in bytes. */
  readonly attempted: number;

  constructor(maxSize: number, length: number, attempted: number) {
    super(
      `ChainBuffer overflow: appending ${attempted} bytes to ${length} buffered ` +
        `would exceed maxSize ${maxSize}`,
    );
    this.name = 'BufferOverflowError';
    this.maxSize = maxSize;
    this.length = length;
    this.attempted = attempted;
  }
}
