/**
 * COMMAND GETKEYS / GETKEYSANDFLAGS: the keys of a full command line, found
 * as Redis 7.0 finds them (getKeysFromCommandWithSpecs): by the key specs
 * of the command's COMMAND INFO row (command-docs.ts), and, where a spec
 * cannot say (SORT's are "unknown", SET's flags depend on GET), by the
 * command's own key finder, as Redis's getkeys_proc. Errors are Redis's.
 *
 * Where a spec fails on bad input (a numkeys that is not a number, a
 * keyword missing), Redis falls back to the command's getkeys_proc, which
 * answers no keys for such input in every case mini-redis has but one:
 * `atoi` reads a numkeys like "2x" as 2. That one difference is left: a
 * command line that the command itself refuses.
 */
import { SimpleString } from '@reactor-ts/resp';
import type { Command } from './command.js';
import { commandInfo, subcommandInfo } from './command-docs.js';
import { err } from './reply.js';

type KeyRef = { pos: number; flags: Set<SimpleString> };

const flagSet = (...f: string[]): Set<SimpleString> => new Set(f.map((x) => new SimpleString(x)));

/** Redis's lookupCommand over an argv: the command, or its subcommand when it is a container. */
function rowOf(table: ReadonlyMap<string, Command>, argv: Buffer[]): { cmd: Command; row: unknown[] } | undefined {
  const cmd = table.get((argv[0] as Buffer).toString('latin1').toLowerCase());
  if (cmd === undefined) return undefined;
  if (argv.length === 1 || cmd.subcommands === undefined) return { cmd, row: commandInfo(cmd) };
  const row = subcommandInfo(cmd, (argv[1] as Buffer).toString('latin1').toLowerCase());
  return row === undefined ? undefined : { cmd, row };
}

const get = (m: unknown, k: string): unknown => (m instanceof Map ? m.get(k) : undefined);
const flagNames = (s: unknown): string[] => (s instanceof Set ? [...s].map(String) : []);
const eq = (b: Buffer, word: string): boolean => b.length === word.length && b.toString('latin1').toLowerCase() === word.toLowerCase();

/** string2ll: a canonical int64 in decimal, or null. */
function toInt(b: Buffer): number | null {
  const s = b.toString('latin1');
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(s)) return null;
  return Number(s);
}

/** getKeysUsingKeySpecs: the keys, or null when a spec is invalid or incomplete for this argv. */
function keysBySpecs(specs: unknown[], argv: Buffer[], arity: number): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const spec of specs) {
    const flags = get(spec, 'flags') as Set<SimpleString>;
    const bs = get(spec, 'begin_search');
    const fk = get(spec, 'find_keys');
    let first = 0;
    if (get(bs, 'type') === 'index') first = get(get(bs, 'spec'), 'index') as number;
    else if (get(bs, 'type') === 'keyword') {
      const keyword = get(get(bs, 'spec'), 'keyword') as string;
      const from = get(get(bs, 'spec'), 'startfrom') as number;
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (eq(argv[i] as Buffer, keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword not there: this spec has no keys
    } else return null;
    let last: number;
    let step: number;
    const fs = get(fk, 'spec');
    if (get(fk, 'type') === 'range') {
      step = get(fs, 'keystep') as number;
      const lastkey = get(fs, 'lastkey') as number;
      const limit = get(fs, 'limit') as number;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit === 0) last = argc + lastkey;
      else last = first + (Math.trunc((argc - first) / limit) + lastkey);
    } else if (get(fk, 'type') === 'keynum') {
      step = get(fs, 'keystep') as number;
      const idx = get(fs, 'keynumidx') as number;
      if (idx >= argc || first + idx >= argc) return null;
      const numkeys = toInt(argv[first + idx] as Buffer);
      if (numkeys === null || numkeys < 0) return null;
      first += get(fs, 'firstkey') as number;
      last = first + numkeys - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      // A variadic command given too few arguments: no key here, the command reports the error.
      if (i >= argc || i < first) {
        if (arity < 0) continue;
        return null;
      }
      out.push({ pos: i, flags });
    }
    if (flagNames(flags).includes('incomplete')) return null;
  }
  return out;
}

/** The getkeys_proc of the commands whose specs cannot answer (sortGetKeys, sortROGetKeys, setGetKeys). */
function keysByProc(name: string, argv: Buffer[]): KeyRef[] {
  if (name === 'sort_ro') return [{ pos: 1, flags: flagSet('RO', 'access') }];
  if (name === 'sort') {
    const keys: KeyRef[] = [{ pos: 1, flags: flagSet('RO', 'access') }];
    let store: KeyRef | null = null;
    const skip: Record<string, number> = { limit: 2, get: 1, by: 1 };
    for (let i = 2; i < argv.length; i++) {
      const word = (argv[i] as Buffer).toString('latin1').toLowerCase();
      if (skip[word] !== undefined) i += skip[word];
      // The last STORE wins, as SORT itself does.
      else if (word === 'store' && i + 1 < argv.length) store = { pos: i + 1, flags: flagSet('OW', 'update') };
    }
    if (store !== null) keys.push(store);
    return keys;
  }
  if (name === 'set') {
    for (let i = 3; i < argv.length; i++) if (eq(argv[i] as Buffer, 'get')) return [{ pos: 1, flags: flagSet('RW', 'access', 'update') }];
    return [{ pos: 1, flags: flagSet('OW', 'update') }];
  }
  return [];
}

/** COMMAND GETKEYS / GETKEYSANDFLAGS `argv` (the full command, from its name on). */
export function getKeys(table: ReadonlyMap<string, Command>, argv: Buffer[], withFlags: boolean): unknown {
  const found = rowOf(table, argv);
  if (found === undefined) throw err('ERR Invalid command specified');
  const row = found.row;
  const name = String(row[0]);
  const arity = row[1] as number;
  const cmdFlags = flagNames(row[2]);
  const specs = row[8] instanceof Set ? [...row[8]] : [];
  const procs = name === 'sort' || name === 'sort_ro' || name === 'set';
  if (!procs && specs.every((s) => flagNames(get(s, 'flags')).includes('not_key'))) throw err('ERR The command has no key arguments');
  if ((arity > 0 && arity !== argv.length) || argv.length < -arity) throw err('ERR Invalid number of arguments specified for command');
  const varFlags = specs.some((s) => flagNames(get(s, 'flags')).includes('variable_flags'));
  let keys = varFlags ? null : keysBySpecs(specs, argv, arity);
  if (keys === null) keys = keysByProc(name, argv);
  if (keys.length === 0) {
    if (cmdFlags.includes('no_mandatory_keys')) return [];
    throw err('ERR Invalid arguments specified for command');
  }
  return keys.map((k) => (withFlags ? [argv[k.pos] as Buffer, k.flags] : (argv[k.pos] as Buffer)));
}
