/** Server commands: COMMAND, INFO, DBSIZE, FLUSHDB, FLUSHALL, CONFIG GET, TIME. */
import { SimpleString, VerbatimString } from '@reactor-ts/resp';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { globMatch } from '../glob.js';
import { err, OK, REDIS_VERSION, SYNTAX, unknownSubcommand, wrongArity } from '../reply.js';
import { is } from './util.js';

/** One COMMAND entry in Redis 7's ten-field shape. */
function describe(cmd: Command): unknown[] {
  return [
    Buffer.from(cmd.name),
    cmd.arity,
    new Set(cmd.flags.map((f) => new SimpleString(f))),
    cmd.firstKey,
    cmd.lastKey,
    cmd.step,
    new Set(),
    new Set(),
    [],
    [],
  ];
}

/** COMMAND [COUNT | DOCS [name...] | INFO [name...] | LIST]. DOCS answers empty: no docs here. */
function commandCmd(c: Client, argv: Buffer[]): unknown {
  const table = c.server.commands;
  if (argv.length === 1) return [...table.values()].map(describe);
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  if (sub === 'count') {
    if (argv.length !== 2) throw wrongArity('command|count');
    return table.size;
  }
  if (sub === 'docs') return new Map();
  if (sub === 'list') return [...table.keys()].map((n) => Buffer.from(n));
  if (sub === 'info') {
    if (argv.length === 2) return [...table.values()].map(describe);
    return argv.slice(2).map((n) => {
      const cmd = table.get(n.toString('latin1').toLowerCase());
      return cmd === undefined ? null : describe(cmd);
    });
  }
  throw unknownSubcommand(argv[1] as Buffer, 'command');
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(2)}M`;
}

/** The INFO text: a few honest fields per section, Redis's `field:value` lines. */
function infoText(c: Client, wanted: Set<string>): string {
  const s = c.server;
  const all = wanted.size === 0 || wanted.has('all') || wanted.has('default') || wanted.has('everything');
  const sections: string[] = [];
  const add = (name: string, lines: string[]): void => {
    if (all || wanted.has(name.toLowerCase())) sections.push(`# ${name}\r\n${lines.map((l) => `${l}\r\n`).join('')}`);
  };
  const uptime = Math.floor((Date.now() - s.startedAt) / 1000);
  add('Server', [
    `redis_version:${REDIS_VERSION}`,
    'server_name:mini-redis',
    'redis_mode:standalone',
    `os:${process.platform} ${process.arch}`,
    `process_id:${process.pid}`,
    `node_version:${process.version}`,
    `tcp_port:${s.port}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
  ]);
  let subscribers = 0;
  for (const cl of s.clients.values()) if (cl.subscriptions > 0) subscribers++;
  add('Clients', [`connected_clients:${s.clients.size}`, `maxclients:${s.maxclients}`, `blocked_clients:${s.blocking.count}`, `pubsub_clients:${subscribers}`]);
  const mem = process.memoryUsage();
  add('Memory', [
    `used_memory:${mem.heapUsed}`,
    `used_memory_human:${mb(mem.heapUsed)}`,
    `used_memory_rss:${mem.rss}`,
    `used_memory_rss_human:${mb(mem.rss)}`,
    `heap_total:${mem.heapTotal}`,
    `external_memory:${mem.external}`,
  ]);
  add('Stats', [
    `total_connections_received:${s.stats.connections}`,
    `total_commands_processed:${s.stats.commands}`,
    `rejected_connections:${s.stats.rejected}`,
    `expired_keys:${s.stats.expired}`,
    `pubsub_channels:${s.pubsub.channelCount}`,
    `pubsub_patterns:${s.pubsub.patternCount}`,
  ]);
  add('Persistence', ['loading:0', 'rdb_bgsave_in_progress:0', 'aof_enabled:0']);
  add('Replication', ['role:master', 'connected_slaves:0']);
  const keyspace: string[] = [];
  for (const db of s.store.dbs) {
    if (db.size > 0) keyspace.push(`db${db.index}:keys=${db.size},expires=${db.expires.size},avg_ttl=0`);
  }
  add('Keyspace', keyspace);
  return sections.join('\r\n');
}

function info(c: Client, argv: Buffer[]): unknown {
  const wanted = new Set(argv.slice(1).map((a) => a.toString('latin1').toLowerCase()));
  return new VerbatimString('txt', infoText(c, wanted));
}

function flushOption(argv: Buffer[]): void {
  if (argv.length > 2) throw SYNTAX;
  if (argv.length === 2 && !is(argv[1] as Buffer, 'async') && !is(argv[1] as Buffer, 'sync')) throw SYNTAX;
}

/** CONFIG GET over a handful of fixed values, enough for redis-benchmark's start-up probe. */
function config(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  if (sub === 'get') {
    if (argv.length < 3) throw wrongArity('config|get');
    const values: Record<string, string> = {
      save: '',
      appendonly: 'no',
      databases: String(c.server.store.dbs.length),
      maxclients: String(c.server.maxclients),
      port: String(c.server.port),
    };
    const out = new Map<Buffer, Buffer>();
    for (const p of argv.slice(2)) {
      const pattern = p.toString('latin1').toLowerCase();
      for (const [name, v] of Object.entries(values)) if (globMatch(pattern, name)) out.set(Buffer.from(name), Buffer.from(v));
    }
    return out;
  }
  if (sub === 'set') {
    if (argv.length < 4) throw wrongArity('config|set');
    throw err(`ERR Unknown option or number of arguments for CONFIG SET - '${(argv[2] as Buffer).toString('latin1')}'`);
  }
  if (sub === 'resetstat') return OK;
  throw unknownSubcommand(argv[1] as Buffer, 'config');
}

function time(): unknown {
  const us = BigInt(Date.now()) * 1000n;
  return [Buffer.from(String(us / 1000000n)), Buffer.from(String(us % 1000000n))];
}

export const serverCommands: Command[] = [
  command('command', -1, 'loading stale', commandCmd),
  command('info', -1, 'loading stale', info),
  command('dbsize', 1, 'readonly fast', (c) => c.db.size, [0, 0, 0]),
  command('flushdb', -1, 'write', (c, argv) => (flushOption(argv), c.db.flush(), OK), [0, 0, 0]),
  command('flushall', -1, 'write', (c, argv) => (flushOption(argv), c.server.store.flushAll(), OK), [0, 0, 0]),
  command('config', -2, 'admin noscript loading stale', config),
  command('time', 1, 'loading stale fast', time),
];
