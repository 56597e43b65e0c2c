/**
 * How a command's documented arguments (COMMAND DOCS, in the command table)
 * become a method's parameters, and how those parameters become argv again.
 * One plan serves both sides: the generator prints the plan's TypeScript
 * types (scripts/gen-commands.ts) and the runtime encodes calls with the
 * same plan (commands.ts), so a declared signature cannot drift from what is
 * sent.
 *
 * The rules, in order:
 * - required arguments are positional, in documentation order (a required
 *   pure token is sent with no parameter); `numkeys` followed by keys is one
 *   `keys` array (EVAL, ZUNION, LMPOP, ...);
 * - optional arguments that are plain values (or a choice of bare words) and
 *   come after every positional one stay positional and optional
 *   (`ping(message?)`, `flushdb('ASYNC')`, `eval(script, keys?, args?)`);
 * - any other optional argument is a field of one trailing options object,
 *   keyed by its token as Redis spells it (`{ EX: 10, NX: true }`), or by its
 *   name in camelCase when it has none; a choice between tokens is flattened
 *   into one field per token (SET's NX / XX, EX / PX / EXAT / PXAT / KEEPTTL);
 * - a required repeated argument that is last becomes a rest parameter
 *   (`del(...keys)`), a repeated pair a flat rest (`hset(key, f, v, f2, v2)`);
 *   with an options object after it, an array (`zadd(key, [[1, 'a']], { NX })`).
 *
 * Values are sent in documentation order whatever the parameter order.
 */
import type { ArgSpec } from '@reactor-ts/commands';
import type { CommandArgument } from '@reactor-ts/resp';

/** One field of an options (or block) object. */
export interface Field {
  /** Property name: the token (`EX`) or the camelCase argument name. */
  readonly key: string;
  readonly arg: ArgSpec;
  /** The top-level argument the field came from (arg itself, or the choice it was flattened out of). */
  readonly owner: ArgSpec;
  /** A required member of a block object (never for an options object). */
  readonly required: boolean;
  /** Fields flattened from one choice share a group: the first one set is sent. */
  readonly group?: number;
}

/** A method parameter. */
export type Param =
  | { readonly kind: 'value'; readonly name: string; readonly arg: ArgSpec; readonly optional: boolean; readonly rest: boolean }
  | { readonly kind: 'keys'; readonly name: string; readonly key: ArgSpec; readonly optional: boolean }
  | { readonly kind: 'options'; readonly name: string; readonly fields: readonly Field[] };

/** One step of encoding, in documentation order. */
type Step =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'fields'; readonly index: number; readonly fields: readonly Field[] };

export interface Plan {
  readonly params: readonly Param[];
  readonly steps: readonly Step[];
  /** True when every parameter is one plain value sent as it is (the fast path). */
  readonly simple: boolean;
  /** Index of the rest parameter, or -1. */
  readonly restAt: number;
  /**
   * How many leading parameters are plain values sent as they are, when
   * nothing after them is sent unless given (options, optional values; no
   * fixed token, numkeys or rest): a call that gives exactly those (SET k v,
   * EXPIRE k 10) is encoded as a simple plan's is. 0: no such fast path.
   */
  readonly plainPrefix: number;
}

const WORD = /^[A-Za-z][A-Za-z0-9_]*$/;
const RESERVED = new Set(['arguments', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'eval', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await']);

/** `min-idle-time` → `minIdleTime`, `ip:port` → `ipPort`. */
export function camel(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p !== '');
  const s = parts.map((p, i) => (i === 0 ? p.toLowerCase() : p[0]!.toUpperCase() + p.slice(1).toLowerCase())).join('');
  return /^[0-9]/.test(s) ? `_${s}` : s || 'arg';
}

function isPureChoice(a: ArgSpec): boolean {
  return a.type === 'oneof' && a.token === undefined && !a.multiple && (a.args ?? []).every((c) => c.type === 'pure-token');
}

function isPlain(a: ArgSpec): boolean {
  return a.type !== 'block' && a.type !== 'oneof' && a.type !== 'pure-token' && a.token === undefined;
}

/** The fields arguments contribute to an object (options, or a block's members); keys unique across it. */
export function fieldsOf(args: readonly ArgSpec[], inBlock: boolean): Field[] {
  const out: Field[] = [];
  const used = new Set<string>();
  const unique = (k: string): string => {
    let key = k;
    for (let n = 2; used.has(key); n++) key = `${k}${n}`;
    used.add(key);
    return key;
  };
  let group = 0;
  for (const a of args) {
    const required = inBlock && a.optional !== true;
    const kids = a.args ?? [];
    const flatten =
      !required && a.type === 'oneof' && a.token === undefined && !a.multiple && kids.length > 0 &&
      kids.every((c) => c.token !== undefined && WORD.test(c.token));
    if (flatten) {
      group++;
      for (const c of kids) out.push({ key: unique(c.token!), arg: c, owner: a, required: false, group });
    } else {
      const k = a.token !== undefined && WORD.test(a.token) ? a.token : camel(a.name);
      out.push({ key: unique(k), arg: a, owner: a, required });
    }
  }
  return out;
}

/** True for `numkeys` directly followed by the keys it counts. */
function countsKeys(a: ArgSpec, next: ArgSpec | undefined): boolean {
  return a.type === 'integer' && /^num-?keys$/i.test(a.name) && next !== undefined && next.type === 'key' && next.multiple === true && next.token === undefined;
}

/** A spec's plan; a command whose docs list no arguments though it takes some (COMMAND GETKEYS, DEBUG) gets a rest of values. */
export function planOfSpec(spec: { readonly args: readonly ArgSpec[]; readonly arity: number; readonly argv0: readonly string[] }): Plan {
  if (spec.args.length === 0 && (spec.arity < 0 || spec.arity > spec.argv0.length)) {
    return planOf([{ name: 'args', type: 'string', optional: spec.arity === -spec.argv0.length, multiple: true }]);
  }
  return planOf(spec.args);
}

/** The plan for a command's top-level arguments. */
export function planOf(args: readonly ArgSpec[]): Plan {
  const params: Param[] = [];
  const steps: Step[] = [];
  const names = new Set<string>();
  const nameOf = (a: ArgSpec | string): string => {
    let n = typeof a === 'string' ? a : camel(a.name);
    if (RESERVED.has(n)) n = `${n}Arg`;
    const base = n;
    for (let i = 2; names.has(n); i++) n = `${base}${i}`;
    names.add(n);
    return n;
  };
  let lastRequired = -1;
  args.forEach((a, i) => {
    if (a.optional !== true) lastRequired = i;
  });
  // Optional arguments stay positional when all of them are plain values or bare-word choices after the required ones.
  const trailingPlain = args.every((a, i) => a.optional !== true || (i > lastRequired && (isPlain(a) || isPureChoice(a))));
  const inOptions = args.filter((a) => a.optional === true && !trailingPlain);
  const fields = fieldsOf(inOptions, false);
  const optionsIndex = -1;
  let multiValued = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (countsKeys(a, args[i + 1])) {
      const key = args[i + 1]!;
      steps.push({ kind: 'param', index: params.length });
      params.push({ kind: 'keys', name: nameOf('keys'), key, optional: key.optional === true });
      multiValued = true;
      i++;
      continue;
    }
    if (a.optional !== true && a.type === 'pure-token' && a.token !== undefined) {
      steps.push({ kind: 'token', token: a.token });
      continue;
    }
    if (a.optional === true && !trailingPlain) {
      steps.push({ kind: 'fields', index: optionsIndex, fields: fields.filter((f) => f.owner === a) });
      continue;
    }
    const last = i === args.length - 1;
    const rest = last && inOptions.length === 0 && !multiValued && a.multiple === true && a.token === undefined && (isPlain(a) || a.type === 'block');
    if (a.multiple === true) multiValued = true;
    steps.push({ kind: 'param', index: params.length });
    params.push({ kind: 'value', name: nameOf(a), arg: a, optional: a.optional === true, rest });
  }
  if (inOptions.length > 0) {
    const index = params.length;
    params.push({ kind: 'options', name: nameOf('options'), fields });
    for (let s = 0; s < steps.length; s++) {
      const st = steps[s]!;
      if (st.kind === 'fields') steps[s] = { kind: 'fields', index, fields: st.fields };
    }
  }
  const simple = params.every((p) => p.kind === 'value' && isPlain(p.arg) && p.arg.multiple !== true) && steps.every((s) => s.kind === 'param');
  const restAt = params.findIndex((p) => p.kind === 'value' && p.rest);
  let prefix = 0;
  for (; prefix < steps.length; prefix++) {
    const st = steps[prefix]!;
    const p = st.kind === 'param' && st.index === prefix ? params[prefix]! : null;
    if (p === null || p.kind !== 'value' || !isPlain(p.arg) || p.arg.multiple === true || p.rest) break;
  }
  // Steps after the prefix must push nothing for an absent value (encodeCall's general loop skips them then).
  const quietTail = steps.slice(prefix).every((st) => st.kind === 'fields' || (st.kind === 'param' && params[st.index]!.kind === 'value' && !(params[st.index] as { rest: boolean }).rest));
  return { params, steps, simple, restAt, plainPrefix: quietTail ? prefix : 0 };
}

// ---- encoding ----

type Out = CommandArgument[];

function isObject(v: unknown): v is Record<string, unknown> {
  // Buffer is a Uint8Array.
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The member fields of a block or choice, computed once per argument. */
const memberFields = new WeakMap<ArgSpec, Field[]>();
function membersOf(a: ArgSpec, inBlock: boolean): Field[] {
  let f = memberFields.get(a);
  if (f === undefined) memberFields.set(a, (f = fieldsOf(a.args ?? [], inBlock)));
  return f;
}

/** Pushes the fields of `obj` that are set, in the fields' (documentation) order. */
function encodeFields(fields: readonly Field[], obj: unknown, out: Out): void {
  if (!isObject(obj)) return;
  // A flattened choice's fields are contiguous: the first one set wins.
  let doneGroup = -1;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = obj[f.key];
    if (v === undefined || v === false || v === null) continue;
    if (f.group !== undefined) {
      if (f.group === doneGroup) continue;
      doneGroup = f.group;
    }
    encodeArg(f.arg, v, out);
  }
}

/** One argument with its token(s) and value(s). */
export function encodeArg(a: ArgSpec, v: unknown, out: Out): void {
  if (a.type === 'pure-token') {
    if (v === true || v === a.token) out.push(a.token ?? '');
    return;
  }
  if (a.multiple === true) {
    const items = Array.isArray(v) && !(a.type === 'block' && !Array.isArray(v[0]) && !isObject(v[0])) ? v : [v];
    if (a.token !== undefined && a.multipleToken !== true) out.push(a.token);
    for (const item of items) {
      if (a.token !== undefined && a.multipleToken === true) out.push(a.token);
      encodeOne(a, item, out);
    }
    return;
  }
  if (a.token !== undefined) out.push(a.token);
  encodeOne(a, v, out);
}

/** One value of an argument, without its token. */
function encodeOne(a: ArgSpec, v: unknown, out: Out): void {
  const kids = a.args ?? [];
  if (a.type === 'block') {
    // A block of one member takes that member's value itself (CLIENT LIST's ID [id ...]);
    // `true` for an optional member sends the block's token alone (XINFO STREAM key FULL).
    if (kids.length === 1) return v === true && kids[0]!.optional === true ? undefined : encodeArg(kids[0]!, v, out);
    if (Array.isArray(v)) kids.forEach((c, i) => (v[i] === undefined ? undefined : encodeArg(c, v[i], out)));
    else encodeFields(membersOf(a, true), v, out);
    return;
  }
  if (a.type === 'oneof') {
    if (isObject(v)) {
      const fields = membersOf(a, false);
      const f = fields.find((x) => v[x.key] !== undefined && v[x.key] !== false);
      if (f !== undefined) encodeArg(f.arg, v[f.key], out);
      return;
    }
    const word = typeof v === 'string' ? v.toUpperCase() : undefined;
    const pure = kids.find((c) => c.type === 'pure-token' && c.token !== undefined && c.token.toUpperCase() === word);
    if (pure !== undefined || v === true) {
      out.push(pure?.token ?? kids[0]?.token ?? '');
      return;
    }
    const plain = kids.find((c) => c.type !== 'pure-token' && c.token === undefined);
    if (plain !== undefined) encodeOne(plain, v, out);
    else out.push(v as CommandArgument);
    return;
  }
  out.push(v as CommandArgument);
}

/**
 * `argv0` then values[0..n). Sized exactly (a command held in the offline
 * queue keeps its argv, and push-grown arrays carry ~17 slots of backing
 * store), and filled by hand: Array.prototype.concat checks
 * Symbol.isConcatSpreadable on its argument, ~160 ns per call against ~30
 * here, on every command.
 */
function withValues(argv0: readonly string[], values: readonly unknown[], n: number): Out {
  const n0 = argv0.length;
  const out: Out = new Array<CommandArgument>(n0 + n);
  for (let j = 0; j < n0; j++) out[j] = argv0[j]!;
  for (let j = 0; j < n; j++) out[n0 + j] = values[j] as CommandArgument;
  return out;
}

/** argv for a call: `argv0` (the command's words) then the parameters, by plan. */
export function encodeCall(argv0: readonly string[], plan: Plan, values: readonly unknown[]): Out {
  if (plan.simple && values.length <= plan.params.length) {
    const n = values.length;
    let i = 0;
    while (i < n && values[i] !== undefined) i++;
    if (i === n) return withValues(argv0, values, n);
  }
  const k = plan.plainPrefix;
  if (k > 0 && values.length >= k) {
    // SET k v, EXPIRE k 10: the leading plain values given, nothing after them (typed set() was ~1.3k instructions over command() without this).
    let i = 0;
    while (i < k && values[i] !== undefined) i++;
    let j = k;
    while (j < values.length && values[j] === undefined) j++;
    if (i === k && j === values.length) return withValues(argv0, values, k);
  }
  const out: Out = argv0.slice();
  if (plan.simple) {
    for (let i = 0; i < values.length && i < plan.params.length; i++) if (values[i] !== undefined) out.push(values[i] as CommandArgument);
    return out;
  }
  const restAt = plan.restAt;
  for (const s of plan.steps) {
    if (s.kind === 'token') {
      out.push(s.token);
      continue;
    }
    const p = plan.params[s.index]!;
    if (s.kind === 'fields') {
      encodeFields(s.fields, values[s.index], out);
      continue;
    }
    if (p.kind === 'keys') {
      const keys = (values[s.index] ?? []) as CommandArgument[];
      out.push(keys.length);
      for (const k of keys) out.push(k);
      continue;
    }
    if (p.kind !== 'value') continue;
    if (s.index === restAt) {
      // A rest parameter: the remaining values, sent flat as they are.
      for (let i = s.index; i < values.length; i++) {
        const v = values[i];
        if (Array.isArray(v)) for (const x of v) out.push(x as CommandArgument);
        else out.push(v as CommandArgument);
      }
      continue;
    }
    const v = values[s.index];
    if (v === undefined) continue;
    encodeArg(p.arg, v, out);
  }
  return out;
}
