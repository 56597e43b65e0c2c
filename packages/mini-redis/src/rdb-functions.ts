/**
 * FUNCTION DUMP / FUNCTION RESTORE payloads, as Redis 7.0's
 * functionDumpCommand writes them: for each library the RDB opcode
 * FUNCTION2 (245) and its code as an RDB string (LZF-compressed when
 * longer than 20 bytes and compressible, as rdbSaveRawString does), then
 * the RDB version and a CRC64, the same footer as a key's DUMP (rdb.ts).
 */
import { lzfCompress } from './lzf.js';
import { BadPayload, rdbLength, Reader, withFooter } from './rdb.js';

const OPCODE_FUNCTION2 = 245;
/** RDB_ENCVAL << 6 | RDB_ENC_LZF. */
const ENC_LZF = 0xc3;

/** rdbSaveRawString for a string that is never integer-like (library code starts with "#!"). */
function rdbString(s: Buffer): Buffer[] {
  if (s.length > 20) {
    // rdbSaveLzfStringObject: worth it only when it saves at least 4 bytes.
    const c = lzfCompress(s, s.length - 4);
    if (c !== null) return [Buffer.from([ENC_LZF]), rdbLength(c.length), rdbLength(s.length), c];
  }
  return [rdbLength(s.length), s];
}

/** The payload of these libraries' codes, in the order given. */
export function dumpFunctions(codes: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const code of codes) parts.push(Buffer.from([OPCODE_FUNCTION2]), ...rdbString(code));
  return withFooter(Buffer.concat(parts));
}

/**
 * The library codes in a verified payload; an Error with Redis's text (no
 * "ERR ") when it is not a functions payload. Reading goes on while more
 * than the 10 footer bytes are left, as Redis's loop does.
 */
export function restoreFunctions(p: Buffer): Buffer[] {
  const r = new Reader(p);
  const codes: Buffer[] = [];
  while (p.length - r.pos > 10) {
    // 7.0 has no word for the pre-GA opcode (244): it is 'not a function' as any other.
    const type = r.byte();
    if (type !== OPCODE_FUNCTION2) throw new Error('given type is not a function');
    try {
      codes.push(r.string());
    } catch (e) {
      if (e instanceof BadPayload || e instanceof RangeError) throw new Error('Failed loading library payload');
      throw e;
    }
  }
  return codes;
}
