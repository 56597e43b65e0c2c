/**
 * CONFIG GET / SET / RESETSTAT over the parameter table in config.ts.
 * GET matches every name and alias against each pattern (Redis's glob),
 * once each. SET is all or nothing, with Redis 7.0's checks in its order:
 * every name is looked up first (unknown, immutable, duplicate), then every
 * value is parsed, and only then is anything applied.
 */
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { ConfigValueError, configParams, type ConfigParam } from '../config.js';
import { globMatch } from '../glob.js';
import { err, OK, unknownSubcommand, wrongArity } from '../reply.js';

function configGet(c: Client, argv: Buffer[]): unknown {
  if (argv.length < 3) throw wrongArity('config|get');
  const out = new Map<Buffer, Buffer>();
  const seen = new Set<string>();
  for (const p of argv.slice(2)) {
    const pattern = p.toString('latin1').toLowerCase();
    for (const param of configParams) {
      for (const name of param.alias === undefined ? [param.name] : [param.name, param.alias]) {
        if (seen.has(name) || !globMatch(pattern, name)) continue;
        seen.add(name);
        out.set(Buffer.from(name), Buffer.from(param.get(c.server), 'latin1'));
      }
    }
  }
  return out;
}

function findParam(name: string): ConfigParam | undefined {
  return configParams.find((p) => p.name === name || p.alias === name);
}

function failed(name: string, why: string): Error {
  return err(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`);
}

function configSet(c: Client, argv: Buffer[]): unknown {
  if (argv.length < 4 || argv.length % 2 !== 0) throw wrongArity('config|set');
  const found: Array<{ param: ConfigParam; name: string; value: Buffer }> = [];
  const names = new Set<string>();
  for (let i = 2; i < argv.length; i += 2) {
    const given = (argv[i] as Buffer).toString('latin1');
    const name = given.toLowerCase();
    const param = findParam(name);
    if (param === undefined) throw err(`ERR Unknown option or number of arguments for CONFIG SET - '${given}'`);
    if (param.immutable === true) throw failed(given, "can't set immutable config");
    if (names.has(name)) throw failed(given, 'duplicate parameter');
    names.add(name);
    found.push({ param, name, value: argv[i + 1] as Buffer });
  }
  const changes: Array<() => void> = [];
  for (const { param, name, value } of found) {
    if (param.set === undefined) throw failed(name, 'not settable in mini-redis');
    try {
      changes.push(param.set(c.server, value));
    } catch (e) {
      if (e instanceof ConfigValueError) throw failed(name, e.message);
      throw e;
    }
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
  st.evicted = 0;
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

export const configCommands: Command[] = [{ ...command('config', -2, 'admin noscript loading stale', config), subcommands: ['get', 'resetstat', 'set'] }];
