/**
 * "node:net bare": no client at all, the floor the network suites measure
 * every client against. Commands go out as RESP the caller built as a
 * latin1 string (once, where the bytes repeat); replies come back as
 * CRLF-terminated lines, split and handed out in order, with no RESP
 * parsing beyond that (the caller knows how many lines each reply has). One
 * promise per send, net's `onread` buffer, the sends of one tick in one
 * socket write. Whatever a real client does on top of this is what it
 * costs; what this cannot beat, no Node client can in the same workload.
 */
import * as net from 'node:net';

type Resolver = (value: never) => void;

function noop(): void {}

export class BareConnection {
  /** Waiting sends in order: how many lines each wants, and its resolver; [head, length) live. */
  private counts: number[] = [];
  private resolvers: Resolver[] = [];
  private head = 0;
  /** Lines collected so far for the head's multi-line reply. */
  private got: string[] = [];
  /** The start of a line split across reads. */
  private carry = '';
  /** Commands sent this tick, not yet written. */
  private out = '';
  private readonly flush = (): void => {
    this.socket.write(this.out, 'latin1');
    this.out = '';
  };
  /** Lines nobody waits for (a subscriber's messages). */
  unsolicited: ((line: string) => void) | null = null;

  private constructor(private readonly socket: net.Socket) {}

  static async open(port: number): Promise<BareConnection> {
    let conn: BareConnection | null = null;
    const socket = net.connect({
      port,
      host: '127.0.0.1',
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(64 * 1024),
        callback: (n, buf) => {
          conn!.bytes(Buffer.from(buf.buffer, buf.byteOffset, n).toString('latin1'));
          return true;
        },
      },
    });
    conn = new BareConnection(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return conn;
  }

  /** Sends `bytes` (RESP as a latin1 string); resolves with the next reply line (`:N` as the number N). */
  one(bytes: string): Promise<string | number> {
    return this.send(bytes, 1);
  }

  /** Sends `bytes`; resolves with the next `lines` reply lines. */
  many(bytes: string, lines: number): Promise<string[]> {
    return this.send(bytes, lines);
  }

  close(): void {
    this.socket.destroy();
  }

  private send<T>(bytes: string, lines: number): Promise<T> {
    // Everything sent in one tick leaves in one write, as any pipelining
    // client's: the commands are joined (a string rope, flattened once) and
    // written when the tick's synchronous code is done.
    if (this.out === '') process.nextTick(this.flush);
    this.out += bytes;
    return new Promise<T>((resolve) => {
      this.counts.push(lines);
      this.resolvers.push(resolve as Resolver);
    });
  }

  private bytes(chunk: string): void {
    const text = this.carry === '' ? chunk : this.carry + chunk;
    let from = 0;
    let at: number;
    while ((at = text.indexOf('\r\n', from)) !== -1) {
      this.line(text.slice(from, at));
      from = at + 2;
    }
    this.carry = text.slice(from);
  }

  private line(line: string): void {
    if (this.head === this.resolvers.length) {
      this.unsolicited?.(line);
      return;
    }
    const want = this.counts[this.head]!;
    let value: string | number | string[] = line.charCodeAt(0) === 58 /* ':' */ ? Number(line.slice(1)) : line;
    if (want > 1) {
      this.got.push(line);
      if (this.got.length < want) return;
      value = this.got;
      this.got = [];
    }
    const resolve = this.resolvers[this.head]!;
    // Let the settled promise's resolver go, as a client would.
    this.resolvers[this.head] = noop;
    if (++this.head === this.resolvers.length) {
      // All answered: start over rather than let the arrays grow forever.
      this.counts = [];
      this.resolvers = [];
      this.head = 0;
    }
    (resolve as (v: unknown) => void)(value);
  }
}

/** A command as RESP bytes (string arguments only). */
export function encode(...args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}
