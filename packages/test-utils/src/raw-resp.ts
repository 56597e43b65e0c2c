/**
 * RespConnection: the one raw RESP test connection of the project. It writes
 * exactly the bytes it is given (or a command it encodes itself), records
 * every byte and the close, and hands back each reply's exact bytes, so a
 * test can compare servers byte for byte, see an error text, or watch a
 * connection end.
 *
 * It depends on nothing of the project's own: its tiny encoder and
 * `replyLength` / `decodeReply` are a second, independent reading of RESP,
 * which is what a test of the real reader and encoders wants beside it.
 * Text is kept as latin1, so every byte maps to one character.
 */
import net from 'node:net';
import tls from 'node:tls';

/** What `encodeArgv` accepts: strings are UTF-8, numbers and bigints their decimal text. */
export type RawArg = string | Buffer | number | bigint;

/** A RESP multibulk request for `argv`. */
export function encodeArgv(argv: readonly RawArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** End offset of the complete reply starting at `at` in latin1 `s`, or -1 if it is not all there. */
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

/** A decoded reply: errors are Error objects (message = the error line), maps are arrays of pairs. */
export type RawValue = string | number | bigint | boolean | null | Error | RawValue[];

/** Decodes one complete latin1 reply (as `command()` returns it) into plain values; bulk text as UTF-8. */
export function decodeReply(s: string): RawValue {
  const [value] = decodeAt(s, 0);
  return value;
}

function decodeAt(s: string, at: number): [RawValue, number] {
  const eol = s.indexOf('\r\n', at);
  if (eol === -1) throw new Error(`decodeReply: incomplete reply ${JSON.stringify(s.slice(at, at + 80))}`);
  const type = s[at];
  const line = s.slice(at + 1, eol);
  let pos = eol + 2;
  const utf8 = (t: string): string => Buffer.from(t, 'latin1').toString('utf8');
  switch (type) {
    case '+':
      return [utf8(line), pos];
    case '-':
      return [new Error(utf8(line)), pos];
    case ':': {
      const n = BigInt(line);
      return [n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n, pos];
    }
    case ',':
      return [Number(line === 'inf' ? Infinity : line === '-inf' ? -Infinity : line), pos];
    case '(':
      return [BigInt(line), pos];
    case '#':
      return [line === 't', pos];
    case '_':
      return [null, pos];
    case '$':
    case '!':
    case '=': {
      const n = Number(line);
      if (n < 0) return [null, pos];
      const body = utf8(s.slice(pos, pos + n));
      pos += n + 2;
      if (type === '!') return [new Error(body), pos];
      return [type === '=' ? body.slice(4) : body, pos];
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const n = Number(line);
      if (n < 0) return [null, pos];
      const count = type === '%' || type === '|' ? n * 2 : n;
      const items: RawValue[] = [];
      for (let i = 0; i < count; i++) {
        const [v, next] = decodeAt(s, pos);
        items.push(v);
        pos = next;
      }
      if (type === '|') return decodeAt(s, pos);
      if (type === '%') {
        const pairs: RawValue[] = [];
        for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
        return [pairs, pos];
      }
      return [items, pos];
    }
    default:
      throw new Error(`decodeReply: unknown type byte ${JSON.stringify(type)}`);
  }
}

export class RespConnection {
  /** Bytes received and not yet returned by `reply()` / `read()`, latin1. */
  received = '';
  private waiters: Array<() => void> = [];
  private closedFlag = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    // A reset from a server closing on us is an expected outcome in these tests.
    socket.on('error', () => undefined);
  }

  /**
   * Connects to `host:port` (default 127.0.0.1) or to a unix socket path;
   * with `tls`, over TLS with those options (ca, cert, key, servername ...).
   */
  static open(port: number | string, host = '127.0.0.1', o: { tls?: tls.ConnectionOptions } = {}): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      let s: net.Socket;
      if (o.tls) s = tls.connect({ ...o.tls, port: Number(port), host });
      else s = typeof port === 'string' ? net.connect({ path: port }) : net.connect({ port, host });
      s.once(o.tls ? 'secureConnect' : 'connect', () => resolve(new RespConnection(s)));
      s.once('error', reject);
    });
  }

  /** Sends one command and returns its reply's exact bytes (latin1 text). */
  command(...argv: RawArg[]): Promise<string> {
    this.socket.write(encodeArgv(argv));
    return this.reply();
  }

  /** Sends one command and decodes its reply (`decodeReply`). */
  async call(...argv: RawArg[]): Promise<RawValue> {
    return decodeReply(await this.command(...argv));
  }

  /** The next complete reply (or push) received; what follows it stays for the next call. */
  async reply(timeoutMs = 10_000): Promise<string> {
    let end = -1;
    await this.until(() => (end = replyLength(this.received)) !== -1 || this.closedFlag, timeoutMs, 'a reply');
    if (end === -1) {
      const rest = this.received;
      this.received = '';
      return rest;
    }
    const out = this.received.slice(0, end);
    this.received = this.received.slice(end);
    return out;
  }

  /** Sends raw bytes; resolves with everything received once `done` holds or the peer closes. */
  raw(bytes: string | Buffer, done: (got: string) => boolean, timeoutMs = 10_000): Promise<string> {
    this.socket.write(bytes);
    return this.read(done, timeoutMs);
  }

  /** Everything received so far once `done` holds or the peer closes, taken out of `received`. */
  async read(done: (got: string) => boolean, timeoutMs = 10_000): Promise<string> {
    await this.until(() => done(this.received) || this.closedFlag, timeoutMs, 'the expected bytes');
    const out = this.received;
    this.received = '';
    return out;
  }

  /** Sends `cmd` and waits until `expect` appears in what arrives after it (nothing is taken). */
  async ask(cmd: string | Buffer, expect: string, timeoutMs = 10_000): Promise<void> {
    const from = this.received.length;
    this.socket.write(cmd);
    await this.until(() => this.received.indexOf(expect, from) !== -1, timeoutMs, JSON.stringify(expect));
  }

  /** Writes bytes without waiting for anything (ignored once closed). */
  send(bytes: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Stop reading: the kernel buffers fill and the server's output queue grows. */
  pause(): void {
    this.socket.pause();
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Resolves when `pred` holds (checked on every arrival and on close, given this connection); rejects after `timeoutMs`. */
  until(pred: (c: RespConnection) => boolean, timeoutMs = 10_000, what = 'a condition'): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received.slice(0, 300))}, closed=${this.closedFlag}`));
      }, timeoutMs);
      const check = (): void => {
        if (pred(this)) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/** Opens a connection, runs one command, closes: for harness code that asks a server one thing. */
export async function rawCall(port: number, argv: RawArg[], host = '127.0.0.1'): Promise<RawValue> {
  const c = await RespConnection.open(port, host);
  try {
    return await c.call(...argv);
  } finally {
    c.close();
  }
}
