/**
 * liblzf 3.6's compressor as redis-server builds it (HLOG 16, VERY_FAST,
 * hash slots holding offsets), so that a payload mini-redis writes is the
 * same bytes as Redis's: RDB strings longer than 20 bytes are stored
 * LZF-compressed when that saves at least 4 bytes (FUNCTION DUMP's library
 * code is one). The decompressor is rdb.ts's lzfDecompress.
 *
 * Output format: a control byte below 32 starts a run of (ctrl + 1)
 * literal bytes; otherwise its top 3 bits are a back-reference length - 2
 * (7: one more length byte follows), its low 5 bits and the next byte the
 * distance - 1.
 *
 * Redis leaves its hash table uninitialised (INIT_HTAB 0); this one starts
 * empty. A stale slot in Redis can only add a match that its byte check
 * confirms, so the two can differ only where such a stale position
 * happens to hold the same three bytes.
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** VERY_FAST's hash of the 3 bytes in `h` (unsigned 32-bit arithmetic, as the C's unsigned int). */
function idx(h: number): number {
  return ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/** lzf_compress: the compressed bytes if they fit in `outLen`, else null (the C's 0). */
export function lzfCompress(input: Uint8Array, outLen: number): Buffer | null {
  const inLen = input.length;
  if (inLen === 0 || outLen === 0) return null;
  const at = (i: number): number => input[i] ?? 0;
  const htab = new Uint32Array(HSIZE);
  // One spare byte: the C also writes a run's control byte at out_end before it checks.
  const out = Buffer.alloc(outLen + 1);
  let ip = 0;
  let op = 1; // start run
  let lit = 0;
  let hval = (at(0) << 8) | at(1);
  while (ip < inLen - 2) {
    hval = ((hval << 8) | at(ip + 2)) >>> 0;
    const slot = idx(hval);
    const ref = htab[slot] as number;
    htab[slot] = ip;
    const off = ip - ref - 1;
    if (off >= 0 && off < MAX_OFF && ref > 0 && at(ref + 2) === at(ip + 2) && at(ref) === at(ip) && at(ref + 1) === at(ip + 1)) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outLen && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outLen) return null;
      out[op - lit - 1] = lit - 1; // stop run
      op -= lit === 0 ? 1 : 0; // undo run if length is zero
      // The C's unrolled first 16 steps check no bound (maxlen > 16 makes them safe), then a bounded loop.
      let mismatch = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16 && !mismatch; k++) {
          len++;
          if (at(ref + len) !== at(ip + len)) mismatch = true;
        }
      }
      if (!mismatch) {
        do len++;
        while (len < maxlen && at(ref + len) === at(ip + len));
      }
      len -= 2; // the number of bytes - 1
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the two positions before the new ip.
      ip -= 2;
      hval = (at(ip) << 8) | at(ip + 1);
      hval = ((hval << 8) | at(ip + 2)) >>> 0;
      htab[idx(hval)] = ip;
      ip++;
      hval = ((hval << 8) | at(ip + 2)) >>> 0;
      htab[idx(hval)] = ip;
      ip++;
    } else {
      if (op >= outLen) return null;
      lit++;
      out[op++] = at(ip++);
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1; // stop run
        lit = 0;
        op++; // start run
      }
    }
  }
  if (op + 3 > outLen) return null; // at most 3 bytes can be missing here
  while (ip < inLen) {
    lit++;
    out[op++] = at(ip++);
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end run
  op -= lit === 0 ? 1 : 0; // undo run if length is zero
  return out.subarray(0, op);
}
