/**
 * The accepting half of the reactor pattern: `MiniRedisListener` owns the
 * listening socket (through `reactor.createServer`) and, as the article's
 * accept handler does, makes each client's event itself with `newEvent`
 * and `addEvent(e, EV_READ)`, handing it to a `ConnectionHandler`. It
 * enforces `maxclients` the way Redis does (the extra client gets Redis's
 * error, then the close) and keeps the handlers so `close()` can end them.
 */
import { EV_READ, eventBufferWrite, type Reactor } from '@reactor-ts/reactor';
import type * as net from 'node:net';
import { ConnectionHandler, ReplyRouter, type ConnectionContext } from './connection.js';
import type { ServerState } from './state.js';

const MAXCLIENTS_REPLY = '-ERR max number of clients reached\r\n';

export interface ListenerLimits {
  maxclients: number;
  maxQueryBuffer: number;
  pubsubHardLimit: number;
}

export class MiniRedisListener implements ConnectionContext {
  readonly replies = new ReplyRouter();
  readonly maxQueryBuffer: number;
  readonly pubsubHardLimit: number;
  /** The live connections, so close() can drop them. */
  private readonly handlers = new Set<ConnectionHandler>();
  private readonly maxclients: number;
  /** The bound port, once listening (0 before). */
  private boundPort = 0;
  private closed = false;

  constructor(
    private readonly reactor: Reactor,
    readonly state: ServerState,
    limits: ListenerLimits,
  ) {
    this.maxclients = limits.maxclients;
    this.maxQueryBuffer = limits.maxQueryBuffer;
    this.pubsubHardLimit = limits.pubsubHardLimit;
  }

  /** Starts listening; resolves with the bound port (port 0 picks a free one). */
  async listen(port: number, host: string): Promise<number> {
    this.boundPort = await this.reactor.createServer(port, (socket) => this.accept(socket), { host });
    return this.boundPort;
  }

  get connections(): number {
    return this.handlers.size;
  }

  forget(handler: ConnectionHandler): void {
    this.handlers.delete(handler);
  }

  /** Stops accepting and drops every client (their queued replies are still sent). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // createServer resolves with the port only; listenerFor finds its event.
    const listening = this.reactor.listenerFor(this.boundPort);
    if (listening !== null) this.reactor.delEvent(listening);
    for (const h of [...this.handlers]) h.drop();
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.state.stats.connections++;
    const e = this.reactor.newEvent(socket, ConnectionHandler.onRead, null, ConnectionHandler.onError);
    if (this.state.clients.size >= this.maxclients) {
      this.state.stats.rejected++;
      eventBufferWrite(e, MAXCLIENTS_REPLY);
      this.reactor.delEvent(e);
      return;
    }
    this.handlers.add(new ConnectionHandler(e, this));
    this.reactor.addEvent(e, EV_READ);
  }
}
