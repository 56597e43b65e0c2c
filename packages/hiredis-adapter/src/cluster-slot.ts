/**
 * Which of Redis Cluster's 16384 hash slots a key lives in: CRC16 (the
 * XMODEM variant: polynomial 0x1021, initial value 0, no reflection) of the
 * key, or of its hash tag, modulo 16384. Pure, no I/O.
 *
 * The hash tag is the part between the first `{` and the first `}` after
 * it, when that part is not empty: `{user:1}.name` and `{user:1}.mail` share
 * a slot, so multi-key commands and transactions can use both. `{}x` and
 * `x{` have no tag, and hash whole.
 */
import type { CommandArgument } from '@reactor-ts/resp';

export const CLUSTER_SLOTS = 16384;

const OPEN = 0x7b; // '{'
const CLOSE = 0x7d; // '}'

/** CRC16 by table: one lookup per byte. */
const TABLE = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16-XMODEM of `bytes[from, to)`. */
export function crc16(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

/**
 * The same over `s[from, to)` when its characters are all below 0x80 (their
 * UTF-8 bytes are the char codes); -1 as soon as one is not, so the caller
 * hashes the UTF-8 bytes instead. One pass: the check rides on the hash.
 */
function crc16Ascii(s: string, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ c) & 0xff]!;
  }
  return crc;
}

/** The `[from, to)` range that is hashed: the hash tag's inside, or the whole key. */
function tagRange(at: (i: number) => number, length: number): [number, number] {
  let open = -1;
  for (let i = 0; i < length; i++) {
    if (at(i) === OPEN) {
      open = i;
      break;
    }
  }
  if (open === -1) return [0, length];
  for (let j = open + 1; j < length; j++) {
    if (at(j) === CLOSE) return j === open + 1 ? [0, length] : [open + 1, j];
  }
  return [0, length];
}

/**
 * The slot of `key` (a string is hashed as its UTF-8 bytes, a number as its
 * decimal text, as the encoder sends them). A string is hashed from its
 * characters without making a Buffer when the hashed part (the tag, or the
 * whole key) is ASCII: `{` and `}` are single bytes in UTF-8 and no other
 * character's bytes contain them, so the tag found in the characters is the
 * tag of the bytes, whatever the key holds outside it.
 */
export function keySlot(key: CommandArgument): number {
  if (typeof key === 'string') {
    // The hot path: no closure, no Buffer, one pass over the hashed part.
    let from = 0;
    let to = key.length;
    const open = key.indexOf('{');
    if (open !== -1) {
      const close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        from = open + 1;
        to = close;
      }
    }
    const crc = crc16Ascii(key, from, to);
    if (crc >= 0) return crc & (CLUSTER_SLOTS - 1);
  }
  const bytes = key instanceof Uint8Array ? key : Buffer.from(String(key), 'utf8');
  const [a, b] = tagRange((i) => bytes[i]!, bytes.length);
  return crc16(bytes, a, b) & (CLUSTER_SLOTS - 1);
}
