/**
 * The seeded randomness and byte mutations every fuzzer and randomised test
 * of the project shares (the RESP reply fuzz, the request fuzz in
 * reliability/, the fault proxy's reset points, the bench corpora): one
 * generator, so a seed means the same stream everywhere, and one mutation
 * engine, which each fuzzer gives its own vocabulary (the type bytes and the
 * hostile headers of its protocol side).
 */

export type Rand = () => number;

/** mulberry32: small, fast, and the same stream on every machine (repeatable runs matter more than quality here). */
export function rng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

export function int(r: Rand, n: number): number {
  return Math.floor(r() * n);
}

/** `ins` inserted into `b` at `at` (a string as latin1, byte for byte). */
export function splice(b: Buffer, at: number, ins: string | Buffer): Buffer {
  return Buffer.concat([b.subarray(0, at), typeof ins === 'string' ? Buffer.from(ins, 'latin1') : ins, b.subarray(at)]);
}

/** What a fuzzer's mutations insert: its protocol's bytes and hostile headers. */
export interface MutationVocabulary {
  /** Bytes that a type byte is swapped for (most of the time; otherwise any byte). */
  readonly typeBytes: readonly number[];
  /** Headers announcing lengths past every limit. */
  readonly hugeLengths: readonly string[];
  /** Negative or malformed lengths. */
  readonly badLengths: readonly string[];
  /** A run of nested aggregate headers, now and then around the nesting limit. */
  nesting(r: Rand): string;
}

/**
 * One random mutation of `b`: truncate, flip a bit, swap a type byte, insert
 * a huge or a bad length, nest deeply, insert garbage, delete or duplicate a
 * range — each about as likely as the others.
 */
export function mutate(r: Rand, b: Buffer, vocab: MutationVocabulary): Buffer {
  if (b.length === 0) return b;
  const at = int(r, b.length);
  switch (int(r, 9)) {
    case 0:
      return b.subarray(0, at);
    case 1: {
      const c = Buffer.from(b);
      c[at] = c[at]! ^ (1 << int(r, 8));
      return c;
    }
    case 2: {
      const c = Buffer.from(b);
      c[at] = r() < 0.8 ? pick(r, vocab.typeBytes) : int(r, 256);
      return c;
    }
    case 3:
      return splice(b, at, pick(r, vocab.hugeLengths));
    case 4:
      return splice(b, at, pick(r, vocab.badLengths));
    case 5:
      return splice(b, at, vocab.nesting(r));
    case 6:
      return splice(b, at, Buffer.from(Array.from({ length: 1 + int(r, 8) }, () => int(r, 256))));
    case 7:
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 10))]);
    default:
      return splice(b, at, b.subarray(int(r, b.length), int(r, b.length) + 12));
  }
}
