/**
 * Blocking commands on the reactor (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
 * BLMPOP, and whatever else parks a client on keys), as Redis 7.0's
 * blocked.c:
 *
 *   BLPOP k 0 on an empty k        LPUSH k v from another client
 *   ───────────────────────        ─────────────────────────────
 *   blockOrServe: nothing to pop   db.set/create(k) → onReady(db, k)
 *     → park in queue(db, k)         → k joins the ready list
 *     → timeout: a reactor timer   after that command: serveReady()
 *     → the connection stops         → queue(db, k) in FIFO order: each client's
 *       reading its pipeline            serve(k) pops, until k is empty again
 *                                     → the served client gets its reply,
 *                                       leaves every queue, its timer is
 *                                       deleted, its connection resumes
 *
 * Keys become ready only when they are (re)created: a list, sorted set or
 * stream that some client waits on is empty, and empty containers are
 * deleted, so the write that can serve it is the one that adds the key
 * (Redis signals in dbAdd the same way). Serving can make other keys ready
 * (BLMOVE pushes to its destination), so `serveReady` loops until the ready
 * list is empty: two chained BLMOVEs are served in one go.
 *
 * Inside MULTI/EXEC a blocking command never blocks: with nothing to serve
 * it answers as if it had timed out (Redis's CLIENT_DENY_BLOCKING). A client
 * that disconnects while blocked leaves its queues and its timer goes.
 */
import { ReplyError } from '@reactor-ts/resp';
import type { Client } from './client.js';
import type { Database, ValueType } from './db.js';
import { NO_REPLY } from './reply.js';

/** Returned by a `serve` function that cannot serve the client yet. */
export const NOT_READY: unique symbol = Symbol('not-ready');

/** Serves a blocked client from `key` (one of its keys that became ready): its reply, or NOT_READY. May throw ReplyError. */
export type ServeFn = (c: Client, key: string) => unknown;

/** The reactor's timers, as the registry needs them (a fake in unit tests). */
export interface BlockTimers {
  addTimer(ms: number, fn: () => void): number;
  delTimer(id: number): boolean;
}

/** One blocked client: what it waits on and how to answer it. */
export interface BlockedClient {
  readonly client: Client;
  readonly db: Database;
  readonly keys: readonly string[];
  /** Only a key of this type can serve it: another type written there leaves it waiting (Redis's btype). */
  readonly type: ValueType;
  readonly serve: ServeFn;
  /** The reply when the timeout fires (a null or null array, by command). */
  readonly timeoutReply: unknown;
  /** The reactor timer, or null for a timeout of 0 (wait forever). */
  timer: number | null;
}

export class BlockingRegistry {
  /** Per database, per key: the clients blocked on it, first blocked first. */
  private readonly queues = new Map<Database, Map<string, BlockedClient[]>>();
  /** Keys signalled since the last serveReady, in signal order, once each. */
  private ready: Array<{ db: Database; key: string }> = [];
  private readonly readyIndex = new Map<Database, Set<string>>();
  /** How many clients are blocked now (INFO's blocked_clients). */
  count = 0;

  constructor(private readonly timers: BlockTimers) {}

  get hasReady(): boolean {
    return this.ready.length !== 0;
  }

  /** Parks `b.client` on its keys for `timeoutMs` (0: forever). */
  block(b: BlockedClient, timeoutMs: number): void {
    let perDb = this.queues.get(b.db);
    if (perDb === undefined) this.queues.set(b.db, (perDb = new Map()));
    for (const key of new Set(b.keys)) {
      let q = perDb.get(key);
      if (q === undefined) {
        perDb.set(key, (q = []));
        b.db.blockedOn.add(key);
      }
      q.push(b);
    }
    b.db.onReady = (db, key) => this.signal(db, key);
    b.client.blocked = b;
    this.count++;
    if (timeoutMs > 0) b.timer = this.timers.addTimer(timeoutMs, () => this.finish(b, b.timeoutReply));
  }

  /** A key some client may be blocked on was written (db.ts calls this). */
  signal(db: Database, key: string): void {
    let seen = this.readyIndex.get(db);
    if (seen === undefined) this.readyIndex.set(db, (seen = new Set()));
    if (seen.has(key)) return;
    seen.add(key);
    this.ready.push({ db, key });
  }

  /**
   * Serves the clients blocked on the keys signalled so far (Redis's
   * handleClientsBlockedOnKeys), run after every command that may have
   * written one. FIFO per key; a client served leaves all its queues.
   */
  serveReady(): void {
    while (this.ready.length !== 0) {
      const batch = this.ready;
      this.ready = [];
      this.readyIndex.clear();
      for (const { db, key } of batch) {
        const q = this.queues.get(db)?.get(key);
        if (q === undefined) continue;
        for (const b of [...q]) {
          if (b.client.blocked !== b) continue;
          const entry = db.lookup(key);
          if (entry === undefined) break;
          if (entry.type !== b.type) continue;
          let reply: unknown;
          try {
            reply = b.serve(b.client, key);
          } catch (err) {
            if (!(err instanceof ReplyError)) throw err;
            reply = err;
          }
          if (reply !== NOT_READY) this.finish(b, reply);
        }
      }
    }
  }

  /** The client is going away while blocked: forget it, send nothing. */
  forget(c: Client): void {
    if (c.blocked !== null) this.finish(c.blocked, NO_REPLY);
  }

  /** Unblocks `b` with `reply` (NO_REPLY: none) and lets its connection read on. */
  private finish(b: BlockedClient, reply: unknown): void {
    if (b.client.blocked !== b) return;
    b.client.blocked = null;
    this.count--;
    if (b.timer !== null) this.timers.delTimer(b.timer);
    b.timer = null;
    const perDb = this.queues.get(b.db);
    for (const key of new Set(b.keys)) {
      const q = perDb?.get(key);
      if (q === undefined) continue;
      const i = q.indexOf(b);
      if (i !== -1) q.splice(i, 1);
      if (q.length === 0) {
        perDb?.delete(key);
        b.db.blockedOn.delete(key);
      }
    }
    if (reply === NO_REPLY) return;
    b.client.send(reply);
    b.client.sink.resume?.();
  }
}

/**
 * What a blocking command does: serve at once if one of `keys` (holding a `type`) can (the
 * reply of `serve` for the first key that is not NOT_READY), else answer
 * `timeoutReply` inside MULTI/EXEC, else park the client (NO_REPLY now,
 * the reply later).
 */
export function blockOrServe(
  c: Client,
  type: ValueType,
  keys: readonly string[],
  timeoutMs: number,
  serve: ServeFn,
  timeoutReply: unknown,
): unknown {
  for (const key of keys) {
    const reply = serve(c, key);
    if (reply !== NOT_READY) return reply;
  }
  if (c.denyBlocking) return timeoutReply;
  c.server.blocking.block({ client: c, db: c.db, keys, type, serve, timeoutReply, timer: null }, timeoutMs);
  return NO_REPLY;
}
