/**
 * The command-table generator's logic, importable so the freshness spec can
 * regenerate in memory: read COMMAND INFO and COMMAND DOCS from a server
 * (`readCommands`), print the raw table module (`renderTable`, written to
 * packages/commands/src/table.ts) and the typed method declarations
 * (`renderMethods`, written to packages/client/src/methods.generated.ts).
 * Both renderings are deterministic: sorted by name, no timestamps.
 */
import type { ArgSpec, BeginSearch, CommandSpec, FindKeys, KeySpec } from '@reactor-ts/commands';
import { rawCall, type RawValue } from '@reactor-ts/test-utils';
import { ABSENT_COMMANDS } from '../src/absent.js';
import { replyOf } from '../src/replies.js';
import { shapeType } from '../src/reply-shapes.js';
import { camel, fieldsOf, planOfSpec, type Field, type Param } from '../src/signature.js';

type Obj = Record<string, RawValue>;

/** A RESP2 flat [k, v, k, v] array as an object. */
function pairs(v: RawValue): Obj {
  const o: Obj = {};
  if (!Array.isArray(v)) return o;
  for (let i = 0; i + 1 < v.length; i += 2) o[String(v[i])] = v[i + 1]!;
  return o;
}
const strings = (v: RawValue | undefined): string[] => (Array.isArray(v) ? v.map(String) : []);
const num = (v: RawValue | undefined): number => Number(v ?? 0);

function argOf(raw: RawValue): ArgSpec {
  const o = pairs(raw);
  const flags = strings(o.flags);
  const a: { -readonly [K in keyof ArgSpec]: ArgSpec[K] } = { name: String(o.name), type: String(o.type) };
  if (o.token !== undefined) a.token = String(o.token);
  if (flags.includes('optional')) a.optional = true;
  if (flags.includes('multiple')) a.multiple = true;
  if (flags.includes('multiple_token')) a.multipleToken = true;
  if (o.key_spec_index !== undefined) a.keySpecIndex = num(o.key_spec_index);
  if (Array.isArray(o.arguments)) a.args = o.arguments.map(argOf);
  return a;
}

function keySpecOf(raw: RawValue): KeySpec {
  const o = pairs(raw);
  const bs = pairs(o.begin_search ?? []);
  const bsSpec = pairs(bs.spec ?? []);
  const fk = pairs(o.find_keys ?? []);
  const fkSpec = pairs(fk.spec ?? []);
  let beginSearch: BeginSearch = { type: 'unknown' };
  if (bs.type === 'index') beginSearch = { type: 'index', index: num(bsSpec.index) };
  else if (bs.type === 'keyword') beginSearch = { type: 'keyword', keyword: String(bsSpec.keyword), startFrom: num(bsSpec.startfrom) };
  let findKeys: FindKeys = { type: 'unknown' };
  if (fk.type === 'range') findKeys = { type: 'range', lastKey: num(fkSpec.lastkey), keyStep: num(fkSpec.keystep), limit: num(fkSpec.limit) };
  else if (fk.type === 'keynum') findKeys = { type: 'keynum', keyNumIdx: num(fkSpec.keynumidx), firstKey: num(fkSpec.firstkey), keyStep: num(fkSpec.keystep) };
  return { flags: strings(o.flags), beginSearch, findKeys };
}

/** `client|no-evict` → `clientNoEvict`, `eval_ro` → `evalRo`. */
export function methodName(name: string): string {
  const [top, sub] = name.split('|') as [string, string | undefined];
  const head = camel(top);
  if (sub === undefined) return head;
  const tail = camel(sub);
  return head + tail[0]!.toUpperCase() + tail.slice(1);
}

/** Every command and subcommand the server at `port` knows, sorted by name. */
export async function readCommands(port: number): Promise<{ version: string; commands: CommandSpec[] }> {
  const infoText = String(await rawCall(port, ['INFO', 'server']));
  const version = /redis_version:([^\r\n]+)/.exec(infoText)?.[1] ?? 'unknown';
  const info = (await rawCall(port, ['COMMAND', 'INFO'])) as RawValue[];
  const docs = pairs(await rawCall(port, ['COMMAND', 'DOCS']));
  const out: CommandSpec[] = [];
  const add = (row: RawValue[], doc: Obj): void => {
    const name = String(row[0]);
    const subRows = Array.isArray(row[9]) ? (row[9] as RawValue[][]) : [];
    const subDocs = pairs(doc.subcommands ?? []);
    const spec: { -readonly [K in keyof CommandSpec]: CommandSpec[K] } = {
      name,
      argv0: name.split('|').map((w) => w.toUpperCase()),
      method: methodName(name),
      arity: num(row[1]),
      flags: strings(row[2]),
      aclCategories: strings(row[6]).map((c) => c.replace(/^@/, '')),
      tips: strings(row[7]),
      keySpecs: Array.isArray(row[8]) ? row[8].map(keySpecOf) : [],
      group: String(doc.group ?? ''),
      since: String(doc.since ?? ''),
      summary: String(doc.summary ?? ''),
      args: Array.isArray(doc.arguments) ? doc.arguments.map(argOf) : [],
    };
    if (doc.complexity !== undefined) spec.complexity = String(doc.complexity);
    if (doc.deprecated_since !== undefined) spec.deprecatedSince = String(doc.deprecated_since);
    if (doc.replaced_by !== undefined) spec.replacedBy = String(doc.replaced_by);
    if (subRows.length > 0) spec.subcommands = subRows.map((r) => String(r[0])).sort();
    out.push(spec);
    for (const r of subRows) add(r, pairs(subDocs[String(r[0])] ?? []));
  };
  for (const row of info) add(row as RawValue[], pairs(docs[String((row as RawValue[])[0])] ?? []));
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { version, commands: out };
}

/** The raw table module (packages/commands/src/table.ts). */
export function renderTable(version: string, commands: readonly CommandSpec[]): string {
  const lines = [
    '// Generated by packages/client/scripts/gen-commands.ts from the COMMAND INFO and COMMAND DOCS of',
    `// redis-server ${version}; do not edit (run \`pnpm --filter @reactor-ts/client gen:commands\`).`,
    "import type { CommandSpec } from './spec.js';",
    '',
    '/** The version of the redis-server the table was read from. */',
    `export const REDIS_VERSION = ${JSON.stringify(version)};`,
    '',
    // One JSON string per entry: a line per command in diffs, and nothing for tsc to check
    // (366 object literals against CommandSpec cost seconds of type checking; JSON.parse costs ~1 ms).
    'const ROWS: readonly string[] = [',
    ...commands.map((c) => `  '${JSON.stringify(c).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}',`),
    '];',
    '',
    '/** Every command and subcommand, sorted by name (`client|list` right after `client`). */',
    'export const COMMAND_TABLE: readonly CommandSpec[] = ROWS.map((row) => JSON.parse(row) as CommandSpec);',
    '',
  ];
  return lines.join('\n');
}

// ---- the typed declarations ----

const LEAF: Record<string, string> = {
  key: 'RedisKey', string: 'RedisArgument', pattern: 'RedisArgument', integer: 'RedisInteger', 'unix-time': 'RedisInteger', double: 'RedisDouble',
};

const prop = (k: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k));

/** The type of one value of `a` (no token; arrays for `multiple`). */
function valueType(a: ArgSpec): string {
  const one = oneType(a);
  return a.multiple === true ? `Array<${one}>` : one;
}

function oneType(a: ArgSpec): string {
  const kids = a.args ?? [];
  if (a.type === 'pure-token') return 'true';
  if (a.type === 'block') {
    if (kids.length === 1) return valueType(kids[0]!);
    if (kids.every((c) => c.optional !== true && c.type !== 'block' && c.type !== 'oneof' && c.type !== 'pure-token' && c.token === undefined)) {
      return `[${kids.map((c) => `${camel(c.name)}: ${valueType(c)}`).join(', ')}]`;
    }
    return objectType(fieldsOf(kids, true));
  }
  if (a.type === 'oneof') {
    const alts: string[] = [];
    for (const c of kids) if (c.type === 'pure-token') alts.push(JSON.stringify(c.token ?? ''));
    for (const c of kids) if (c.type !== 'pure-token' && c.token === undefined && c.type !== 'block' && c.type !== 'oneof') alts.push(valueType(c));
    for (const f of fieldsOf(kids, false)) {
      const c = f.arg;
      if (c.type === 'pure-token' && f.group === undefined) continue;
      if (c.type !== 'pure-token' && c.token === undefined && c.type !== 'block' && c.type !== 'oneof') continue;
      alts.push(`{ ${prop(f.key)}: ${fieldType(f)} }`);
    }
    return [...new Set(alts)].join(' | ') || 'never';
  }
  // A cursor is a 64-bit unsigned integer: pass back the string SCAN returned.
  if (a.name === 'cursor') return 'RedisArgument';
  return LEAF[a.type] ?? 'RedisArgument';
}

function fieldType(f: Field): string {
  return f.arg.type === 'pure-token' ? 'boolean' : valueType(f.arg);
}

function objectType(fields: readonly Field[]): string {
  return `{ ${fields.map((f) => `${prop(f.key)}${f.required ? '' : '?'}: ${fieldType(f)}`).join('; ')} }`;
}

function pascal(method: string): string {
  return method[0]!.toUpperCase() + method.slice(1);
}

function paramText(p: Param, optionsName: string): string {
  if (p.kind === 'keys') return `${p.name}${p.optional ? '?' : ''}: RedisKey[]`;
  if (p.kind === 'options') return `${p.name}?: ${optionsName}`;
  if (p.rest) return `...${p.name}: Array<${p.arg.type === 'block' ? 'RedisArgument' : oneType(p.arg)}>`;
  return `${p.name}${p.optional ? '?' : ''}: ${valueType(p.arg)}`;
}

function jsdoc(c: CommandSpec, indent: string): string {
  const lines = [`${c.argv0.join(' ')}: ${c.summary}`];
  if (c.complexity !== undefined) lines.push(`Complexity: ${c.complexity}`);
  lines.push(`@since Redis ${c.since}`);
  if (c.deprecatedSince !== undefined) lines.push(`@deprecated since Redis ${c.deprecatedSince}${c.replacedBy !== undefined ? `; use ${c.replacedBy.replace(/`/g, '')}` : ''}`);
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  return `${indent}/**\n${safe.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */`;
}

/** The commands that get a method: not containers, not deliberately absent. */
export function methodCommands(commands: readonly CommandSpec[]): CommandSpec[] {
  return commands.filter((c) => c.subcommands === undefined && ABSENT_COMMANDS[c.name] === undefined);
}

/** The typed declarations (packages/client/src/methods.generated.ts). */
export function renderMethods(version: string, commands: readonly CommandSpec[]): string {
  const withMethods = methodCommands(commands);
  const optionTypes: string[] = [];
  const client: string[] = [];
  const batch: string[] = [];
  for (const c of withMethods) {
    const plan = planOfSpec(c);
    const optionsName = `${pascal(c.method)}Options`;
    const opts = plan.params.find((p) => p.kind === 'options');
    if (opts !== undefined && opts.kind === 'options') {
      optionTypes.push(`/** Options of ${c.argv0.join(' ')}. */`);
      optionTypes.push(`export interface ${optionsName} {`, ...opts.fields.map((f) => `  ${prop(f.key)}?: ${fieldType(f)};`), '}');
    }
    const params = plan.params.map((p) => paramText(p, optionsName)).join(', ');
    const reply = replyOf(c.method);
    const ret = reply === undefined ? 'unknown' : shapeType(reply.shape);
    const doc = jsdoc(c, '  ');
    client.push(doc, `  ${c.method}(${params}): Promise<${ret}>;`);
    batch.push(doc, `  ${c.method}(${params}): this;`);
  }
  return [
    '// Generated by packages/client/scripts/gen-commands.ts from the COMMAND DOCS of',
    `// redis-server ${version} and the reply overlay (replies.ts); do not edit.`,
    "import type { RedisArgument, RedisDouble, RedisInteger, RedisKey, RedisString } from './types.js';",
    '',
    ...optionTypes,
    '',
    '/** One method per command: the promise client and the pool (CommandMethods). */',
    'export interface ClientCommands {',
    ...client,
    '}',
    '',
    '/** The same methods on a pipeline or transaction: each appends its command and returns the batch. */',
    'export interface BatchCommands {',
    ...batch,
    '}',
    '',
  ].join('\n');
}
