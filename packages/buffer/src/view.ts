/**
 * bufferView: a Buffer over bytes of an ArrayBuffer, made the cheapest way
 * Node allows.
 *
 * Node 20's `Buffer#subarray` is `new FastBuffer(this.buffer, ...)`, and
 * `this.buffer` is a C++ getter: about a third of a view's cost (callgrind:
 * ~120 of ~360 instructions). A parser that keeps its chunk's ArrayBuffer
 * and offset at hand can construct the view directly. `Buffer[Symbol.species]`
 * is that FastBuffer class (the constructor typed-array methods use to make
 * Buffers); it is checked once at load, and if a future Node changes it the
 * views come from `Buffer.from(arrayBuffer, offset, length)`, which is always
 * right, only slower.
 */
// Node's global `Buffer` is a getter on globalThis: every `Buffer.x` in a hot
// path paid a LoadGlobalIC miss and a call (~180 instructions, callgrind).
import { Buffer } from 'node:buffer';
type ViewCtor = new (bytes: ArrayBufferLike, byteOffset: number, length: number) => Buffer;

function fastBuffer(): ViewCtor | null {
  try {
    const C = (Buffer as unknown as Record<symbol, unknown>)[Symbol.species];
    if (typeof C !== 'function') return null;
    const probe = new ArrayBuffer(4);
    const v = new (C as ViewCtor)(probe, 1, 2);
    const ok = Buffer.isBuffer(v) && Object.getPrototypeOf(v) === Buffer.prototype && v.buffer === probe && v.byteOffset === 1 && v.length === 2;
    return ok ? (C as ViewCtor) : null;
  } catch {
    return null;
  }
}

const View: ViewCtor | null = fastBuffer();

/**
 * A Buffer of `length` bytes of `bytes` from `byteOffset` on, sharing its
 * memory (no copy). The caller checks the range: it is not re-validated.
 */
export function bufferView(bytes: ArrayBufferLike, byteOffset: number, length: number): Buffer {
  return View !== null ? new View(bytes, byteOffset, length) : Buffer.from(bytes, byteOffset, length);
}
