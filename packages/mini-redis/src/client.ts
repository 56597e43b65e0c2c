/**
 * Per-connection state, as Redis's `client` struct: the selected database,
 * the protocol chosen by HELLO, whether AUTH succeeded, the MULTI queue and
 * its error flag, watched keys, and pub/sub subscriptions.
 *
 * A client does not know about sockets: it hands replies to a `ReplySink`,
 * which the server backs with the reactor event's output queue and the unit
 * tests with an array.
 */
import type { BlockedClient } from './blocking.js';
import type { Database, Watcher } from './db.js';
import type { Command } from './command.js';
import type { ServerState } from './state.js';

/** Where a client's replies go. */
export interface ReplySink {
  /** One reply value (see reply.ts), encoded for `protocol`. */
  reply(value: unknown, protocol: 2 | 3): void;
  /** Bytes already encoded (a pub/sub message shared by many subscribers). */
  raw(bytes: Buffer): void;
  /** Close once the replies queued so far are sent (QUIT). */
  closeAfterReply(): void;
  /** A blocked client was answered: go on with the requests it sent meanwhile. */
  resume?(): void;
  /** The connection's addresses and queue sizes, for CLIENT LIST. */
  describe?(): ConnectionInfo;
  /** Close the connection now (CLIENT KILL), dropping what is queued for it. */
  kill?(): void;
}

/** What CLIENT LIST shows of a client's connection. */
export interface ConnectionInfo {
  /** ip:port of the peer, and of our end. */
  addr: string;
  laddr: string;
  /** The reactor slot (the C fd). */
  fd: number;
  /** Bytes received and not yet parsed; bytes queued for the peer. */
  qbuf: number;
  omem: number;
}

export interface QueuedCommand {
  cmd: Command;
  argv: Buffer[];
}

export class Client implements Watcher {
  /** Selected database (SELECT). */
  db: Database;
  /** RESP version spoken to this client (HELLO). */
  protocol: 2 | 3 = 2;
  /** Set by AUTH/HELLO AUTH, or from the start when no password is required. */
  authenticated: boolean;
  /** CLIENT SETNAME / HELLO SETNAME. */
  name: string | null = null;
  /** Commands queued since MULTI; null when not in a transaction. */
  multi: QueuedCommand[] | null = null;
  /** A command was rejected while queueing: EXEC must abort (EXECABORT). */
  multiError = false;
  /** A watched key changed: EXEC must return a null array. */
  dirtyCas = false;
  /** Keys this client WATCHes, with their database. */
  watched: Array<{ db: Database; key: string }> = [];
  /** Subscribed channels and patterns (latin1 keys). */
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  /** The connection is going away; further commands are ignored. */
  closing = false;
  /** Parked by a blocking command (BLPOP...): its later requests wait until it is answered. */
  blocked: BlockedClient | null = null;
  /** Its own script is busy and paused for the reactor (scripting.ts): its later requests wait until it ends. */
  suspended = false;
  /** Running inside EXEC: a blocking command answers at once instead of blocking. */
  denyBlocking = false;
  /** CLIENT REPLY OFF / SKIP: replies are dropped (all of them / the next command's). */
  replyOff = false;
  skipNext = false;
  skipCurrent = false;
  /** CLIENT NO-EVICT (reported in CLIENT LIST; there is no client eviction here). */
  noEvict = false;
  /** For CLIENT LIST: when the connection was made, when it last sent a command, and which one. */
  readonly createdAt = Date.now();
  lastInteraction = this.createdAt;
  lastCommand = 'NULL';

  constructor(
    readonly server: ServerState,
    readonly id: number,
    readonly sink: ReplySink,
  ) {
    this.db = server.store.dbs[0] as Database;
    this.authenticated = server.requirepass === null;
  }

  get subscriptions(): number {
    return this.channels.size + this.patterns.size;
  }

  send(value: unknown): void {
    if (this.replyOff || this.skipCurrent) return;
    this.sink.reply(value, this.protocol);
  }

  unwatchAll(): void {
    for (const { db, key } of this.watched) db.unwatch(key, this);
    this.watched = [];
    this.dirtyCas = false;
  }
}
