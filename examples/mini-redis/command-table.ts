/**
 * The command table: lower-case name → arity, flags and handler, as Redis's
 * `redisCommandTable`. Arity follows Redis: positive = exactly that many
 * arguments including the name, negative = at least -arity. The key
 * positions (first, last, step) are what COMMAND reports to clients.
 */
import type { Client } from './client.js';
import { connectionCommands } from './commands/connection.js';
import { hashCommands } from './commands/hashes.js';
import { keyCommands } from './commands/keys.js';
import { listCommands } from './commands/lists.js';
import { pubsubCommands } from './commands/pubsub.js';
import { serverCommands } from './commands/server.js';
import { setCommands } from './commands/sets.js';
import { stringCommands } from './commands/strings.js';
import { transactionCommands } from './commands/transactions.js';
import { zsetCommands } from './commands/zsets.js';

/** Runs a command; returns its reply (or NO_REPLY), may throw a ReplyError. */
export type Handler = (c: Client, argv: Buffer[]) => unknown;

export interface Command {
  /** Lower-case name, as Redis reports it. */
  readonly name: string;
  readonly arity: number;
  /** Redis's flag names: write, readonly, fast, denyoom, pubsub, noscript, loading, stale, no_auth... */
  readonly flags: readonly string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  /** May run before AUTH (AUTH, HELLO, QUIT). */
  readonly noAuth: boolean;
  readonly handler: Handler;
}

/** Shorthand for the command modules: keys default to "one key at argv[1]" when flagged write/readonly. */
export function command(
  name: string,
  arity: number,
  flags: string,
  handler: Handler,
  keys: [first: number, last: number, step: number] | null = null,
): Command {
  const list = flags.split(' ').filter((f) => f.length > 0);
  const hasKey = list.includes('write') || list.includes('readonly');
  const [firstKey, lastKey, step] = keys ?? (hasKey ? [1, 1, 1] : [0, 0, 0]);
  return { name, arity, flags: list, firstKey, lastKey, step, noAuth: list.includes('no_auth'), handler };
}

/** Every command mini-redis knows. */
export function buildCommandTable(): Map<string, Command> {
  const table = new Map<string, Command>();
  for (const group of [
    connectionCommands,
    serverCommands,
    stringCommands,
    keyCommands,
    listCommands,
    setCommands,
    hashCommands,
    zsetCommands,
    transactionCommands,
    pubsubCommands,
  ]) {
    for (const cmd of group) table.set(cmd.name, cmd);
  }
  return table;
}
