/**
 * One method per Redis command, from one table. The command table
 * (@reactor-ts/commands, generated from a live server's COMMAND INFO and
 * COMMAND DOCS) lists every command and subcommand; the generated
 * declarations (methods.generated.ts) give each its typed signature; and
 * `attachCommands` below defines the matching methods at run time, once, on
 * the client (CommandMethods) and on pipelines and transactions
 * (CommandBatch, pipeline.ts). The signature and the argv a call sends come
 * from the same plan (signature.ts), so they cannot drift apart.
 *
 * Every client method ends in `sendArgv`, which on a ready link is the
 * link's own `sendArgv` (link.ts). `command(...argv)` sends anything else
 * (modules, newer commands) with the same result. Reply types are the
 * hand-kept overlay of replies.ts: what Redis answers under RESP2 with string
 * mode (the default); with `returnBuffers` strings arrive as Buffers, and
 * under RESP3 maps and sets as Map / Set. Verbatim strings (INFO, CLIENT
 * INFO, ...) come back as their plain text.
 */
import { COMMAND_TABLE, prefixKeys, type CommandSpec } from '@reactor-ts/commands';
import type { CommandArgument } from '@reactor-ts/resp';
import { ABSENT_COMMANDS } from './absent.js';
import type { ClientCommands } from './methods.generated.js';
import { replyOf } from './replies.js';
import { mapReply, type ReplyMapping } from './reply-mapping.js';
import { scanHash, scanKeys, scanSet, scanSortedSet, type ElementScanOptions, type ScanIteratorOptions } from './scan.js';
import { traced, tracing } from './tracing.js';
import type { RedisKey, RedisString } from './types.js';
import { encodeCall, planOfSpec, type Plan } from './signature.js';

type Arg = CommandArgument;

export type { SetOptions } from './methods.generated.js';

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

/**
 * Defines one method per table command on `proto`: each encodes its
 * arguments and hands the argv to the sender `senderFor(method)` made for
 * it. Names the prototype already has are left alone, so a class's own
 * method wins.
 */
export function attachCommands<T extends object>(proto: T, senderFor: (method: string) => (self: T, argv: Arg[]) => unknown): void {
  for (const [method, spec] of methodSpecs()) {
    if (Object.prototype.hasOwnProperty.call(proto, method)) continue;
    const encode = encoderOf(spec);
    const send = senderFor(method);
    Object.defineProperty(proto, method, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function (this: T, ...values: unknown[]): unknown {
        return send(this, encode(values));
      },
    });
  }
}

// The merged interface gives the class the generated signatures; attachCommands gives it the bodies.
export interface CommandMethods extends ClientCommands {}

export abstract class CommandMethods {
  /** Sends one command; every method ends here. */
  abstract sendArgv(argv: Arg[]): Promise<unknown>;

  /**
   * Sends any command; resolves with the reply as a native JS value, rejects
   * with ReplyError (the server's error text), ConnectionError,
   * TimeoutError, OfflineQueueFullError or ClientClosedError.
   */
  command<T = unknown>(...argv: Arg[]): Promise<T> {
    return send(this, argv) as Promise<T>;
  }

  /** The server this sends to, as tracing reports it ('127.0.0.1:6379'); undefined where unknown. */
  describeServer(): string | undefined {
    return undefined;
  }

  /**
   * The same methods with `prefix` before every key, found by the command
   * table's key specs (so EVAL's KEYS, MSET's and XREAD's keys too). Keys in
   * replies (SCAN, KEYS, BLPOP) come back as stored, prefix included.
   */
  withKeyPrefix(prefix: string | Buffer): CommandMethods {
    return new KeyPrefixView(this, prefix);
  }

  /**
   * The same methods with map and set replies in one form under RESP2 and
   * RESP3 (reply-mapping.ts): `client.withReplyMapping({ map: 'object' }).hgetall(k)`
   * is a plain object either way. The declared return types stay the
   * protocol's; cast to the form asked for.
   */
  withReplyMapping(mapping: ReplyMapping): CommandMethods {
    return new ReplyMappingView(this, mapping);
  }

  /** Every key, by SCAN pages (scan.ts): `for await (const key of client.scanIterator({ match: 'user:*' }))`. */
  scanIterator(opts?: ScanIteratorOptions): AsyncGenerator<RedisString> {
    return scanKeys((argv) => this.sendArgv(argv), opts);
  }
  /** Every [field, value] of a hash, by HSCAN pages. */
  hscanIterator(key: RedisKey, opts?: ElementScanOptions): AsyncGenerator<[RedisString, RedisString]> {
    return scanHash((argv) => this.sendArgv(argv), key, opts);
  }
  /** Every member of a set, by SSCAN pages. */
  sscanIterator(key: RedisKey, opts?: ElementScanOptions): AsyncGenerator<RedisString> {
    return scanSet((argv) => this.sendArgv(argv), key, opts);
  }
  /** Every [member, score] of a sorted set, by ZSCAN pages. */
  zscanIterator(key: RedisKey, opts?: ElementScanOptions): AsyncGenerator<[RedisString, number]> {
    return scanSortedSet((argv) => this.sendArgv(argv), key, opts);
  }
}

/** Every command of CommandMethods ends here: straight to sendArgv, or traced when anyone listens (tracing.ts). */
function send(self: CommandMethods, argv: Arg[]): Promise<unknown> {
  if (!tracing()) return self.sendArgv(argv);
  return traced(argv, self.describeServer(), () => self.sendArgv(argv));
}

attachCommands(CommandMethods.prototype, (method) => {
  const map = replyOf(method)?.map;
  if (map === undefined) return send;
  return (self, argv) => send(self, argv).then(map);
});

/** `withReplyMapping`'s view: every method of the client it wraps, replies reshaped. */
class ReplyMappingView extends CommandMethods {
  constructor(
    private readonly base: CommandMethods,
    private readonly mapping: ReplyMapping,
  ) {
    super();
  }
  sendArgv(argv: Arg[]): Promise<unknown> {
    return this.base.sendArgv(argv).then((r) => mapReply(argv, r, this.mapping));
  }
  override describeServer(): string | undefined {
    return this.base.describeServer();
  }
}

/** `withKeyPrefix`'s view: every method of the client it wraps, keys prefixed. */
class KeyPrefixView extends CommandMethods {
  constructor(
    private readonly base: CommandMethods,
    private readonly prefix: string | Buffer,
  ) {
    super();
  }
  sendArgv(argv: Arg[]): Promise<unknown> {
    return this.base.sendArgv(prefixKeys(argv, this.prefix));
  }
  override describeServer(): string | undefined {
    return this.base.describeServer();
  }
}

/** `verb script numkeys key... arg...`, built without spreads (EVALSHA is a hot path; RedisScript.run uses it too). */
export function scriptArgv(verb: string, script: string, keys: readonly Arg[], args: readonly Arg[]): Arg[] {
  const argv: Arg[] = [verb, script, keys.length];
  for (let i = 0; i < keys.length; i++) argv.push(keys[i]!);
  for (let i = 0; i < args.length; i++) argv.push(args[i]!);
  return argv;
}
