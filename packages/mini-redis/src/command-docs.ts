/**
 * What COMMAND, COMMAND INFO and COMMAND DOCS say about a command: Redis
 * 7.0's own rows (redis-commands.generated.ts, read from a redis-server by
 * the table generator), cut down to what mini-redis implements.
 *
 * Why Redis's rows rather than mini-redis's own `Command` fields: clients
 * read COMMAND INFO for key specs and ACL categories (a cluster router, the
 * promise client's prefixer) and COMMAND DOCS for help text, and mini-redis
 * means to be that same server. Its own flags are dispatch hints (`random`,
 * `noscript` on a whole container) and stay internal; what it must not do is
 * claim an arity or a subcommand it lacks, so a container's subcommands are
 * only those its `Command.subcommands` names, and the spec checks every
 * arity against the row. A command Redis 7.0 does not have gets a row from
 * its own fields and no docs.
 *
 * The rows stay JSON strings until a client asks; each parsed tree is kept
 * (one per command, so bounded by the table).
 */
import { SimpleString } from '@reactor-ts/resp';
import type { Command } from './command.js';
import { REDIS_COMMANDS } from './redis-commands.generated.js';

type Tree = unknown;

/** JSON tree → reply values: `{"~":[..]}` a Set, `{"+":[..]}` a Set of simple strings, other objects Maps. */
function revive(_key: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === '~') return new Set(o['~'] as unknown[]);
  if (keys.length === 1 && keys[0] === '+') return new Set((o['+'] as string[]).map((s) => new SimpleString(s)));
  return new Map(Object.entries(o));
}

const parsed = new Map<string, { info: Tree[]; docs: Map<string, Tree> }>();

function redisRow(name: string): { info: Tree[]; docs: Map<string, Tree> } | undefined {
  let p = parsed.get(name);
  if (p === undefined) {
    const raw = REDIS_COMMANDS.get(name);
    if (raw === undefined) return undefined;
    p = { info: JSON.parse(raw[0], revive) as Tree[], docs: JSON.parse(raw[1], revive) as Map<string, Tree> };
    parsed.set(name, p);
  }
  return p;
}

/** `client|list` → `list`. */
const subName = (full: string): string => full.slice(full.indexOf('|') + 1);

/** Whether `cmd` implements the subcommand whose full name is `full`. */
function implementsSub(cmd: Command, full: string): boolean {
  return cmd.subcommands?.includes(subName(full)) === true;
}

/** mini-redis's own row, for a command Redis 7.0 lacks. */
function ownRow(cmd: Command): Tree[] {
  return [
    Buffer.from(cmd.name),
    cmd.arity,
    new Set(cmd.flags.map((f) => new SimpleString(f))),
    cmd.firstKey,
    cmd.lastKey,
    cmd.step,
    new Set(),
    new Set(),
    new Set(),
    new Set(),
  ];
}

/** The COMMAND INFO row of `cmd` (Redis's ten fields). */
export function commandInfo(cmd: Command): Tree[] {
  const row = redisRow(cmd.name)?.info;
  if (row === undefined) return ownRow(cmd);
  const subs = row[9];
  if (!Array.isArray(subs) || subs.length === 0) return row;
  const out = [...row];
  out[9] = subs.filter((s) => implementsSub(cmd, String((s as Tree[])[0])));
  return out;
}

/** The COMMAND INFO row of a subcommand (`sub` lower case), or undefined when mini-redis lacks it. */
export function subcommandInfo(cmd: Command, sub: string): Tree[] | undefined {
  if (cmd.subcommands?.includes(sub) !== true) return undefined;
  const subs = redisRow(cmd.name)?.info[9];
  if (!Array.isArray(subs)) return undefined;
  return subs.find((s) => (s as Tree[])[0] === `${cmd.name}|${sub}`) as Tree[] | undefined;
}

/** The COMMAND DOCS entry of `cmd`, or of its subcommand `sub`; undefined for what Redis has no docs for or mini-redis lacks. */
export function commandDocs(cmd: Command, sub?: string): Map<string, Tree> | undefined {
  const docs = redisRow(cmd.name)?.docs;
  if (docs === undefined) return undefined;
  const subs = docs.get('subcommands') as Map<string, Tree> | undefined;
  if (sub !== undefined) {
    if (cmd.subcommands?.includes(sub) !== true) return undefined;
    return subs?.get(`${cmd.name}|${sub}`) as Map<string, Tree> | undefined;
  }
  if (subs === undefined) return docs;
  const out = new Map(docs);
  out.set('subcommands', new Map([...subs].filter(([full]) => implementsSub(cmd, full))));
  return out;
}

/** The ACL categories Redis gives `cmd` (without '@'), for COMMAND LIST FILTERBY ACLCAT. */
export function aclCategories(cmd: Command, sub?: string): string[] {
  const row = sub === undefined ? redisRow(cmd.name)?.info : subcommandInfo(cmd, sub);
  const cats = row?.[6];
  if (!(cats instanceof Set)) return [];
  return [...cats].map((c) => String(c).replace(/^@/, ''));
}
