/**
 * CONFIG GET / SET / RESETSTAT. GET answers the parameters whose value is
 * true of mini-redis (Redis 7.0's names, aliases included, and its defaults
 * where mini-redis behaves as that default: no eviction, no idle timeout,
 * no persistence, the listpack/intset thresholds encoding.ts reports by).
 * SET changes `maxclients` (up to the capacity the server started with,
 * since the reactor's slot table is sized then); any other parameter is
 * refused with Redis's words rather than accepted and ignored.
 */
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { LIMITS } from '../encoding.js';
import { globMatch } from '../glob.js';
import { err, OK, unknownSubcommand, wrongArity } from '../reply.js';
import { parseInt64 } from '../args.js';

/** name → its value now. Aliases (the old ziplist names) are separate rows, as Redis lists them. */
function parameters(c: Client): Array<[string, string]> {
  const s = c.server;
  return [
    ['maxclients', String(s.maxclients)],
    ['databases', String(s.store.dbs.length)],
    ['port', String(s.port)],
    ['timeout', '0'],
    ['maxmemory', '0'],
    ['maxmemory-policy', 'noeviction'],
    ['notify-keyspace-events', ''],
    ['hash-max-listpack-entries', String(LIMITS.hashEntries)],
    ['hash-max-ziplist-entries', String(LIMITS.hashEntries)],
    ['hash-max-listpack-value', String(LIMITS.hashValue)],
    ['hash-max-ziplist-value', String(LIMITS.hashValue)],
    ['zset-max-listpack-entries', String(LIMITS.zsetEntries)],
    ['zset-max-ziplist-entries', String(LIMITS.zsetEntries)],
    ['zset-max-listpack-value', String(LIMITS.zsetValue)],
    ['zset-max-ziplist-value', String(LIMITS.zsetValue)],
    ['set-max-intset-entries', String(LIMITS.setIntsetEntries)],
    // Redis 7.0 keeps every list a quicklist of listpack nodes of at most 8 KiB (-2): encoding.ts's 'quicklist'.
    ['list-max-listpack-size', '-2'],
    ['list-max-ziplist-size', '-2'],
    ['appendonly', 'no'],
    ['save', ''],
    ['requirepass', s.requirepass ?? ''],
    // Redis 7.0's busy-reply-threshold and its old name: when a script becomes busy (scripting.ts).
    ['busy-reply-threshold', String(s.scripting.timeLimit)],
    ['lua-time-limit', String(s.scripting.timeLimit)],
  ];
}

function configGet(c: Client, argv: Buffer[]): unknown {
  if (argv.length < 3) throw wrongArity('config|get');
  const params = parameters(c);
  const out = new Map<Buffer, Buffer>();
  const seen = new Set<string>();
  for (const p of argv.slice(2)) {
    const pattern = p.toString('latin1').toLowerCase();
    for (const [name, v] of params) {
      if (seen.has(name) || !globMatch(pattern, name)) continue;
      seen.add(name);
      out.set(Buffer.from(name), Buffer.from(v, 'latin1'));
    }
  }
  return out;
}

function configSet(c: Client, argv: Buffer[]): unknown {
  if (argv.length < 4 || argv.length % 2 !== 0) throw wrongArity('config|set');
  const known = new Set(parameters(c).map(([n]) => n));
  const changes: Array<() => void> = [];
  // All or nothing, as Redis 7.0: every pair is checked before any is applied.
  for (let i = 2; i < argv.length; i += 2) {
    const name = (argv[i] as Buffer).toString('latin1').toLowerCase();
    const value = argv[i + 1] as Buffer;
    if (!known.has(name)) {
      throw err(`ERR Unknown option or number of arguments for CONFIG SET - '${(argv[i] as Buffer).toString('latin1')}'`);
    }
    if (name === 'lua-time-limit' || name === 'busy-reply-threshold') {
      const ms = parseInt64(value);
      if (ms === null) throw err(`ERR CONFIG SET failed (possibly related to argument '${name}') - argument couldn't be parsed into an integer`);
      if (ms < 0n) throw err(`ERR CONFIG SET failed (possibly related to argument '${name}') - argument must be between 0 and 9223372036854775807 inclusive`);
      changes.push(() => (c.server.scripting.timeLimit = Number(ms)));
      continue;
    }
    if (name !== 'maxclients') {
      throw err(`ERR CONFIG SET failed (possibly related to argument '${name}') - not settable in mini-redis`);
    }
    const n = parseInt64(value);
    if (n === null) throw err(`ERR CONFIG SET failed (possibly related to argument '${name}') - argument couldn't be parsed into an integer`);
    if (n < 1n || n > BigInt(c.server.maxclientsCapacity)) {
      throw err(
        `ERR CONFIG SET failed (possibly related to argument '${name}') - argument must be between 1 and ${c.server.maxclientsCapacity} inclusive`,
      );
    }
    changes.push(() => (c.server.maxclients = Number(n)));
  }
  for (const apply of changes) apply();
  return OK;
}

function resetStat(c: Client): unknown {
  // Redis's resetServerStats: the counters INFO shows, not the keyspace.
  const st = c.server.stats;
  st.connections = 0;
  st.commands = 0;
  st.rejected = 0;
  st.expired = 0;
  st.netInput = 0;
  st.netOutput = 0;
  st.errorReplies = 0;
  st.errors.clear();
  st.commandStats.clear();
  return OK;
}

function config(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  if (sub === 'get') return configGet(c, argv);
  if (sub === 'set') return configSet(c, argv);
  if (sub === 'resetstat') {
    if (argv.length !== 2) throw wrongArity('config|resetstat');
    return resetStat(c);
  }
  throw unknownSubcommand(argv[1] as Buffer, 'config');
}

export const configCommands: Command[] = [command('config', -2, 'admin noscript loading stale', config)];
