/**
 * What every connection of one server shares: the keyspace, the pub/sub
 * registry, the command table, configuration and counters.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from './client.js';
import type { Command } from './command.js';
import { BlockingRegistry, type BlockTimers } from './blocking.js';
import { CommandLookup } from './command-table.js';
import { defaultConfig, type ServerConfig } from './config.js';
import { newShared, Store } from './db.js';
import { Evictor } from './memory.js';
import { KeyspaceEvents } from './notify.js';
import { PubSub } from './pubsub.js';
import { ScriptingEngine } from './scripting.js';

export interface ServerState {
  readonly store: Store;
  readonly pubsub: PubSub;
  /** Clients parked by blocking commands, per key (blocking.ts). */
  readonly blocking: BlockingRegistry;
  /** EVAL's scripts, FUNCTION's libraries, the busy script (scripting.ts). */
  readonly scripting: ScriptingEngine;
  readonly commands: ReadonlyMap<string, Command>;
  /** Case-insensitive lookup from argv[0]'s bytes. */
  readonly lookup: CommandLookup;
  readonly clients: Map<number, Client>;
  /** null: no password, every client starts authenticated. */
  readonly requirepass: string | null;
  /** CONFIG SET maxclients changes it, up to `maxclientsCapacity` (the reactor's table is sized at start). */
  maxclients: number;
  readonly maxclientsCapacity: number;
  readonly startedAt: number;
  port: number;
  nextClientId: number;
  stats: ServerStats;
  /** 40 hex digits, new for every server (INFO's run_id). */
  readonly runId: string;
  /** What CONFIG SET changes (config.ts). */
  readonly config: ServerConfig;
  /** maxmemory's eviction pool (memory.ts). */
  readonly evictor: Evictor;
}

/** INFO's per-command line: calls, time, and the two kinds of failure Redis counts. */
export interface CommandStat {
  calls: number;
  usec: number;
  /** Refused before running (arity, NOAUTH, ...). */
  rejected: number;
  /** Ran and answered an error. */
  failed: number;
}

export interface ServerStats {
  connections: number;
  commands: number;
  /** Connections refused (maxclients). */
  rejected: number;
  expired: number;
  /** Keys evicted under maxmemory (INFO's evicted_keys). */
  evicted: number;
  /** Bytes read from and queued to clients. */
  netInput: number;
  netOutput: number;
  /** Error replies in all, and by their first word (INFO errorstats). */
  errorReplies: number;
  readonly errors: Map<string, number>;
  /** By command name (`client|list` for subcommands), INFO commandstats. */
  readonly commandStats: Map<string, CommandStat>;
}

export function createState(opts: {
  commands: ReadonlyMap<string, Command>;
  requirepass?: string | null;
  maxclients?: number;
  /** Timers for blocking commands' timeouts: the server's reactor (default: Node's timers, for unit tests). */
  timers?: BlockTimers;
}): ServerState {
  const pubsub = new PubSub();
  const stats: ServerStats = {
    connections: 0,
    commands: 0,
    rejected: 0,
    expired: 0,
    evicted: 0,
    netInput: 0,
    netOutput: 0,
    errorReplies: 0,
    errors: new Map(),
    commandStats: new Map(),
  };
  const state: ServerState = {
    store: new Store(16, newShared(new KeyspaceEvents(pubsub))),
    pubsub,
    blocking: new BlockingRegistry(opts.timers ?? nodeTimers()),
    commands: opts.commands,
    lookup: new CommandLookup(opts.commands),
    clients: new Map(),
    requirepass: opts.requirepass ?? null,
    maxclients: opts.maxclients ?? 10000,
    maxclientsCapacity: opts.maxclients ?? 10000,
    startedAt: Date.now(),
    port: 0,
    nextClientId: 1,
    stats,
    runId: randomBytes(20).toString('hex'),
    // The engine needs the state it belongs to; its VMs are made on first use.
    scripting: null as unknown as ScriptingEngine,
    config: defaultConfig(),
    evictor: new Evictor(() => void stats.evicted++),
  };
  (state as { scripting: ScriptingEngine }).scripting = new ScriptingEngine(state);
  return state;
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
