/**
 * A raw RESP connection for the tests: sends commands and returns each
 * reply's exact bytes, so mini-redis can be compared with redis-server byte
 * for byte. `replyLength` finds where the first complete reply ends without
 * decoding it.
 */
import { encodeCommand } from '@reactor-ts/resp';
import * as net from 'node:net';

/** End offset of the complete reply starting at `at`, or -1 if it is not all there. */
export function replyLength(s: string, at = 0): number {
  const eol = s.indexOf('\r\n', at);
  if (eol === -1) return -1;
  const type = s[at];
  const n = Number(s.slice(at + 1, eol));
  let pos = eol + 2;
  switch (type) {
    case '$':
    case '!':
    case '=':
      if (n < 0) return pos;
      return s.length >= pos + n + 2 ? pos + n + 2 : -1;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      if (n < 0) return pos;
      const items = type === '%' || type === '|' ? n * 2 : n;
      for (let i = 0; i < items; i++) {
        pos = replyLength(s, pos);
        if (pos === -1) return -1;
      }
      // An attribute annotates the reply that follows it.
      return type === '|' ? replyLength(s, pos) : pos;
    }
    default:
      return pos;
  }
}

export class RawConnection {
  private received = '';
  private waiter: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host });
      s.once('connect', () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  /** Sends one command and returns its reply bytes (latin1 text). */
  async command(...argv: Array<string | Buffer | number>): Promise<string> {
    this.socket.write(encodeCommand(argv));
    return this.reply();
  }

  /** The next complete reply (or push) received. */
  async reply(): Promise<string> {
    let end = -1;
    const text = await this.until(
      (got) => (end = replyLength(got)) !== -1,
      (got) => got,
    );
    if (end === -1) return text;
    // Keep anything after the first reply for the next call.
    this.received = text.slice(end);
    return text.slice(0, end);
  }

  /** Sends raw bytes; resolves with everything received until `done` says so or the peer closes. */
  async raw(bytes: string | Buffer, done: (got: string) => boolean): Promise<string> {
    this.socket.write(bytes);
    return this.until(done, (got) => got);
  }

  /** Bytes received and not yet returned (pushes arrive here). */
  async read(done: (got: string) => boolean): Promise<string> {
    return this.until(done, (got) => got);
  }

  /** Writes bytes without waiting for anything. */
  send(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Stop reading: the kernel buffers fill and the server's output queue grows. */
  pause(): void {
    this.socket.pause();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }

  private until(done: (got: string) => boolean, take: (got: string) => string, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`timeout waiting for a reply; got ${JSON.stringify(this.received)}`));
      }, timeoutMs);
      const check = (): void => {
        if (done(this.received) || this.closed) {
          clearTimeout(timer);
          this.waiter = null;
          const out = take(this.received);
          this.received = '';
          resolve(out);
        }
      };
      this.waiter = check;
      check();
    });
  }
}
