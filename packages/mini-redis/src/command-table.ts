/**
 * The command table: lower-case name → Command (command.ts), as Redis's
 * `redisCommandTable`, and the case-insensitive lookup every request uses.
 */
import type { Command } from './command.js';
import { bitCommands } from './commands/bits.js';
import { blockingListCommands } from './commands/blocking.js';
import { blockingZsetCommands } from './commands/blocking-zsets.js';
import { clientCommands } from './commands/client.js';
import { configCommands } from './commands/config.js';
import { connectionCommands } from './commands/connection.js';
import { debugCommands } from './commands/debug.js';
import { dumpCommands } from './commands/dump.js';
import { hashCommands } from './commands/hashes.js';
import { keyCommands } from './commands/keys.js';
import { objectCommands } from './commands/object.js';
import { scanCommands } from './commands/scan.js';
import { scriptingCommands } from './commands/scripting.js';
import { sortCommands } from './commands/sort.js';
import { listCommands } from './commands/lists.js';
import { pubsubCommands } from './commands/pubsub.js';
import { serverCommands } from './commands/server.js';
import { setCommands } from './commands/sets.js';
import { streamGroupCommands } from './commands/stream-groups.js';
import { streamInfoCommands } from './commands/stream-info.js';
import { streamCommands } from './commands/streams.js';
import { stringCommands } from './commands/strings.js';
import { transactionCommands } from './commands/transactions.js';
import { zsetAlgebraCommands } from './commands/zset-algebra.js';
import { zsetRangeCommands } from './commands/zset-ranges.js';
import { zsetCommands } from './commands/zsets.js';

export type { Command, Handler } from './command.js';

/** Every command mini-redis knows. */
export function buildCommandTable(): Map<string, Command> {
  const table = new Map<string, Command>();
  for (const group of [
    connectionCommands,
    clientCommands,
    serverCommands,
    configCommands,
    debugCommands,
    stringCommands,
    bitCommands,
    keyCommands,
    scanCommands,
    objectCommands,
    sortCommands,
    dumpCommands,
    listCommands,
    blockingListCommands,
    blockingZsetCommands,
    setCommands,
    hashCommands,
    zsetCommands,
    zsetRangeCommands,
    zsetAlgebraCommands,
    streamCommands,
    streamGroupCommands,
    streamInfoCommands,
    transactionCommands,
    pubsubCommands,
    scriptingCommands,
  ]) {
    for (const cmd of group) table.set(cmd.name, cmd);
  }
  return table;
}

/**
 * Finds a command from the raw bytes of argv[0], case-insensitively,
 * without making a string: every request needs this, and a string plus its
 * lower-case copy per request showed up in profiles.
 */
export class CommandLookup {
  private readonly byHash = new Map<number, Command[]>();
  /** The command the previous find returned. */
  private last: Command | undefined = undefined;

  constructor(table: ReadonlyMap<string, Command>) {
    for (const cmd of table.values()) {
      const h = hashName(Buffer.from(cmd.name, 'latin1'));
      const list = this.byHash.get(h) ?? [];
      list.push(cmd);
      this.byHash.set(h, list);
    }
  }

  find(name: Buffer): Command | undefined {
    // A pipeline mostly repeats one command: the last one found is tried
    // first, a compare that saves the hash and the map lookup.
    const last = this.last;
    if (last !== undefined && sameName(name, last.name)) return last;
    if (name.length > 32) return undefined;
    const list = this.byHash.get(hashName(name));
    if (list === undefined) return undefined;
    for (const cmd of list) {
      if (sameName(name, cmd.name)) {
        this.last = cmd;
        return cmd;
      }
    }
    return undefined;
  }
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

function hashName(b: Buffer): number {
  let h = b.length;
  for (let i = 0; i < b.length; i++) h = (Math.imul(h, 31) + lower(b[i] as number)) | 0;
  return h;
}

function sameName(b: Buffer, name: string): boolean {
  if (b.length !== name.length) return false;
  for (let i = 0; i < b.length; i++) if (lower(b[i] as number) !== name.charCodeAt(i)) return false;
  return true;
}
