/**
 * The per-connection half of the reactor pattern: one `ConnectionHandler`
 * per accepted client, the reactor event's read and error callbacks. Each
 * read it takes what arrived in `e.in`, lets its `RequestParser` cut
 * requests out of it, runs each through `processCommand`, and queues the
 * replies in `e.out`; the reactor sends every connection's `e.out` once per
 * batch, so sixteen pipelined requests read together get one socket write.
 *
 *   e.in ──RequestParser──▶ argv ──processCommand──▶ reply values
 *        ──ReplyRouter (one scratch per server)──▶ e.out ──reactor flush──▶ socket
 *
 * The handler is also its client's `ReplySink`: replies produced while its
 * own read runs go to the server-wide scratch (`ReplyRouter`), anything
 * produced for it while another connection is served (a PUBLISH reaching a
 * subscriber) is queued on its event directly.
 */
import { Buffer } from 'node:buffer';
import { eventBufferWrite, type ReactorError, type ReactorEvent } from '@reactor-ts/reactor';
import { RequestError, RequestParser } from '@reactor-ts/resp';
import { Client, type ConnectionInfo, type ReplySink } from './client.js';
import { processCommand } from './dispatch.js';
import type { ServerState } from './state.js';
import { ReplyBatch } from './wire.js';

/**
 * One scratch buffer per server for the replies to the connection being
 * served (64 KiB each would be too much per connection). Only one read runs
 * at a time on a reactor, so one scratch is enough: `serve` brackets it.
 */
export class ReplyRouter {
  /** The event whose read is running, or null between reads. */
  private serving: ReactorEvent | null = null;
  private readonly batch = new ReplyBatch((bytes) => {
    if (this.serving !== null) this.write(this.serving, bytes);
  });
  /** Replies to a connection that is not being served: encoded and queued at once. */
  private oobTarget: ReactorEvent | null = null;
  private readonly oob = new ReplyBatch((bytes) => {
    if (this.oobTarget !== null) this.write(this.oobTarget, bytes);
  });

  /** `stats.netOutput` counts every byte queued (INFO's total_net_output_bytes). */
  constructor(private readonly stats: { netOutput: number }) {}

  private write(e: ReactorEvent, bytes: Buffer): void {
    this.stats.netOutput += bytes.length;
    eventBufferWrite(e, bytes);
  }

  /** Runs `fn` with `e` as the connection being served; its replies are queued in one piece at the end. */
  serve(e: ReactorEvent, fn: () => void): void {
    this.serving = e;
    try {
      fn();
    } finally {
      this.batch.flush();
      this.serving = null;
    }
  }

  reply(e: ReactorEvent, value: unknown, protocol: 2 | 3): void {
    if (this.serving === e) return this.batch.reply(value, protocol);
    this.oobTarget = e;
    this.oob.reply(value, protocol);
    this.oob.flush();
    this.oobTarget = null;
  }

  bytes(e: ReactorEvent, bytes: Buffer): void {
    if (this.serving === e) this.batch.bytes(bytes);
    else this.write(e, bytes);
  }
}

/** What a handler needs from the server that accepted it. */
export interface ConnectionContext {
  readonly state: ServerState;
  readonly replies: ReplyRouter;
  /** Bytes of unparsed requests before the client is dropped. */
  readonly maxQueryBuffer: number;
  /** Output bytes queued for a subscriber before it is dropped. */
  readonly pubsubHardLimit: number;
  /** Takes the handler off the server's list once its connection is gone. */
  forget(handler: ConnectionHandler): void;
}

export class ConnectionHandler implements ReplySink {
  /** The client's Redis-level state (db, protocol, MULTI, subscriptions). */
  readonly client: Client;
  private readonly parser: RequestParser;
  /** QUIT or a protocol error: close once this read's replies are queued. */
  private closeAfter = false;
  private dropped = false;

  constructor(
    /** The reactor event that owns the client's socket; its privdata is this handler. */
    readonly e: ReactorEvent,
    private readonly ctx: ConnectionContext,
  ) {
    this.parser = new RequestParser({ maxQueryBuffer: ctx.maxQueryBuffer });
    const state = ctx.state;
    this.client = new Client(state, state.nextClientId++, this);
    state.clients.set(this.client.id, this.client);
    e.privdata = this;
  }

  /** The reactor's read callback: parse, dispatch and reply to everything that arrived. */
  static onRead(this: void, e: ReactorEvent): void {
    (e.privdata as ConnectionHandler | null)?.read();
  }

  /** The reactor's error callback (EOF included): the client is gone. */
  static onError(this: void, e: ReactorEvent, _err: ReactorError): void {
    (e.privdata as ConnectionHandler | null)?.drop();
  }

  private read(): void {
    const { client, parser } = this;
    this.ctx.state.stats.netInput += this.e.in.length;
    // CLIENT LIST's idle: per read, not per command (one clock read for a whole pipeline).
    client.lastInteraction = Date.now();
    // The keyspace's cached clock (access times for LRU/IDLETIME), read once per read too.
    this.ctx.state.store.shared.clock.now = client.lastInteraction;
    parser.feedFrom(this.e.in);
    const blocking = this.ctx.state.blocking;
    const scripting = this.ctx.state.scripting;
    this.ctx.replies.serve(this.e, () => {
      // A blocked client's later requests stay in the parser until it is answered (resume()).
      while (!client.closing && client.blocked === null && !client.suspended) {
        let argv: Buffer[] | null;
        try {
          argv = parser.next();
        } catch (err) {
          // Redis answers a malformed request with the reason and closes; a
          // client over the query buffer limit is closed without a word.
          if (err instanceof RequestError && err.code === 'ERR_PROTOCOL') this.ctx.replies.bytes(this.e, Buffer.from(`-ERR ${err.message}\r\n`));
          this.closeAfter = true;
          break;
        }
        if (argv === null) break;
        try {
          processCommand(client, argv);
          // Clients blocked on keys this command wrote are served now, as
          // Redis does after every command (handleClientsBlockedOnKeys).
          // Not while a script is paused: its writes are not done yet.
          if (blocking.hasReady && scripting.busy === null) blocking.serveReady();
        } catch (err) {
          // A bug in a command must not take the server down nor stall the
          // pipeline behind it: answer this request with an error and go on.
          const text = String((err as Error).message).replace(/[\r\n]/g, ' ');
          this.ctx.replies.bytes(this.e, Buffer.from(`-ERR internal error: ${text}\r\n`));
          console.error('mini-redis: internal error', err);
        }
      }
    });
    if (this.closeAfter) this.drop();
  }

  /** Forgets the client and closes its connection; `abort` drops its queued output. Idempotent. */
  drop(abort = false): void {
    if (this.dropped) return;
    this.dropped = true;
    const { state } = this.ctx;
    state.pubsub.forget(this.client);
    state.blocking.forget(this.client);
    state.scripting.forgetClient(this.client);
    this.client.unwatchAll();
    this.client.closing = true;
    state.clients.delete(this.client.id);
    this.e.privdata = null;
    this.ctx.forget(this);
    this.e.reactor.delEvent(this.e, { abort });
  }

  // ReplySink

  reply(value: unknown, protocol: 2 | 3): void {
    this.ctx.replies.reply(this.e, value, protocol);
  }

  raw(bytes: Buffer): void {
    // Redis's `client-output-buffer-limit pubsub`: a subscriber that does
    // not read is dropped rather than allowed to grow without bound.
    if (this.e.out.length > this.ctx.pubsubHardLimit) {
      this.client.closing = true;
      // Abort: flushing the backlog first would keep up to the limit queued
      // for the linger time, for a peer that is not reading.
      queueMicrotask(() => this.drop(true));
      return;
    }
    this.ctx.replies.bytes(this.e, bytes);
  }

  closeAfterReply(): void {
    this.closeAfter = true;
  }

  describe(): ConnectionInfo {
    const s = this.e.socket as { remoteAddress?: string; remotePort?: number; localAddress?: string; localPort?: number } | null;
    return {
      addr: `${s?.remoteAddress ?? ''}:${s?.remotePort ?? 0}`,
      laddr: `${s?.localAddress ?? ''}:${s?.localPort ?? 0}`,
      fd: this.e.fd,
      qbuf: this.e.in.length,
      omem: this.e.out.length,
    };
  }

  kill(): void {
    this.client.closing = true;
    // Not from inside another connection's read: close on the next microtask.
    queueMicrotask(() => this.drop(true));
  }

  /** Answered after blocking (or its busy script ended): run what it pipelined meanwhile, outside the current read. */
  resume(): void {
    queueMicrotask(() => {
      if (!this.dropped && this.client.blocked === null && !this.client.suspended) this.read();
    });
  }
}
