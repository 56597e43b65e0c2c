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
import { replyOf, type ReplyInfo } from '../src/replies.js';
import { shapeRefs, shapeType, type Shape } from '../src/reply-shapes.js';
import { camel, fieldsOf, planOfSpec, type Field, type Param, type Plan } from '../src/signature.js';

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
    if (kids.length === 1) return kids[0]!.optional === true ? `true | ${valueType(kids[0]!)}` : valueType(kids[0]!);
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

/** A nested object type requiring (or excluding) the paths of `tree`. */
type PathTree = Map<string, PathTree | string>;

function treeType(tree: PathTree, optional: boolean): string {
  const parts: string[] = [];
  for (const [k, v] of tree) parts.push(`${prop(k)}${optional ? '?' : ''}: ${typeof v === 'string' ? v : treeType(v, optional)}`);
  return `{ ${parts.join('; ')} }`;
}

/** Adds `keys` (an option path below its parameter) to `tree` with `leaf` as the last key's type; a shorter path wins. */
function addPath(tree: PathTree, keys: readonly string[], leaf: string): void {
  let t = tree;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const last = i === keys.length - 1;
    const cur = t.get(k);
    if (last) {
      t.set(k, leaf);
      return;
    }
    if (typeof cur === 'string') return;
    let next = cur;
    if (next === undefined) t.set(k, (next = new Map()));
    t = next;
  }
}

/** The option field a path ends at (to tell a pure token, typed `true`, from a value). */
function fieldAt(fields: readonly Field[], keys: readonly string[]): Field | undefined {
  let fs = fields;
  let f: Field | undefined;
  for (const k of keys) {
    f = fs.find((x) => x.key === k);
    if (f === undefined) return undefined;
    fs = f.arg.type === 'block' ? fieldsOf(f.arg.args ?? [], true) : [];
  }
  return f;
}

interface Overload {
  readonly params: string;
  readonly reply: string;
}

/**
 * The signatures of one method: with reply variants (replies.ts), one
 * overload per `when` path returning that variant's type, then the plain
 * call with those options excluded returning the default type, then the
 * general signature returning any of them (a call whose options are not
 * known statically). Without variants, one signature.
 */
function overloadsOf(c: CommandSpec, plan: Plan, optionsName: string, reply: ReplyInfo | undefined): Overload[] {
  const plain = plan.params.map((p) => paramText(p, optionsName)).join(', ');
  if (reply === undefined) return [{ params: plain, reply: 'unknown' }];
  const variants = reply.variants ?? [];
  if (variants.length === 0) return [{ params: plain, reply: shapeType(reply.shape) }];
  const out: Overload[] = [];
  const exclude = new Map<string, PathTree>();
  const dropped = new Set<string>();
  const index = (name: string): number => {
    const i = plan.params.findIndex((p) => p.name === name);
    if (i < 0) throw new Error(`${c.method}: no parameter ${name} in the reply overlay`);
    return i;
  };
  for (const v of variants) {
    for (const path of v.when) {
      const [where, equals] = path.split('=') as [string, string | undefined];
      const [head, ...keys] = where.split('.') as [string, ...string[]];
      const at = index(head);
      const p = plan.params[at]!;
      const texts = plan.params.map((q, i) => {
        const t = paramText(q, optionsName);
        // A required parameter cannot follow an optional one: those before `at` become required too.
        return i <= at ? t.replace(/^([A-Za-z0-9_$]+)\?:/, '$1:') : t;
      });
      if (keys.length > 0 && p.kind === 'options') {
        const f = fieldAt(p.fields, keys);
        const leaf = equals !== undefined ? `'${equals}'` : f?.arg.type === 'pure-token' ? 'true' : '{}';
        const tree: PathTree = new Map();
        addPath(tree, keys, leaf);
        texts[at] = `${p.name}: ${optionsName} & ${treeType(tree, false)}`;
        if (equals === undefined) {
          let ex = exclude.get(p.name);
          if (ex === undefined) exclude.set(p.name, (ex = new Map()));
          addPath(ex, keys, f?.arg.type === 'pure-token' ? 'false' : 'undefined');
        }
      } else {
        dropped.add(p.name);
      }
      out.push({ params: texts.join(', '), reply: shapeType(v.shape) });
    }
  }
  // The plain call: variant options excluded, variant positionals left out (when last) or undefined.
  const last = plan.params.length - 1;
  const plainTexts: string[] = [];
  plan.params.forEach((p, i) => {
    const t = paramText(p, optionsName);
    if (dropped.has(p.name)) {
      if (plan.params.slice(i + 1).every((q) => dropped.has(q.name)) || i === last) return;
      plainTexts.push(`${p.name}?: undefined`);
      return;
    }
    const ex = exclude.get(p.name);
    plainTexts.push(ex === undefined ? t : `${p.name}?: ${optionsName} & ${treeType(ex, true)}`);
  });
  out.push({ params: plainTexts.join(', '), reply: shapeType(reply.shape) });
  const all = [...new Set([...variants.map((v) => shapeType(v.shape)), shapeType(reply.shape)])];
  out.push({ params: plain, reply: all.map((t) => (t.includes('|') ? `(${t})` : t)).join(' | ') });
  return out;
}

/** Every named reply shape of the overlay, for its type alias. */
function namedShapes(commands: readonly CommandSpec[]): Map<string, Shape> {
  const refs = new Map<string, Shape>();
  for (const c of commands) {
    const r = replyOf(c.method);
    if (r === undefined) continue;
    shapeRefs(r.shape, refs);
    for (const v of r.variants ?? []) shapeRefs(v.shape, refs);
  }
  return new Map([...refs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
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
    const doc = jsdoc(c, '  ');
    for (const o of overloadsOf(c, plan, optionsName, replyOf(c.method))) {
      client.push(doc, `  ${c.method}(${o.params}): Promise<${o.reply}>;`);
      batch.push(doc, `  ${c.method}(${o.params}): B<[...R, ${o.reply}]>;`);
    }
  }
  const named = [...namedShapes(withMethods)].flatMap(([name, s]) => [`export type ${name} = ${shapeType(s)};`]);
  return [
    '// Generated by packages/client/scripts/gen-commands.ts from the COMMAND DOCS of',
    `// redis-server ${version} and the reply overlay (replies.ts); do not edit.`,
    "import type { RedisArgument, RedisDouble, RedisInteger, RedisKey, RedisString } from './types.js';",
    '',
    '/**',
    ' * The batch classes by their reply tuple, filled in by pipeline.ts (module',
    ' * augmentation): the batch methods below return them, and naming them',
    ' * through this interface keeps this file free of an import of pipeline.ts,',
    ' * which imports this one (the client package has no import cycle, type-only',
    ' * ones included).',
    ' */',
    'export interface BatchTypes<R extends unknown[]> {}',
    "type Pipeline<R extends unknown[]> = BatchTypes<R>['pipeline'];",
    "type Transaction<R extends unknown[]> = BatchTypes<R>['transaction'];",
    '',
    ...optionTypes,
    '',
    '/** Reply shapes with a name (replies.ts). */',
    ...named,
    '',
    '/** One method per command: the promise client and the pool (CommandMethods). */',
    'export interface ClientCommands {',
    ...client,
    '}',
    '',
    // One interface per batch class rather than one indexed by kind: tsc measures the variance of
    // each class once and cheaply, where an indexed kind made it walk every method (seconds).
    '/**',
    ' * The same methods on a pipeline: each appends its command and returns the pipeline,',
    ' * its reply type appended to the reply tuple `R` (pipeline.ts).',
    ' */',
    'export interface PipelineCommands<R extends unknown[]> {',
    ...batch.map((l) => l.replace(/\bB<\[\.\.\.R, /, 'Pipeline<[...R, ')),
    '}',
    '',
    '/** The same methods on a transaction (MULTI ... EXEC). */',
    'export interface TransactionCommands<R extends unknown[]> {',
    ...batch.map((l) => l.replace(/\bB<\[\.\.\.R, /, 'Transaction<[...R, ')),
    '}',
    '',
  ].join('\n');
}
