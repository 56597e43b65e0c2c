/** Server commands: COMMAND, INFO (text in info.ts), DBSIZE, FLUSHDB, FLUSHALL, TIME (CONFIG is in config.ts). */
import { SimpleString, VerbatimString } from '@reactor-ts/resp';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { OK, SYNTAX, unknownSubcommand, wrongArity } from '../reply.js';
import { aclCategories, commandDocs, commandInfo, subcommandInfo } from '../command-docs.js';
import { getKeys } from '../command-keys.js';
import { globMatch } from '../glob.js';
import { infoText } from './info.js';
import { is } from './util.js';

/** A command or `container|subcommand` by its name, as Redis's lookupCommandBySds (case-insensitive). */
function lookup(table: ReadonlyMap<string, Command>, name: Buffer): { cmd: Command; sub?: string } | undefined {
  const parts = name.toString('latin1').toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const cmd = table.get(parts[0] as string);
  if (cmd === undefined) return undefined;
  if (parts.length === 1) return { cmd };
  const sub = parts[1] as string;
  return cmd.subcommands?.includes(sub) === true ? { cmd, sub } : undefined;
}

/** COMMAND INFO [name ...]: every command's row, or one per name (null for an unknown one). */
function commandInfoCmd(table: ReadonlyMap<string, Command>, names: Buffer[]): unknown {
  if (names.length === 0) return [...table.values()].map(commandInfo);
  return names.map((n) => {
    const found = lookup(table, n);
    if (found === undefined) return null;
    return (found.sub === undefined ? commandInfo(found.cmd) : subcommandInfo(found.cmd, found.sub)) ?? null;
  });
}

/**
 * COMMAND DOCS [name ...]: a map of name → docs; unknown names are left out,
 * as Redis does. Keys are Buffers, one object each, because Redis answers a
 * name asked twice twice (a map with a repeated key), which string keys
 * would fold into one.
 */
function commandDocsCmd(table: ReadonlyMap<string, Command>, names: Buffer[]): unknown {
  const out = new Map<Buffer, unknown>();
  if (names.length === 0) {
    for (const cmd of table.values()) {
      const d = commandDocs(cmd);
      if (d !== undefined) out.set(Buffer.from(cmd.name), d);
    }
    return out;
  }
  for (const n of names) {
    const found = lookup(table, n);
    if (found === undefined) continue;
    const d = commandDocs(found.cmd, found.sub);
    if (d !== undefined) out.set(Buffer.from(found.sub === undefined ? found.cmd.name : `${found.cmd.name}|${found.sub}`), d);
  }
  return out;
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: names, subcommands included. */
function commandListCmd(table: ReadonlyMap<string, Command>, argv: Buffer[]): unknown {
  let keep: (cmd: Command, sub?: string) => boolean = () => true;
  if (argv.length === 5 && is(argv[2] as Buffer, 'filterby')) {
    const arg = (argv[4] as Buffer).toString('latin1');
    if (is(argv[3] as Buffer, 'module')) keep = () => false; // no modules here
    else if (is(argv[3] as Buffer, 'aclcat')) keep = (cmd, sub) => aclCategories(cmd, sub).includes(arg.toLowerCase());
    else if (is(argv[3] as Buffer, 'pattern')) {
      // stringmatchlen with nocase: command names are lower case, so lower the pattern.
      const pattern = arg.toLowerCase();
      keep = (cmd, sub) => globMatch(pattern, sub === undefined ? cmd.name : `${cmd.name}|${sub}`);
    } else throw SYNTAX;
  } else if (argv.length !== 2) throw SYNTAX;
  const out: Buffer[] = [];
  for (const cmd of table.values()) {
    if (keep(cmd)) out.push(Buffer.from(cmd.name));
    for (const sub of cmd.subcommands ?? []) if (keep(cmd, sub)) out.push(Buffer.from(`${cmd.name}|${sub}`));
  }
  return out;
}

const COMMAND_HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
].map((l) => new SimpleString(l));

/** COMMAND [COUNT | DOCS [name...] | INFO [name...] | LIST [FILTERBY ...] | GETKEYS[ANDFLAGS] cmd... | HELP]. */
function commandCmd(c: Client, argv: Buffer[]): unknown {
  const table = c.server.commands;
  if (argv.length === 1) return [...table.values()].map(commandInfo);
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  if (sub === 'count') {
    if (argv.length !== 2) throw wrongArity('command|count');
    return table.size;
  }
  if (sub === 'docs') return commandDocsCmd(table, argv.slice(2));
  if (sub === 'list') return commandListCmd(table, argv);
  if (sub === 'info') return commandInfoCmd(table, argv.slice(2));
  if (sub === 'getkeys' || sub === 'getkeysandflags') {
    if (argv.length < 4) throw wrongArity(`command|${sub}`);
    return getKeys(table, argv.slice(2), sub === 'getkeysandflags');
  }
  if (sub === 'help') {
    if (argv.length !== 2) throw wrongArity('command|help');
    return COMMAND_HELP;
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
  { ...command('command', -1, 'loading stale', commandCmd), subcommands: ['count', 'docs', 'getkeys', 'getkeysandflags', 'help', 'info', 'list'] },
  command('info', -1, 'loading stale', info),
  command('dbsize', 1, 'readonly fast', (c) => c.db.size, [0, 0, 0]),
  command('flushdb', -1, 'write', (c, argv) => (flushOption(argv), c.db.flush(), OK), [0, 0, 0]),
  command('flushall', -1, 'write', (c, argv) => (flushOption(argv), c.server.store.flushAll(), OK), [0, 0, 0]),
  command('time', 1, 'loading stale fast', time),
];
