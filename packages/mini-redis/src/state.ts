/**
 * What every connection of one server shares: the keyspace, the pub/sub
 * registry, the command table, configuration and counters.
 */
import type { Client } from './client.js';
import type { Command } from './command.js';
import { CommandLookup } from './command-table.js';
import { Store } from './db.js';
import { PubSub } from './pubsub.js';

export interface ServerState {
  readonly store: Store;
  readonly pubsub: PubSub;
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
}): ServerState {
  return {
    store: new Store(),
    pubsub: new PubSub(),
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
