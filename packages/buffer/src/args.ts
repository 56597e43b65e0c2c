/**
 * Argument checks shared by ChainBuffer's methods: they run before any state
 * changes, so a bad call throws (TypeError for the wrong kind of value,
 * RangeError for a bad number) and leaves the buffer as it was.
 */

let lastSepString = '\r\n';
let lastSepBytes: Uint8Array = new Uint8Array([13, 10]);

/** The separator as bytes; the last string separator is cached. */
export function separator(sep: Uint8Array | string): Uint8Array {
  if (typeof sep === 'string') {
    if (sep !== lastSepString) {
      lastSepBytes = Buffer.from(sep);
      lastSepString = sep;
    }
    return lastSepBytes;
  }
  if (!(sep instanceof Uint8Array)) {
    throw new TypeError(`ChainBuffer.search: sep must be a Uint8Array or string, got ${describe(sep)}`);
  }
  return sep;
}

export function option(value: number | undefined, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (value !== Infinity && !Number.isInteger(value))) {
    throw new RangeError(`ChainBuffer: ${name} must be an integer >= ${min}, got ${describe(value)}`);
  }
  if (name !== 'maxSize' && value === Infinity) {
    throw new RangeError(`ChainBuffer: ${name} must be finite`);
  }
  return value;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
