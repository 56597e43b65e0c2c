/**
 * Explicit pipelines and MULTI/EXEC transactions for the promise client
 * (article §2 and §3.2).
 *
 * `exec()` hands every command to the client in one synchronous pass. The
 * context coalesces everything issued during one turn into its output buffer,
 * so the whole pipeline leaves in one socket write, and no other command of
 * this client can land between two of its commands: that contiguity is what
 * makes MULTI ... EXEC on a shared connection safe (without WATCH).
 *
 * Replies are collected in one array by slot (a Batch, settle.ts), with one
 * promise for the pipeline rather than one per command; an error reply takes its command's
 * place as a ReplyError value. A connection failure rejects the whole
 * pipeline (which commands ran is then unknown).
 *
 * A typed method's reply is reshaped as the client's method reshapes it
 * (replies.ts: verbatim text to a string, records to objects, scores to
 * pairs), so `multi().info().exec()` and `info()` give the same string;
 * `command(...)` replies stay as they arrived, as `client.command()`'s do.
 * Reshapers are kept only for commands that have one (most have none), in
 * a sparse array made on the first; a pipeline of GETs keeps none and its
 * replies are returned untouched.
 *
 * Types: each method returns the batch with its reply type appended, so a
 * chain `client.pipeline().get('a').incr('b').exec()` resolves to
 * `[RedisString | null | ReplyError, number | ReplyError]` (an entry is a
 * ReplyError when that command failed). A batch built statement by
 * statement (`const p = client.pipeline(); p.get('a'); p.exec()`) has no
 * typed chain, and its `exec()` resolves to `unknown[]`: the tuple is the
 * chain's that made the object `exec` is called on.
 */
import { ReplyError, type CommandArgument } from '@reactor-ts/resp';
import { attachCommands } from './attach.js';
import type { PipelineCommands, TransactionCommands } from './methods.generated.js';
import type { Reshaper } from './reply-shapes.js';
import { Batch } from './settle.js';
import { checkSignal, watchOf } from './abort.js';
import { AbortError } from './errors.js';

type Arg = CommandArgument;

/**
 * Where a batch goes: all of its commands on one connection, in one
 * synchronous pass (a RedisClient, or a pool choosing one of its clients).
 */
export interface BatchTarget {
  sendBatch(commands: Arg[][], batch: Batch): void;
}

/** Options of `exec()`. */
export interface ExecOptions {
  /**
   * Aborts the whole batch: while it waits for a connection none of it is
   * sent (AbortError, mayHaveRun false); once written, exec() rejects at
   * once (mayHaveRun true) and the replies that still come are dropped. A
   * signal that already fired rejects before anything is sent.
   */
  signal?: AbortSignal;
}
/** Options of a pipeline or transaction, fixed when it is made. */
export interface BatchOptions {
  /**
   * Every reply's strings as Buffers (binary-safe), whatever the client's
   * `returnBuffers`, under RESP2 and RESP3: `client.pipeline({ buffers: true })`,
   * or `client.withBuffers().pipeline()`. The client's other commands keep
   * strings (the context reads each reply in its command's own mode).
   */
  buffers?: boolean;
}

/** What `exec()` resolves to for a chain typed `R`: each reply, or the ReplyError in its place. */
export type BatchReplies<R extends unknown[]> = { [I in keyof R]: R[I] | ReplyError };
/** `exec()`'s replies: the chain's tuple, or `unknown[]` for a batch with no typed chain (`R` is `[]`). */
export type ExecReplies<R extends unknown[]> = R extends [] ? unknown[] : BatchReplies<R>;

/**
 * Commands collected now and sent together by `exec()`. Every command of
 * the table is a method with the client's signature (the same generated
 * declarations), returning the builder so calls chain.
 */
export abstract class CommandBatch {
  protected readonly commands: Arg[][] = [];
  /** Per command, the reshaper of its reply (sparse; null until a command has one). */
  protected shapers: Array<Reshaper | undefined> | null = null;
  private sent = false;
  /** Replies read as Buffers (BatchOptions.buffers). */
  private readonly buffers: boolean;

  constructor(
    protected readonly target: BatchTarget,
    opts?: BatchOptions,
  ) {
    this.buffers = opts?.buffers === true;
  }

  /** Commands collected so far. */
  get length(): number {
    return this.commands.length;
  }

  /** Appends any command; its reply stays as it arrives (as `client.command()`'s). */
  protected appendCommand(argv: Arg[]): void {
    if (this.sent) throw new Error('this pipeline was already executed; create a new one');
    this.commands.push(argv);
  }

  /** Appends one argv as it is (the generated methods' path; no copy), and its reply's reshaper if any. @internal */
  appendArgv(argv: Arg[], reshape?: Reshaper): this {
    if (this.sent) throw new Error('this pipeline was already executed; create a new one');
    const n = this.commands.push(argv);
    if (reshape !== undefined) (this.shapers ??= [])[n - 1] = reshape;
    return this;
  }

  /** Reshapes `replies[i]` (the i-th command's reply) in place, error entries left as they are. */
  protected reshape(replies: unknown[]): unknown[] {
    const shapers = this.shapers;
    if (shapers === null) return replies;
    for (let i = 0; i < shapers.length; i++) {
      const r = shapers[i];
      const v = replies[i];
      if (r !== undefined && !(v instanceof ReplyError)) replies[i] = r(v);
    }
    return replies;
  }

  protected send(commands: Arg[][], opts?: ExecOptions): Promise<unknown[]> {
    if (this.sent) return Promise.reject(new Error('this pipeline was already executed; create a new one'));
    const signal = opts?.signal === undefined ? undefined : checkSignal(opts.signal);
    if (signal?.aborted === true) return Promise.reject(new AbortError('pipeline aborted before it was sent; none of its commands ran', false, signal.reason));
    this.sent = true;
    return new Promise<unknown[]>((resolve, reject) => {
      const batch = new Batch(commands.length, resolve, reject);
      batch.buffers = this.buffers;
      if (signal !== undefined && !batch.done) {
        batch.watch = watchOf(signal);
        batch.watch.add(batch);
      }
      this.target.sendBatch(commands, batch);
    });
  }
}

// The bodies of the generated methods (methods.generated.ts: PipelineCommands, TransactionCommands), one per command of the table.
attachCommands<object>(CommandBatch.prototype, (_, reshape, perCall) => {
  if (perCall) return (self, argv, r) => (self as CommandBatch).appendArgv(argv, r);
  if (reshape === undefined) return (self, argv) => (self as CommandBatch).appendArgv(argv);
  return (self, argv) => (self as CommandBatch).appendArgv(argv, reshape);
});

// The generated signatures, merged into each class: each method returns the batch with its reply type appended.
export interface Pipeline<R extends unknown[] = []> extends PipelineCommands<R> {}

// What the generated batch methods return (methods.generated.ts names the classes through BatchTypes, not an import).
declare module './methods.generated.js' {
  interface BatchTypes<R extends unknown[]> {
    pipeline: Pipeline<R>;
    transaction: Transaction<R>;
  }
}
export interface Transaction<R extends unknown[] = []> extends TransactionCommands<R> {}

/** A plain pipeline: the commands as they are, in one write. */
export class Pipeline<R extends unknown[] = []> extends CommandBatch {
  /** Appends any command; its reply stays as it arrives (as `client.command()`'s). */
  command(...argv: Arg[]): Pipeline<[...R, unknown]> {
    this.appendCommand(argv);
    return this as unknown as Pipeline<[...R, unknown]>;
  }

  /**
   * Sends every command at once; resolves with the replies in order, each
   * shaped as its method's would be, an error reply as a ReplyError in its
   * command's place. Rejects with a ConnectionError / TimeoutError /
   * ClientClosedError if the link failed.
   */
  exec(opts?: ExecOptions): Promise<ExecReplies<R>> {
    const p = this.send(this.commands, opts);
    return (this.shapers === null ? p : p.then((replies) => this.reshape(replies))) as Promise<ExecReplies<R>>;
  }
}

/**
 * MULTI, the collected commands, EXEC, sent as one pipeline.
 *
 * `exec()` resolves with EXEC's array (an error reply of a command that
 * failed while running sits in its place as a ReplyError), or with null when
 * a WATCHed key changed and Redis discarded the transaction. It rejects with
 * the server's EXECABORT ReplyError when a command was refused while queuing
 * (unknown command, wrong arity); the message then also quotes the first
 * refusal. Nothing ran in either of the last two cases.
 */
export class Transaction<R extends unknown[] = []> extends CommandBatch {
  /** Appends any command; its reply stays as it arrives (as `client.command()`'s). */
  command(...argv: Arg[]): Transaction<[...R, unknown]> {
    this.appendCommand(argv);
    return this as unknown as Transaction<[...R, unknown]>;
  }

  exec(opts?: ExecOptions): Promise<ExecReplies<R> | null> {
    const n = this.commands.length;
    return this.send([['MULTI'], ...this.commands, ['EXEC']], opts).then((replies) => {
      const exec = replies[n + 1];
      if (exec instanceof ReplyError) {
        const refusal = replies.find((r, i) => i > 0 && i <= n && r instanceof ReplyError) as ReplyError | undefined;
        throw refusal === undefined ? exec : new ReplyError(`${exec.message} First refusal: ${refusal.message}`);
      }
      const multi = replies[0];
      if (multi instanceof ReplyError) throw multi;
      return (Array.isArray(exec) ? this.reshape(exec) : null) as ExecReplies<R> | null;
    });
  }
}
