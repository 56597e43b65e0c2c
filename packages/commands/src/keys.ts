/**
 * Key extraction from the key specs of the table: which argv positions of a
 * command are keys, the way Redis 7's `getKeysFromCommandWithSpecs` finds
 * them (begin_search, then find_keys). A cluster router hashes these, a key
 * prefixer rewrites them; both read the same table, so a multi-key command
 * or EVAL's KEYS are found the same way everywhere.
 *
 * A spec flagged `incomplete` (e.g. SORT's BY/GET patterns) or with an
 * `unknown` search yields only what it can; callers that must see every key
 * treat `movablekeys` commands without a complete spec as unroutable.
 */
import type { CommandSpec, KeySpec } from './spec.js';
import { COMMAND_TABLE } from './table.js';

type ArgvItem = string | Buffer | Uint8Array | number | bigint;

let byName: Map<string, CommandSpec> | undefined;

/** The table entry for `name` (`get`, `client|list`; case-insensitive), or undefined. */
export function commandSpec(name: string): CommandSpec | undefined {
  if (byName === undefined) {
    byName = new Map();
    for (const c of COMMAND_TABLE) byName.set(c.name, c);
  }
  return byName.get(name.toLowerCase());
}

function text(a: ArgvItem | undefined): string {
  if (a === undefined) return '';
  if (typeof a === 'string') return a;
  if (typeof a === 'number' || typeof a === 'bigint') return String(a);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('latin1');
}

/** The entry an argv runs: a container's subcommand when argv[1] names one. */
export function specOfArgv(argv: readonly ArgvItem[]): CommandSpec | undefined {
  const top = commandSpec(text(argv[0]));
  if (top === undefined || top.subcommands === undefined || argv.length < 2) return top;
  return commandSpec(`${top.name}|${text(argv[1])}`) ?? top;
}

/** Start index of a spec's key search in argv, or -1 when its keyword is absent. */
function beginOf(ks: KeySpec, argv: readonly ArgvItem[]): number {
  const b = ks.beginSearch;
  if (b.type === 'index') return b.index;
  if (b.type !== 'keyword') return -1;
  const want = b.keyword.toUpperCase();
  const argc = argv.length;
  if (b.startFrom >= 0) {
    for (let i = b.startFrom; i < argc; i++) if (text(argv[i]).toUpperCase() === want) return i + 1;
  } else {
    for (let i = argc + b.startFrom; i > 0; i--) if (text(argv[i]).toUpperCase() === want) return i + 1;
  }
  return -1;
}

/** Appends the key positions of one spec to `out`. */
function keysOfSpec(ks: KeySpec, argv: readonly ArgvItem[], out: number[]): void {
  const first = beginOf(ks, argv);
  if (first < 0 || first >= argv.length) return;
  const argc = argv.length;
  const f = ks.findKeys;
  if (f.type === 'range') {
    let last: number;
    if (f.lastKey >= 0) last = first + f.lastKey;
    else if (f.limit <= 1) last = argc + f.lastKey;
    else last = first + Math.floor((argc - first) / f.limit) + f.lastKey;
    for (let i = first; i <= last && i < argc; i += Math.max(1, f.keyStep)) out.push(i);
  } else if (f.type === 'keynum') {
    const n = Number(text(argv[first + f.keyNumIdx]));
    if (!Number.isSafeInteger(n) || n <= 0) return;
    const start = first + f.firstKey;
    for (let k = 0, i = start; k < n && i < argc; k++, i += Math.max(1, f.keyStep)) out.push(i);
  }
}

/**
 * The argv indexes that are keys, in argv order, without duplicates (a key
 * named by two specs counts once). [] for a command without keys or one the
 * table does not know.
 */
export function keyIndexes(argv: readonly ArgvItem[]): number[] {
  const spec = specOfArgv(argv);
  if (spec === undefined || spec.keySpecs.length === 0) return [];
  const out: number[] = [];
  for (const ks of spec.keySpecs) {
    if (ks.flags.includes('not_key')) continue;
    keysOfSpec(ks, argv, out);
  }
  // MIGRATE's key slot holds "" when its KEYS option names the keys (Redis's own migrateGetKeys skips it).
  const keys = spec.name === 'migrate' ? out.filter((i) => text(argv[i]) !== '') : out;
  return [...new Set(keys)].sort((a, b) => a - b);
}

/** The keys of an argv (see keyIndexes), as they were given. */
export function commandKeys<T extends ArgvItem>(argv: readonly T[]): T[] {
  return keyIndexes(argv).map((i) => argv[i]!);
}

/**
 * A copy of `argv` with `prefix` put before every key the key specs find
 * (EVAL's KEYS and multi-key commands included); other arguments are kept
 * as they are. Buffers stay Buffers; a number or bigint key becomes text.
 */
export function prefixKeys<T extends ArgvItem>(argv: readonly T[], prefix: string | Buffer): Array<T | string | Buffer> {
  const at = keyIndexes(argv);
  if (at.length === 0 || prefix.length === 0) return argv.slice();
  const out: Array<T | string | Buffer> = argv.slice();
  for (const i of at) {
    const k = argv[i]!;
    if (typeof prefix === 'string' && (typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint')) out[i] = prefix + String(k);
    else {
      const kb = typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' ? Buffer.from(String(k)) : Buffer.from(k.buffer, k.byteOffset, k.byteLength);
      out[i] = Buffer.concat([typeof prefix === 'string' ? Buffer.from(prefix) : prefix, kb]);
    }
  }
  return out;
}
