/**
 * mini-redis on the reactor: the reactor accepts and dispatches, each
 * client's bytes arrive in `e.in`, a `RequestParser` turns them into argv
 * arrays, the dispatcher runs them, and replies are encoded into `e.out`
 * with `eventBufferWrite`. The reactor flushes every connection's `e.out`
 * once per batch, so sixteen pipelined requests read together are answered
 * with one socket write.
 *
 * `startMiniRedis` either makes its own reactor and runs its loop, or joins
 * a reactor the caller already runs (the tour embeds the server beside its
 * own clients that way).
 */
import {
  createReactor,
  EV_READ,
  eventBufferWrite,
  type OutputLimits,
  type Reactor,
  type ReactorError,
  type ReactorEvent,
} from '@reactor-ts/reactor';
import { RequestError, RequestParser } from '@reactor-ts/resp';
import type * as net from 'node:net';
import { Client, type ReplySink } from './client.js';
import { buildCommandTable } from './command-table.js';
import { processCommand } from './dispatch.js';
import { createState, type ServerState } from './state.js';
import { ReplyBatch } from './wire.js';

export interface MiniRedisOptions {
  /** 0 (the default here) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Join this reactor (the caller runs its loop) instead of making and running one. */
  reactor?: Reactor;
  /** Clients must AUTH with this password (Redis's `requirepass`). */
  requirepass?: string;
  /** Most clients at once (default 10000); the next one gets Redis's error and is closed. */
  maxclients?: number;
  /** Per-client bytes of unparsed requests before the client is dropped (default 1 GiB). */
  maxQueryBuffer?: number;
  /** Pub/sub clients: output hard limit in bytes (default 32 MiB, Redis's `pubsub` class). */
  pubsubHardLimit?: number;
  /** Milliseconds between active expiry cycles (default 100, Redis's hz 10). */
  expireIntervalMs?: number;
  /** Output limits for every client, when mini-redis makes its own reactor (default: the reactor's). */
  outputLimits?: OutputLimits;
}

export interface MiniRedis {
  readonly port: number;
  readonly host: string;
  readonly reactor: Reactor;
  /** The keyspace, clients and counters (for tests and the tour). */
  readonly state: ServerState;
  /** Disconnects every client and stops listening; ends the loop if it is ours. */
  close(): Promise<void>;
}

const MAXCLIENTS_REPLY = '-ERR max number of clients reached\r\n';
const DEFAULT_QUERY_LIMIT = 1024 * 1024 * 1024;

/** Per connection: the client's state and its parser. */
interface Connection {
  client: Client;
  parser: RequestParser;
  closeAfterReply: boolean;
}

export async function startMiniRedis(opts: MiniRedisOptions = {}): Promise<MiniRedis> {
  const host = opts.host ?? '127.0.0.1';
  const maxclients = opts.maxclients ?? 10000;
  const queryLimit = opts.maxQueryBuffer ?? DEFAULT_QUERY_LIMIT;
  const pubsubHard = opts.pubsubHardLimit ?? 32 * 1024 * 1024;
  const own = opts.reactor === undefined;
  // Two slots beyond maxclients: the listener, and one to answer the client
  // that is one too many with Redis's error rather than the reactor's.
  const reactor =
    opts.reactor ??
    createReactor({
      maxConn: maxclients + 2,
      maxInput: queryLimit + 64 * 1024,
      ...(opts.outputLimits !== undefined ? { output: opts.outputLimits } : {}),
    });
  const state = createState({ commands: buildCommandTable(), requirepass: opts.requirepass ?? null, maxclients });
  const events = new Set<ReactorEvent>();
  let closed = false;
  // Replies to the connection whose requests are being run collect here and
  // are queued in one piece when its read is done (see wire.ts).
  let serving: ReactorEvent | null = null;
  const batch = new ReplyBatch((bytes) => {
    if (serving !== null) eventBufferWrite(serving, bytes);
  });
  // Replies to any other connection (rare: none of today's commands do it).
  let oobTarget: ReactorEvent | null = null;
  const oob = new ReplyBatch((bytes) => {
    if (oobTarget !== null) eventBufferWrite(oobTarget, bytes);
  });

  /** Forgets the client and closes its connection; `abort` drops its queued output. */
  function drop(e: ReactorEvent, abort = false): void {
    const conn = e.privdata as Connection | null;
    if (conn !== null) {
      state.pubsub.forget(conn.client);
      conn.client.unwatchAll();
      conn.client.closing = true;
      state.clients.delete(conn.client.id);
      e.privdata = null;
    }
    events.delete(e);
    reactor.delEvent(e, { abort });
  }

  function onRead(e: ReactorEvent): void {
    const conn = e.privdata as Connection | null;
    if (conn === null) return;
    const { client, parser } = conn;
    parser.feedFrom(e.in);
    serving = e;
    try {
      while (!client.closing) {
        let argv: Buffer[] | null;
        try {
          argv = parser.next();
        } catch (err) {
          // Redis answers a malformed request with the reason and closes; a
          // client over the query buffer limit is closed without a word.
          if (err instanceof RequestError && err.code === 'ERR_PROTOCOL') batch.bytes(Buffer.from(`-ERR ${err.message}\r\n`));
          conn.closeAfterReply = true;
          break;
        }
        if (argv === null) break;
        try {
          processCommand(client, argv);
        } catch (err) {
          // A bug in a command must not take the server down nor stall the
          // pipeline behind it: answer this request with an error and go on.
          const text = String((err as Error).message).replace(/[\r\n]/g, ' ');
          batch.bytes(Buffer.from(`-ERR internal error: ${text}\r\n`));
          console.error('mini-redis: internal error', err);
        }
      }
    } finally {
      batch.flush();
      serving = null;
    }
    if (conn.closeAfterReply) drop(e);
  }

  function onError(e: ReactorEvent, _err: ReactorError): void {
    drop(e);
  }

  function onAccept(socket: net.Socket): void {
    if (closed) {
      socket.destroy();
      return;
    }
    state.stats.connections++;
    const e = reactor.newEvent(socket, onRead, null, onError);
    if (state.clients.size >= maxclients) {
      state.stats.rejected++;
      eventBufferWrite(e, MAXCLIENTS_REPLY);
      reactor.delEvent(e);
      return;
    }
    const parser = new RequestParser({ maxQueryBuffer: queryLimit });
    // The sink needs the client (to mark it closing) and the client needs
    // the sink: the closures read `conn`, which is set right below.
    let conn: Connection | null = null;
    const sink: ReplySink = {
      reply: (value, protocol) => {
        if (serving === e) batch.reply(value, protocol);
        else {
          oobTarget = e;
          oob.reply(value, protocol);
          oob.flush();
          oobTarget = null;
        }
      },
      raw: (bytes) => {
        // Redis's `client-output-buffer-limit pubsub`: a subscriber that
        // does not read is dropped rather than allowed to grow without bound.
        if (e.out.length > pubsubHard) {
          if (conn !== null) conn.client.closing = true;
          // Abort: flushing the backlog first would keep up to the limit
          // queued for the linger time, for a peer that is not reading.
          queueMicrotask(() => drop(e, true));
          return;
        }
        if (serving === e) batch.bytes(bytes);
        else eventBufferWrite(e, bytes);
      },
      closeAfterReply: () => {
        if (conn !== null) conn.closeAfterReply = true;
      },
    };
    conn = { client: new Client(state, state.nextClientId++, sink), parser, closeAfterReply: false };
    state.clients.set(conn.client.id, conn.client);
    e.privdata = conn;
    events.add(e);
    reactor.addEvent(e, EV_READ);
  }

  let port: number;
  try {
    port = await reactor.createServer(opts.port ?? 0, onAccept, { host });
  } catch (err) {
    // EADDRINUSE and friends: leave nothing behind.
    if (own) reactor.release();
    throw err;
  }
  state.port = port;
  const expireTimer = reactor.addTimer(
    opts.expireIntervalMs ?? 100,
    () => {
      state.stats.expired += state.store.activeExpireCycle();
    },
    { repeat: true },
  );
  const loop = own ? reactor.eventloop() : null;

  return {
    port,
    host,
    reactor,
    state,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      reactor.delTimer(expireTimer);
      // createServer resolves with the port only; listenerFor finds its event.
      const listener = reactor.listenerFor(port);
      if (listener !== null) reactor.delEvent(listener);
      for (const e of [...events]) drop(e);
      if (own) {
        reactor.release();
        await loop;
      }
    },
  };
}
