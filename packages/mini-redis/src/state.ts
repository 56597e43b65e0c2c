/**
 * What every connection of one server shares: the keyspace, the pub/sub
 * registry, the command table, configuration and counters.
 */
import type { Client } from './client.js';
import type { Command } from './command.js';
import { BlockingRegistry, type BlockTimers } from './blocking.js';
import { CommandLookup } from './command-table.js';
import { Store } from './db.js';
import { PubSub } from './pubsub.js';

export interface ServerState {
  readonly store: Store;
  readonly pubsub: PubSub;
  /** Clients parked by blocking commands, per key (blocking.ts). */
  readonly blocking: BlockingRegistry;
  readonly commands: ReadonlyMap<string, Command>;
  /** Case-insensitive lookup from argv[0]'s bytes. */
  readonly lookup: CommandLookup;
  readonly clients: Map<number, Client>;
  /** null: no password, every client starts authenticated. */
  readonly requirepass: string | null;
  readonly maxclients: number;
  readonly startedAt: number;
  port: number;
  nextClientId: number;
  stats: { connections: number; commands: number; rejected: number; expired: number };
}

export function createState(opts: {
  commands: ReadonlyMap<string, Command>;
  requirepass?: string | null;
  maxclients?: number;
  /** Timers for blocking commands' timeouts: the server's reactor (default: Node's timers, for unit tests). */
  timers?: BlockTimers;
}): ServerState {
  return {
    store: new Store(),
    pubsub: new PubSub(),
    blocking: new BlockingRegistry(opts.timers ?? nodeTimers()),
    commands: opts.commands,
    lookup: new CommandLookup(opts.commands),
    clients: new Map(),
    requirepass: opts.requirepass ?? null,
    maxclients: opts.maxclients ?? 10000,
    startedAt: Date.now(),
    port: 0,
    nextClientId: 1,
    stats: { connections: 0, commands: 0, rejected: 0, expired: 0 },
  };
}

/** BlockTimers on setTimeout, for a state without a reactor. */
function nodeTimers(): BlockTimers {
  const live = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    addTimer(ms, fn) {
      const id = next++;
      live.set(
        id,
        setTimeout(() => {
          live.delete(id);
          fn();
        }, ms),
      );
      return id;
    },
    delTimer(id) {
      const t = live.get(id);
      if (t === undefined) return false;
      clearTimeout(t);
      return live.delete(id);
    },
  };
}
