/** Server commands: COMMAND, INFO (text in info.ts), DBSIZE, FLUSHDB, FLUSHALL, TIME (CONFIG is in config.ts). */
import { SimpleString, VerbatimString } from '@reactor-ts/resp';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { OK, SYNTAX, unknownSubcommand, wrongArity } from '../reply.js';
import { infoText } from './info.js';
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

function info(c: Client, argv: Buffer[]): unknown {
  return new VerbatimString('txt', infoText(c, argv.slice(1).map((a) => a.toString('latin1').toLowerCase())));
}

function flushOption(argv: Buffer[]): void {
  if (argv.length > 2) throw SYNTAX;
  if (argv.length === 2 && !is(argv[1] as Buffer, 'async') && !is(argv[1] as Buffer, 'sync')) throw SYNTAX;
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
  command('time', 1, 'loading stale fast', time),
];
