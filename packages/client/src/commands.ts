/**
 * One method per Redis command, from one table. The command table
 * (@reactor-ts/commands, generated from a live server's COMMAND INFO and
 * COMMAND DOCS) lists every command and subcommand; the generated
 * declarations (methods.generated.ts) give each its typed signature; and
 * `attachCommands` (attach.ts) defines the matching methods at run time, once, on
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
import { prefixKeys } from '@reactor-ts/commands';
import type { CommandArgument } from '@reactor-ts/resp';
import { checkSignal, raceSignal } from './abort.js';
import type { ClientCommands } from './methods.generated.js';
import type { BatchOptions, Pipeline, Transaction } from './pipeline.js';
import type { Reshaper } from './reply-shapes.js';
import { attachCommands, carryCallShape } from './attach.js';
import { mapReply, type ReplyMapping } from './reply-mapping.js';
import { scanHash, scanKeys, scanSet, scanSortedSet, type ElementScanOptions, type ScanIteratorOptions } from './scan.js';
import { traced, tracing } from './tracing.js';
import type { RedisKey, RedisString } from './types.js';

type Arg = CommandArgument;

export type { SetOptions } from './methods.generated.js';
export { methodSpecs, replyShapeOfCall, type CommandSender } from './attach.js';

/**
 * Per-command options, given by a view (`withAbortSignal`, `withBuffers`)
 * rather than by an argument of each method, so every generated method and
 * `command()` take them with no change to their signatures.
 */
export interface SendOptions {
  /** Abort the command (see abort.ts for what that does where it waits). */
  signal?: AbortSignal;
  /** Read its reply's strings as Buffers, whatever the client's `returnBuffers`. */
  buffers?: boolean;
}

/** No per-command options: scanIterator's pages go through plain sendArgv. */
const NO_SEND_OPTIONS: SendOptions = Object.freeze({});

/** What makes pipelines and transactions: a client, pool, Sentinel or cluster client. */
interface BatchMaker {
  pipeline(opts?: BatchOptions): Pipeline;
  multi(opts?: BatchOptions): Transaction;
}

/**
 * `withBuffers()`'s view: the client's methods with Buffer replies, and its
 * pipelines and transactions with Buffer replies in every entry (as
 * node-redis' `client.withTypeMapping(...).multi()`). `pipeline()` and
 * `multi()` throw a TypeError on a view of something that makes no batches
 * (a caching client, another view such as withKeyPrefix).
 */
export interface BufferView extends CommandMethods {
  pipeline(): Pipeline;
  multi(): Transaction;
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

  /**
   * `sendArgv` with per-command options; the views below end here. This
   * default serves senders that hand commands on to another client (the
   * Sentinel and caching clients): a signal rejects at once but
   * cannot take a command out of a queue it does not own, so an abort after
   * issue says the command may have run. RedisClient and RedisCluster do it fully.
   */
  sendArgvWith(argv: Arg[], opts: SendOptions): Promise<unknown> {
    if (opts.buffers === true) return Promise.reject(new TypeError(`withBuffers() is not supported by ${this.constructor.name}; use returnBuffers, or a node's own client`));
    const signal = opts.signal;
    if (signal === undefined) return this.sendArgv(argv);
    return raceSignal(signal, this.describeServer(), () => this.sendArgv(argv));
  }

  /**
   * The same methods (and `command()`, the scan iterators) aborted by
   * `signal`: `await client.withAbortSignal(AbortSignal.timeout(500)).get(k)`.
   * A command still waiting for a connection is taken out of the queue and
   * rejects with AbortError (mayHaveRun false); one already written rejects
   * at once (mayHaveRun true) and its late reply is dropped, the replies of
   * later commands unaffected. A signal that fired already rejects before
   * sending. Pipelines: `exec({ signal })`.
   */
  withAbortSignal(signal: AbortSignal): CommandMethods {
    return new OptionsView(this, { signal: checkSignal(signal) });
  }

  /**
   * The same methods with string replies as Buffers, for these commands
   * only, under RESP2 and RESP3: `client.withBuffers().get(k)` resolves with
   * a Buffer (binary-safe) while the client's other commands keep strings.
   * Push frames (pub/sub messages, invalidations) keep the client's mode.
   * `client.withBuffers().pipeline()` / `.multi()`: every entry's strings
   * as Buffers too (the same as `client.pipeline({ buffers: true })`).
   */
  withBuffers(): BufferView {
    return new OptionsView(this, { buffers: true });
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
    return this.scanKeysWith(opts, NO_SEND_OPTIONS);
  }
  /**
   * scanIterator's pages, sent with a view's options. Views hand this on to
   * the client beneath rather than sending SCAN themselves, because the
   * cluster client overrides it to walk every master: a SCAN sent through a
   * view would reach a random master per page and mix their cursors.
   */
  scanKeysWith(opts: ScanIteratorOptions | undefined, send: SendOptions): AsyncGenerator<RedisString> {
    return scanKeys((argv) => (send === NO_SEND_OPTIONS ? this.sendArgv(argv) : this.sendArgvWith(argv, send)), opts);
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

const sendShaped = (self: CommandMethods, argv: Arg[], reshape?: Reshaper): Promise<unknown> =>
  reshape === undefined ? send(self, argv) : send(self, argv).then(reshape);

// A command whose reply needs no reshaping (GET, SET, INCR, ...) is sent by `send` itself: nothing added on that path.
attachCommands<CommandMethods>(CommandMethods.prototype, (_, reshape, perCall) => {
  if (perCall) return sendShaped;
  if (reshape === undefined) return send;
  return (self, argv) => send(self, argv).then(reshape);
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
  override sendArgvWith(argv: Arg[], opts: SendOptions): Promise<unknown> {
    return this.base.sendArgvWith(argv, opts).then((r) => mapReply(argv, r, this.mapping));
  }
  // SCAN's reply is a cursor and a list of keys: no mapping applies to it.
  override scanKeysWith(opts: ScanIteratorOptions | undefined, send: SendOptions): AsyncGenerator<RedisString> {
    return this.base.scanKeysWith(opts, send);
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
    return this.base.sendArgv(prefixed(argv, this.prefix));
  }
  override sendArgvWith(argv: Arg[], opts: SendOptions): Promise<unknown> {
    return this.base.sendArgvWith(prefixed(argv, this.prefix), opts);
  }
  // SCAN names no key (its MATCH is not prefixed, as with sendArgv): the client beneath pages it.
  override scanKeysWith(opts: ScanIteratorOptions | undefined, send: SendOptions): AsyncGenerator<RedisString> {
    return this.base.scanKeysWith(opts, send);
  }
  override describeServer(): string | undefined {
    return this.base.describeServer();
  }
}

/** `argv` with its keys prefixed, keeping the reply shape its call chose (for a mapping view beneath). */
function prefixed(argv: Arg[], prefix: string | Buffer): Arg[] {
  const out = prefixKeys(argv, prefix);
  carryCallShape(argv, out);
  return out;
}

/**
 * `withAbortSignal` / `withBuffers`' view: every method of the client it
 * wraps, sent with `opts`. Views of a view merge their options onto the
 * same base (`client.withBuffers().withAbortSignal(s)`).
 */
class OptionsView extends CommandMethods {
  constructor(
    private readonly base: CommandMethods,
    private readonly opts: SendOptions,
  ) {
    super();
  }
  sendArgv(argv: Arg[]): Promise<unknown> {
    return this.base.sendArgvWith(argv, this.opts);
  }
  override sendArgvWith(argv: Arg[], opts: SendOptions): Promise<unknown> {
    return this.base.sendArgvWith(argv, mergeOptions(this.opts, opts));
  }
  override scanKeysWith(opts: ScanIteratorOptions | undefined, send: SendOptions): AsyncGenerator<RedisString> {
    return this.base.scanKeysWith(opts, mergeOptions(this.opts, send));
  }
  override withAbortSignal(signal: AbortSignal): CommandMethods {
    return new OptionsView(this.base, mergeOptions(this.opts, { signal: checkSignal(signal) }));
  }
  override withBuffers(): OptionsView {
    return new OptionsView(this.base, mergeOptions(this.opts, { buffers: true }));
  }
  override describeServer(): string | undefined {
    return this.base.describeServer();
  }
  /** A pipeline of the wrapped client, its replies read as this view says (Buffers). */
  pipeline(): Pipeline {
    return batchMaker(this.base).pipeline(this.batchOptions());
  }
  multi(): Transaction {
    return batchMaker(this.base).multi(this.batchOptions());
  }
  private batchOptions(): BatchOptions {
    return this.opts.buffers === true ? { buffers: true } : {};
  }
}

function batchMaker(base: CommandMethods): BatchMaker {
  const b = base as Partial<BatchMaker>;
  if (typeof b.pipeline !== 'function' || typeof b.multi !== 'function') throw new TypeError(`${base.constructor.name} makes no pipelines; call withBuffers() on the client itself`);
  return b as BatchMaker;
}

/** Options of two views in one: either signal aborts (AbortSignal.any), Buffers if either asks. */
function mergeOptions(a: SendOptions, b: SendOptions): SendOptions {
  const out: SendOptions = {};
  const signal = a.signal !== undefined && b.signal !== undefined && a.signal !== b.signal ? AbortSignal.any([a.signal, b.signal]) : (b.signal ?? a.signal);
  if (signal !== undefined) out.signal = signal;
  if (a.buffers === true || b.buffers === true) out.buffers = true;
  return out;
}

/** `verb script numkeys key... arg...`, built without spreads (EVALSHA is a hot path; RedisScript.run uses it too). */
export function scriptArgv(verb: string, script: string, keys: readonly Arg[], args: readonly Arg[]): Arg[] {
  const argv: Arg[] = [verb, script, keys.length];
  for (let i = 0; i < keys.length; i++) argv.push(keys[i]!);
  for (let i = 0; i < args.length; i++) argv.push(args[i]!);
  return argv;
}
