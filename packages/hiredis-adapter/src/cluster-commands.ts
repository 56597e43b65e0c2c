/**
 * Where a command's keys are, read from the server's own `COMMAND` /
 * `COMMAND INFO` reply (its key specs, Redis 7), never from a hand-kept
 * list: a cluster client routes by them, and a new command or module command
 * is routed the day the server knows it. Pure, no I/O.
 *
 * A key spec is a search for where the keys begin (`index`: a fixed
 * position; `keyword`: after a word such as STREAMS, looked for forward or
 * backward from a position) and a rule for how many follow (`range`: up to
 * a last index, possibly counted from the end, every `keystep`, or a
 * fraction `1/limit` of what remains; `keynum`: an argument that gives the
 * count, as in EVAL). Servers before 7 have no key specs; their first/last/
 * step triple is used instead. Specs of type `unknown` (SORT's BY/STORE)
 * name no key we could route by and are skipped.
 *
 * The same reply's tips say which keyless commands go to every node
 * (`request_policy:all_shards` / `all_nodes`: FLUSHALL, SCRIPT LOAD, ...)
 * and how their replies combine (`response_policy:*`).
 */
import { integerOf, itemsOf, textOf, type CommandArgument } from '@reactor-ts/resp';
import { keySlot } from './cluster-slot.js';
import { CrossSlotError } from './cluster-topology.js';

type Arg = CommandArgument;

/** Where one key spec's keys begin. */
type BeginSearch =
  | { kind: 'index'; index: number }
  | { kind: 'keyword'; keyword: string; startfrom: number }
  | { kind: 'unknown' };

/** How many keys follow, and how far apart. */
type FindKeys =
  | { kind: 'range'; lastkey: number; step: number; limit: number }
  | { kind: 'keynum'; keynumidx: number; firstkey: number; step: number }
  | { kind: 'unknown' };

export interface KeySpec {
  readonly begin: BeginSearch;
  readonly find: FindKeys;
}

/** Which nodes a keyless command goes to (the `request_policy` tip). */
export type RequestPolicy = 'default' | 'all_shards' | 'all_nodes' | 'multi_shard' | 'special';

/** How the replies of a command sent to several nodes combine (the `response_policy` tip). */
export type ResponsePolicy =
  | 'default'
  | 'one_succeeded'
  | 'all_succeeded'
  | 'agg_logical_and'
  | 'agg_logical_or'
  | 'agg_min'
  | 'agg_max'
  | 'agg_sum'
  | 'special';

/** One command (or subcommand, `object|encoding`) as the server describes it. */
export interface CommandSpec {
  /** Lower case; a subcommand is `container|sub`. */
  readonly name: string;
  readonly arity: number;
  readonly flags: ReadonlySet<string>;
  readonly keySpecs: readonly KeySpec[];
  readonly requestPolicy: RequestPolicy;
  readonly responsePolicy: ResponsePolicy;
  /** Lower-case subcommand name → its spec; empty for a plain command. */
  readonly subcommands: ReadonlyMap<string, CommandSpec>;
}

/** `[k1, v1, k2, v2]` or a Map (RESP3) as key → value. */
function fields(r: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (r instanceof Map) {
    for (const [k, v] of r) out.set(String(textOf(k) ?? k), v);
    return out;
  }
  const items = itemsOf(r) ?? [];
  for (let i = 0; i + 1 < items.length; i += 2) out.set(textOf(items[i]) ?? '', items[i + 1]);
  return out;
}

function num(r: unknown, fallback = 0): number {
  return integerOf(r) ?? fallback;
}

/**
 * The elements of an array, or of a Set: Redis 7.0 answers COMMAND's flags,
 * tips, key specs and (when empty) subcommands as RESP3 sets, so a RESP3
 * reader hands them over as Sets, not arrays.
 */
function listOf(r: unknown): readonly unknown[] {
  if (r instanceof Set) return [...(r as Set<unknown>)];
  return itemsOf(r) ?? [];
}

function texts(r: unknown): string[] {
  return listOf(r).map((x) => textOf(x) ?? '');
}

function parseKeySpec(r: unknown): KeySpec {
  const f = fields(r);
  const bs = fields(f.get('begin_search'));
  const bspec = fields(bs.get('spec'));
  let begin: BeginSearch = { kind: 'unknown' };
  if (textOf(bs.get('type')) === 'index') begin = { kind: 'index', index: num(bspec.get('index')) };
  else if (textOf(bs.get('type')) === 'keyword') {
    begin = { kind: 'keyword', keyword: (textOf(bspec.get('keyword')) ?? '').toLowerCase(), startfrom: num(bspec.get('startfrom'), 1) };
  }
  const fk = fields(f.get('find_keys'));
  const fspec = fields(fk.get('spec'));
  let find: FindKeys = { kind: 'unknown' };
  if (textOf(fk.get('type')) === 'range') {
    find = { kind: 'range', lastkey: num(fspec.get('lastkey')), step: num(fspec.get('keystep'), 1), limit: num(fspec.get('limit')) };
  } else if (textOf(fk.get('type')) === 'keynum') {
    find = { kind: 'keynum', keynumidx: num(fspec.get('keynumidx')), firstkey: num(fspec.get('firstkey'), 1), step: num(fspec.get('keystep'), 1) };
  }
  return { begin, find };
}

/** One entry of a COMMAND reply: `[name, arity, flags, first, last, step, acl, tips, keyspecs, subcommands]`. */
export function parseCommandEntry(r: unknown): CommandSpec | null {
  const e = itemsOf(r);
  if (e === null || e.length < 6) return null;
  const name = (textOf(e[0]) ?? '').toLowerCase();
  if (name === '') return null;
  const flags = new Set(texts(e[2]).map((s) => s.toLowerCase()));
  let keySpecs: KeySpec[];
  if (e.length > 8) {
    keySpecs = listOf(e[8]).map(parseKeySpec);
  } else {
    // Before Redis 7: the legacy first/last/step triple is one range spec.
    const first = num(e[3]);
    const last = num(e[4]);
    keySpecs = first > 0 ? [{ begin: { kind: 'index', index: first }, find: { kind: 'range', lastkey: last < 0 ? last : last - first, step: num(e[5], 1), limit: 0 } }] : [];
  }
  let requestPolicy: RequestPolicy = 'default';
  let responsePolicy: ResponsePolicy = 'default';
  for (const tip of e.length > 7 ? texts(e[7]) : []) {
    if (tip.startsWith('request_policy:')) requestPolicy = tip.slice(15) as RequestPolicy;
    else if (tip.startsWith('response_policy:')) responsePolicy = tip.slice(16) as ResponsePolicy;
  }
  const subcommands = new Map<string, CommandSpec>();
  for (const sub of e.length > 9 ? listOf(e[9]) : []) {
    const s = parseCommandEntry(sub);
    if (s !== null) subcommands.set(s.name.slice(s.name.indexOf('|') + 1), s);
  }
  return { name, arity: num(e[1]), flags, keySpecs, requestPolicy, responsePolicy, subcommands };
}

function argText(a: Arg | undefined): string {
  if (a === undefined) return '';
  return typeof a === 'string' ? a : a instanceof Uint8Array ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('utf8') : String(a);
}

/**
 * The server's command table. Lookups are by the name as the caller spelled
 * it ('INCR', 'incr'), cached, so routing a command costs one Map lookup.
 */
export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();
  /** Names as spelled → spec (or null: unknown); bounded, names come from callers. */
  private readonly seen = new Map<string, CommandSpec | null>();

  constructor(specs: Iterable<CommandSpec>) {
    for (const s of specs) this.byName.set(s.name, s);
  }

  /** From the reply to `COMMAND` or `COMMAND INFO ...` (any reply builder). */
  static fromReply(reply: unknown): CommandTable {
    const specs: CommandSpec[] = [];
    for (const entry of itemsOf(reply) ?? []) {
      const s = parseCommandEntry(entry);
      if (s !== null) specs.push(s);
    }
    return new CommandTable(specs);
  }

  get size(): number {
    return this.byName.size;
  }

  /** The spec of `argv`'s command (its subcommand's, when it has them), or null when the server does not know it. */
  lookup(argv: readonly Arg[]): CommandSpec | null {
    const first = argv[0];
    const name = typeof first === 'string' ? first : argText(first);
    let spec = this.seen.get(name);
    if (spec === undefined) {
      spec = this.byName.get(name.toLowerCase()) ?? null;
      if (this.seen.size < 4096) this.seen.set(name, spec);
    }
    if (spec !== null && spec.subcommands.size > 0 && argv.length > 1) {
      return spec.subcommands.get(argText(argv[1]).toLowerCase()) ?? spec;
    }
    return spec;
  }

  /** The indices in `argv` that hold keys, in order (empty for a keyless or unknown command). */
  keyIndices(argv: readonly Arg[], spec: CommandSpec | null = this.lookup(argv)): number[] {
    if (spec === null) return [];
    const specs = spec.keySpecs;
    // The hot path: one key at a fixed index (GET, SET, INCR, ...).
    if (specs.length === 1) {
      const ks = specs[0]!;
      if (ks.begin.kind === 'index' && ks.find.kind === 'range' && ks.find.lastkey === 0) {
        return ks.begin.index < argv.length ? [ks.begin.index] : [];
      }
    }
    const out: number[] = [];
    for (const ks of specs) collect(ks, argv, out);
    return out;
  }

  /**
   * The one slot of `argv`'s keys, -1 without keys; throws CrossSlotError
   * when they are in different slots. A single key at a fixed index (most
   * commands) costs no array.
   */
  slotOf(argv: readonly Arg[], spec: CommandSpec | null = this.lookup(argv)): number {
    if (spec === null) return -1;
    const specs = spec.keySpecs;
    if (specs.length === 1) {
      const ks = specs[0]!;
      if (ks.begin.kind === 'index' && ks.find.kind === 'range' && ks.find.lastkey === 0) {
        return ks.begin.index < argv.length ? keySlot(argv[ks.begin.index]!) : -1;
      }
    }
    let slot = -1;
    for (const i of this.keyIndices(argv, spec)) {
      const s = keySlot(argv[i]!);
      if (slot === -1) slot = s;
      else if (s !== slot) throw new CrossSlotError(spec.name.toUpperCase(), [slot, s]);
    }
    return slot;
  }

  /** Whether the server marks the command read-only (it may then go to a replica). */
  isReadonly(spec: CommandSpec | null): boolean {
    return spec !== null && spec.flags.has('readonly') && !spec.flags.has('write');
  }
}

/** Appends the indices one key spec finds in `argv`. */
function collect(ks: KeySpec, argv: readonly Arg[], out: number[]): void {
  const argc = argv.length;
  let first: number;
  if (ks.begin.kind === 'index') first = ks.begin.index;
  else if (ks.begin.kind === 'keyword') {
    const kw = ks.begin.keyword;
    const from = ks.begin.startfrom;
    first = -1;
    if (from >= 0) {
      for (let i = from; i < argc; i++) {
        if (argText(argv[i]).toLowerCase() === kw) {
          first = i + 1;
          break;
        }
      }
    } else {
      for (let i = argc + from; i > 0; i--) {
        if (argText(argv[i]).toLowerCase() === kw) {
          first = i + 1;
          break;
        }
      }
    }
    if (first === -1) return;
  } else return;
  if (first <= 0 || first >= argc) return;
  const f = ks.find;
  if (f.kind === 'range') {
    let last: number;
    if (f.lastkey >= 0) last = first + f.lastkey;
    else if (f.lastkey === -1 && f.limit > 1) last = first + Math.floor((argc - first) / f.limit) - 1;
    else last = argc + f.lastkey;
    const step = Math.max(1, f.step);
    for (let i = first; i <= last && i < argc; i += step) out.push(i);
  } else if (f.kind === 'keynum') {
    const n = Number(argText(argv[first + f.keynumidx]));
    if (!Number.isInteger(n) || n <= 0) return;
    const step = Math.max(1, f.step);
    const start = first + f.firstkey;
    for (let k = 0, i = start; k < n && i < argc; k++, i += step) out.push(i);
  }
}
