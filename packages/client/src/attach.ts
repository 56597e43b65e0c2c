/**
 * The run-time half of the command table: `attachCommands` defines one
 * method per table command on a prototype (the client's CommandMethods in
 * commands.ts, the batches' CommandBatch in pipeline.ts), each encoding its
 * arguments by the same plan as its generated signature (signature.ts) and
 * reshaping its reply by the overlay (replies.ts).
 *
 * Why its own file: it needs no generated declaration, so pipeline.ts can
 * take it without importing commands.ts, whose CommandMethods merges the
 * generated ClientCommands — and those name Pipeline/Transaction as their
 * return types (a type-level cycle commands → methods.generated → pipeline
 * → commands otherwise).
 */
import { COMMAND_TABLE, type CommandSpec } from '@reactor-ts/commands';
import type { CommandArgument } from '@reactor-ts/resp';
import { ABSENT_COMMANDS } from './absent.js';
import { replyOf, type ReplyInfo } from './replies.js';
import type { Reshaper, Shape } from './reply-shapes.js';
import { encodeCall, planOfSpec, type Param, type Plan } from './signature.js';

type Arg = CommandArgument;

/** The commands with a method, by method name. */
export function methodSpecs(): Map<string, CommandSpec> {
  const out = new Map<string, CommandSpec>();
  for (const c of COMMAND_TABLE) if (c.subcommands === undefined && ABSENT_COMMANDS[c.name] === undefined) out.set(c.method, c);
  return out;
}

/** A command's argv encoder, built on its first call (most of the ~360 are never called). */
function encoderOf(spec: CommandSpec): (values: readonly unknown[]) => Arg[] {
  let plan: Plan | undefined;
  return (values) => encodeCall(spec.argv0, (plan ??= planOfSpec(spec)), values);
}

/** Whether a `when` path (`count`, `options.WITHSCORES`, `options.operation=RESET`) is set in a call's values. */
function pathTest(params: readonly Param[], path: string): (values: readonly unknown[]) => boolean {
  const [where, equals] = path.split('=') as [string, string | undefined];
  const [head, ...keys] = where.split('.');
  const index = params.findIndex((p) => p.name === head);
  if (index < 0) throw new Error(`reply overlay: no parameter ${head} for ${path}`);
  return (values) => {
    let v: unknown = values[index];
    for (const k of keys) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (v === undefined || v === null || v === false) return false;
    return equals === undefined || String(v).toUpperCase() === equals;
  };
}

/** The variant of `info` a call's values select (first match), or null for the default. */
function variantPicker(spec: CommandSpec, info: ReplyInfo): (values: readonly unknown[]) => number {
  const params = planOfSpec(spec).params;
  const tests = (info.variants ?? []).map((v) => v.when.map((p) => pathTest(params, p)));
  return (values) => tests.findIndex((any) => any.some((t) => t(values)));
}

/** The declared reply shape of a call `method(...values)`: its variant's, or the default. */
export function replyShapeOfCall(method: string, values: readonly unknown[]): Shape | undefined {
  const spec = methodSpecs().get(method);
  const info = replyOf(method);
  if (spec === undefined || info === undefined) return undefined;
  const i = variantPicker(spec, info)(values);
  return i < 0 ? info.shape : info.variants![i]!.shape;
}

/**
 * The reply shape a typed call chose by its arguments (SPOP key count: a
 * set, not SPOP's default string), by the argv the call sent; kept only
 * when it is not the command's default shape. replyMapping reads it
 * (reply-mapping.ts), so a mapping follows the call's own reply, not the
 * command's default. A WeakMap, so an argv that is done with takes its
 * entry with it; only calls that pick a variant pay the one `set`.
 */
const callShapes = new WeakMap<readonly unknown[], Shape>();

/** The shape the typed call that built `argv` chose, when not its command's default; else undefined. */
export function callShapeOf(argv: readonly unknown[]): Shape | undefined {
  return callShapes.get(argv);
}

/** `to` is `from` rewritten (keys prefixed): it keeps the shape its call chose. */
export function carryCallShape(from: readonly unknown[], to: readonly unknown[]): void {
  if (from === to) return;
  const s = callShapes.get(from);
  if (s !== undefined) callShapes.set(to, s);
}

/**
 * Sends `argv`. `reshape`, given only to the senders of commands whose
 * reply depends on the call (`perCall`), turns that call's reply into the
 * declared form (replies.ts).
 */
export type CommandSender<T> = (self: T, argv: Arg[], reshape?: Reshaper) => unknown;

/**
 * Defines one method per table command on `proto`: each encodes its
 * arguments and hands the argv to the sender `senderFor` made for it, with
 * the reply's reshaper (`reshape`, undefined for the many commands whose
 * replies need none, so their sender can be the plain one), or with
 * `perCall` true when the reshaper depends on the call's values and comes
 * with each call. Names the prototype already has are left alone, so a
 * class's own method wins.
 */
export function attachCommands<T extends object>(
  proto: T,
  senderFor: (method: string, reshape: Reshaper | undefined, perCall: boolean) => CommandSender<T>,
): void {
  for (const [method, spec] of methodSpecs()) {
    if (Object.prototype.hasOwnProperty.call(proto, method)) continue;
    const encode = encoderOf(spec);
    const info = replyOf(method);
    let value: (this: T, ...values: unknown[]) => unknown;
    if (info?.variants === undefined) {
      const send = senderFor(method, info?.map, false);
      value = function (this: T, ...values: unknown[]): unknown {
        return send(this, encode(values));
      };
    } else {
      // The reply depends on the call (WITHSCORES, COUNT, JUSTID): pick the variant's reshaper from the values.
      const send = senderFor(method, undefined, true);
      const variants = info.variants;
      const fallback = info.map;
      let pick: ((values: readonly unknown[]) => number) | undefined;
      value = function (this: T, ...values: unknown[]): unknown {
        const i = (pick ??= variantPicker(spec, info))(values);
        const argv = encode(values);
        if (i < 0) return send(this, argv, fallback);
        const variant = variants[i]!;
        callShapes.set(argv, variant.shape);
        return send(this, argv, variant.map);
      };
    }
    Object.defineProperty(proto, method, { configurable: true, writable: true, enumerable: false, value });
  }
}
