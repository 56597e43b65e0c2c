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
 */
import { ReplyError, type CommandArgument } from '@reactor-ts/resp';
import { attachCommands } from './commands.js';
import type { BatchCommands } from './methods.generated.js';
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

/**
 * Commands collected now and sent together by `exec()`. Every command of
 * the table is a method with the client's signature (the same generated
 * declarations), returning the builder so calls chain.
 */
export abstract class CommandBatch {
  protected readonly commands: Arg[][] = [];
  private sent = false;

  constructor(protected readonly target: BatchTarget) {}

  /** Commands collected so far. */
  get length(): number {
    return this.commands.length;
  }

  /** Appends any command. */
  command(...argv: Arg[]): this {
    if (this.sent) throw new Error('this pipeline was already executed; create a new one');
    this.commands.push(argv);
    return this;
  }

  /** Appends one argv as it is (the generated methods' path; no copy). @internal */
  appendArgv(argv: Arg[]): this {
    if (this.sent) throw new Error('this pipeline was already executed; create a new one');
    this.commands.push(argv);
    return this;
  }

  protected send(commands: Arg[][], opts?: ExecOptions): Promise<unknown[]> {
    if (this.sent) return Promise.reject(new Error('this pipeline was already executed; create a new one'));
    const signal = opts?.signal === undefined ? undefined : checkSignal(opts.signal);
    if (signal?.aborted === true) return Promise.reject(new AbortError('pipeline aborted before it was sent; none of its commands ran', false, signal.reason));
    this.sent = true;
    return new Promise<unknown[]>((resolve, reject) => {
      const batch = new Batch(commands.length, resolve, reject);
      if (signal !== undefined && !batch.done) {
        batch.watch = watchOf(signal);
        batch.watch.add(batch);
      }
      this.target.sendBatch(commands, batch);
    });
  }
}

// The generated signatures (methods.generated.ts), bodies attached below: one per command of the table.
export interface CommandBatch extends BatchCommands {}

attachCommands(CommandBatch.prototype, () => (self, argv) => self.appendArgv(argv));

/** A plain pipeline: the commands as they are, in one write. */
export class Pipeline extends CommandBatch {
  /**
   * Sends every command at once; resolves with the replies in order, an
   * error reply as a ReplyError in its command's place. Rejects with a
   * ConnectionError / TimeoutError / ClientClosedError if the link failed.
   */
  exec(opts?: ExecOptions): Promise<unknown[]> {
    return this.send(this.commands, opts);
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
export class Transaction extends CommandBatch {
  exec(opts?: ExecOptions): Promise<unknown[] | null> {
    const n = this.commands.length;
    return this.send([['MULTI'], ...this.commands, ['EXEC']], opts).then((replies) => {
      const exec = replies[n + 1];
      if (exec instanceof ReplyError) {
        const refusal = replies.find((r, i) => i > 0 && i <= n && r instanceof ReplyError) as ReplyError | undefined;
        throw refusal === undefined ? exec : new ReplyError(`${exec.message} First refusal: ${refusal.message}`);
      }
      const multi = replies[0];
      if (multi instanceof ReplyError) throw multi;
      return exec as unknown[] | null;
    });
  }
}
