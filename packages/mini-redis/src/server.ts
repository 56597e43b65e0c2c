/**
 * `startMiniRedis`: a Redis-protocol server on the reactor, made of two
 * small classes, the reactor pattern's two halves:
 *
 *   MiniRedisListener (listener.ts)   accept: one ConnectionHandler per client,
 *                                     maxclients, close
 *   ConnectionHandler (connection.ts) read, dispatch, reply: e.in → RequestParser
 *                                     → processCommand → e.out
 *
 * plus what they share (the keyspace, clients and counters in `ServerState`)
 * and the active expiry cycle, a repeating reactor timer.
 *
 * `startMiniRedis` either makes its own reactor and runs its loop, or joins
 * a reactor the caller already runs (the tour embeds the server beside its
 * own clients that way).
 */
import { createReactor, type OutputLimits, type Reactor } from '@reactor-ts/reactor';
import { buildCommandTable } from './command-table.js';
import { MiniRedisListener } from './listener.js';
import { createState, type ServerState } from './state.js';

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

const DEFAULT_QUERY_LIMIT = 1024 * 1024 * 1024;

/**
 * Closes the clients idle for longer than `timeout` seconds, as Redis's
 * clientsCronHandleTimeout: not a blocked client (its own timeout governs
 * it) nor a subscriber (it only listens). Silently, as Redis does.
 */
function closeIdleClients(state: ServerState): void {
  const limit = state.config.timeout * 1000;
  if (limit === 0) return;
  const now = Date.now();
  for (const c of [...state.clients.values()]) {
    if (c.blocked === null && c.subscriptions === 0 && now - c.lastInteraction > limit) c.sink.kill?.();
  }
}

export async function startMiniRedis(opts: MiniRedisOptions = {}): Promise<MiniRedis> {
  const host = opts.host ?? '127.0.0.1';
  const maxclients = opts.maxclients ?? 10000;
  const maxQueryBuffer = opts.maxQueryBuffer ?? DEFAULT_QUERY_LIMIT;
  const own = opts.reactor === undefined;
  // Two slots beyond maxclients: the listener, and one to answer the client
  // that is one too many with Redis's error rather than the reactor's.
  const reactor =
    opts.reactor ??
    createReactor({
      maxConn: maxclients + 2,
      maxInput: maxQueryBuffer + 64 * 1024,
      ...(opts.outputLimits !== undefined ? { output: opts.outputLimits } : {}),
    });
  const state = createState({ commands: buildCommandTable(), requirepass: opts.requirepass ?? null, maxclients, timers: reactor });
  const listener = new MiniRedisListener(reactor, state, {
    maxQueryBuffer,
    pubsubHardLimit: opts.pubsubHardLimit ?? 32 * 1024 * 1024,
  });
  let port: number;
  try {
    port = await listener.listen(opts.port ?? 0, host);
  } catch (err) {
    // EADDRINUSE and friends: leave nothing behind.
    if (own) reactor.release();
    throw err;
  }
  state.port = port;
  const expireTimer = reactor.addTimer(
    opts.expireIntervalMs ?? 100,
    () => {
      state.store.shared.clock.now = Date.now();
      // Not while a busy script is paused: keys must not vanish in the middle of it.
      if (state.scripting.busy === null) state.stats.expired += state.store.activeExpireCycle();
    },
    { repeat: true },
  );
  // Redis's clientsCron: the `timeout` parameter closes idle clients, checked once a second.
  const cronTimer = reactor.addTimer(1000, () => closeIdleClients(state), { repeat: true });
  const loop = own ? reactor.eventloop() : null;
  let closed = false;

  return {
    port,
    host,
    reactor,
    state,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      reactor.delTimer(expireTimer);
      reactor.delTimer(cronTimer);
      listener.close();
      if (own) {
        reactor.release();
        await loop;
      }
    },
  };
}
