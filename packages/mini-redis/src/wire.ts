/**
 * Turns reply values into bytes: a batch writer for the hot path, with
 * `encodeReply` doing the general work.
 *
 * Why a batch: a pipelined read carries many requests (redis-benchmark -P 16
 * sends sixteen at once). Encoding each reply into its own Buffer and
 * queueing each one with `eventBufferWrite` costs an allocation and a queue
 * operation per reply; instead, replies to the connection being served are
 * appended to one scratch buffer and queued once when its read is done. The
 * commonest replies (+OK, nil, integers, bulk strings) are written into the
 * scratch directly.
 */
import { Buffer } from 'node:buffer';
import { encodeReply, SimpleString } from '@reactor-ts/resp';
import { NULL_ARRAY, OK, PONG, QUEUED } from './reply.js';

const OK_BYTES = Buffer.from('+OK\r\n');
const PONG_BYTES = Buffer.from('+PONG\r\n');
const QUEUED_BYTES = Buffer.from('+QUEUED\r\n');
const NULL2 = Buffer.from('$-1\r\n');
const NULL3 = Buffer.from('_\r\n');
const NULL_ARRAY2 = Buffer.from('*-1\r\n');
// Doubles as Redis 7.0 prints them (%.17g), so any double reply matches it byte for byte.
const OPTS2 = { protocol: 2, doubleFormat: 'redis' } as const;
const OPTS3 = { protocol: 3, doubleFormat: 'redis' } as const;
const SCRATCH = 64 * 1024;
/** A bulk past this goes out as its own piece rather than through the scratch. */
const BIG = 16 * 1024;

/** Appends encoded replies for one connection; `flush` hands them on in one piece. */
export class ReplyBatch {
  private buf = Buffer.allocUnsafeSlow(SCRATCH);
  private len = 0;

  /** `out` receives the bytes (copied by it: the scratch is reused). */
  constructor(private readonly out: (bytes: Buffer) => void) {}

  reply(value: unknown, protocol: 2 | 3): void {
    if (value === OK) return this.bytes(OK_BYTES);
    if (value === PONG) return this.bytes(PONG_BYTES);
    if (value === QUEUED) return this.bytes(QUEUED_BYTES);
    if (value === null) return this.bytes(protocol === 3 ? NULL3 : NULL2);
    if (value instanceof Buffer && value.length <= BIG) return this.bulk(value);
    if (typeof value === 'number' && Number.isSafeInteger(value)) return this.integer(value);
    if (value === NULL_ARRAY) return this.bytes(protocol === 3 ? NULL3 : NULL_ARRAY2);
    if (value instanceof SimpleString && value.value.length < 64 && !/[\r\n]/.test(value.value)) {
      return this.line(0x2b, value.value);
    }
    if (Array.isArray(value)) {
      // walked here rather than in encodeReply so that small bulks take the fast path
      this.line(0x2a, String(value.length));
      for (const item of value) this.reply(item, protocol);
      return;
    }
    this.bytes(encodeReply(value, protocol === 3 ? OPTS3 : OPTS2));
  }

  bytes(b: Buffer): void {
    if (this.len + b.length > this.buf.length) {
      this.flush();
      if (b.length > BIG) return this.out(b);
    }
    if (b.length <= 32) {
      const buf = this.buf;
      let len = this.len;
      for (let i = 0; i < b.length; i++) buf[len++] = b[i] as number;
      this.len = len;
    } else {
      b.copy(this.buf, this.len);
      this.len += b.length;
    }
  }

  flush(): void {
    if (this.len === 0) return;
    this.out(this.buf.subarray(0, this.len));
    this.len = 0;
  }

  private room(n: number): void {
    if (this.len + n > this.buf.length) this.flush();
  }

  private bulk(b: Buffer): void {
    this.room(b.length + 24);
    const buf = this.buf;
    buf[this.len++] = 0x24; // $
    this.ascii(String(b.length));
    buf[this.len++] = 0x0d;
    buf[this.len++] = 0x0a;
    if (b.length <= 32) {
      // A loop beats the native copy's call overhead for a few bytes.
      let len = this.len;
      for (let i = 0; i < b.length; i++) buf[len++] = b[i] as number;
      this.len = len;
    } else {
      b.copy(buf, this.len);
      this.len += b.length;
    }
    buf[this.len++] = 0x0d;
    buf[this.len++] = 0x0a;
  }

  /** Short ASCII text, byte by byte: cheaper than Buffer#write for a few bytes. */
  private ascii(text: string): void {
    const buf = this.buf;
    let len = this.len;
    for (let i = 0; i < text.length; i++) buf[len++] = text.charCodeAt(i);
    this.len = len;
  }

  private integer(n: number): void {
    this.line(0x3a, String(n));
  }

  /** `<prefix><ascii text>\r\n`, text short and free of CR/LF. */
  private line(prefix: number, text: string): void {
    this.room(text.length + 3);
    const buf = this.buf;
    buf[this.len++] = prefix;
    this.ascii(text);
    buf[this.len++] = 0x0d;
    buf[this.len++] = 0x0a;
  }
}
