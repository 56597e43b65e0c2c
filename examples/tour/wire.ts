/**
 * Step 1, the article's §1.2: what `set key value` looks like on the wire,
 * sent over a raw connection made by the reactor itself (no Redis client):
 * `reactor.connect()` is the non-blocking connect, EV_WRITE says it is
 * established, `eventBufferWrite` queues the bytes, `readFn` finds the reply
 * in `e.in`. A `RespReader` is used only to know when a reply is complete;
 * the bytes printed are the ones that arrived.
 */
import { EV_WRITE, eventBufferWrite, type Reactor, type ReactorEvent } from '@reactor-ts/reactor';
import { encodeCommand, NEED_MORE, RespReader } from '@reactor-ts/resp';
import { escapeBytes, heading, say } from './output.js';
import { handshakeCommands, withTimeout, type TourContext } from './step.js';

export async function respOnTheWire(ctx: TourContext): Promise<void> {
  heading(1, 'RESP on the wire', '§1.2 redis protocol');
  say('A request is an array of bulk strings: *<argc>, then $<len> and the bytes of each argument.');
  const conn = await withTimeout(RawConnection.open(ctx.reactor, ctx.target.host, ctx.target.port), 5000, 'connect');
  try {
    for (const argv of handshakeCommands(ctx.target)) {
      const reply = await conn.request(encodeCommand(argv));
      if (reply[0] === 0x2d /* - */) throw new Error(`${argv[0]} refused: ${reply.toString().trim()}`);
    }
    const set = encodeCommand(['set', 'key', 'value']);
    say(`encodeCommand(['set', 'key', 'value'])`);
    say(`  -> ${escapeBytes(set)}`);
    say(`  <- ${escapeBytes(await withTimeout(conn.request(set), 5000, 'set key value'))}`);
    say("  '+': a simple string, success.");
    const ket = encodeCommand(['ket', 'key', 'value']);
    say('The article\'s typo, ket key value:');
    say(`  -> ${escapeBytes(ket)}`);
    say(`  <- ${escapeBytes(await withTimeout(conn.request(ket), 5000, 'ket key value'))}`);
    say("  '-': an error reply, in Redis's words; the connection stays usable.");
  } finally {
    conn.close();
  }
}

/** One connection on the reactor, one request at a time; resolves each reply's raw bytes. */
class RawConnection {
  private readonly reader = new RespReader();
  private chunks: Buffer[] = [];
  private waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private closedByUs = false;

  private constructor(
    private readonly reactor: Reactor,
    private readonly e: ReactorEvent,
  ) {}

  static open(reactor: Reactor, host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const e = reactor.connect(port, host);
      const conn = new RawConnection(reactor, e);
      let connected = false;
      // EV_WRITE on a connecting socket means "connected", as after a
      // non-blocking connect() in C; then only read interest is needed.
      e.writeFn = (ev) => {
        reactor.enableEvent(ev, true, false);
        if (!connected) {
          connected = true;
          resolve(conn);
        }
      };
      e.readFn = (ev) => conn.onRead(ev);
      e.errorFn = (ev, err) => {
        if (conn.closedByUs) return;
        conn.closedByUs = true;
        reactor.delEvent(ev);
        conn.fail(new Error(`connection to ${host}:${port}: ${err.code === 'EOF' ? 'closed by the server' : err.message}`));
        if (!connected) reject(conn.failure);
      };
      reactor.addEvent(e, EV_WRITE);
    });
  }

  request(bytes: Buffer): Promise<Buffer> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.waiting !== null) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      eventBufferWrite(this.e, bytes);
    });
  }

  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    this.failure ??= new Error('closed');
    this.reactor.delEvent(this.e);
  }

  private onRead(e: ReactorEvent): void {
    const chunk = e.in.remove(e.in.length);
    this.chunks.push(chunk);
    this.reader.feed(chunk);
    let reply: unknown;
    try {
      reply = this.reader.getReply();
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (reply === NEED_MORE || this.waiting === null) return;
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    const w = this.waiting;
    this.waiting = null;
    w.resolve(bytes);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(err);
  }
}
