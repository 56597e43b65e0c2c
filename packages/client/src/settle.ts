/**
 * Settlers: how a command the client sends is settled when its reply (or
 * its failure) comes back. The link calls one settler method per reply, so
 * the objects here decide what a reply means to the caller:
 *
 * - `PromiseSettler`: one `command()`, a promise's two functions;
 * - `Batch`: every command of one pipeline handed to a ready link in one
 *   pass, its replies filling slots in order (no object per command);
 * - `TimedSettler`: a `command()` with a deadline (`commandTimeout`): the
 *   first of its reply and its deadline settles it, the other is dropped.
 * - `HeldBatch`: a whole pipeline waiting for a link, one entry of the
 *   offline queue, so it is admitted, sent and refused whole.
 *
 * Kept apart from client.ts (which sends) and pipeline.ts (which builds the
 * batches) so that neither imports the other.
 */
import { ReplyError, type CommandArgument } from '@reactor-ts/resp';
import { AbortError } from './errors.js';

type Arg = CommandArgument;

/**
 * A command the client holds: what to send and how to settle it. `command()`
 * settles a promise; pipelines settle a slot of a shared batch instead, which
 * spares them a promise per command.
 */
export interface Settler {
  readonly argv: Arg[];
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * What carries a deadline (deadline.ts): a timed command or a batch. The
 * first of `settle` (through resolve/reject) and `expire` wins.
 */
export interface Expiring {
  /** Date.now() past which it has timed out. */
  readonly deadline: number;
  /** Settled already: the deadline sweeper skips it, and the client does not send it. */
  readonly done: boolean;
  /** Written to a link: a timeout then says the command may have run. */
  sent: boolean;
  /** Fails it with `err` unless settled; late replies are dropped afterwards. */
  expire(err: Error): void;
}

/** Something pending that its AbortSignal can abort: a command or a whole batch (abort.ts). */
export interface Abortable {
  abortWith(reason: unknown): void;
}

/** One signal's pending commands (abort.ts): joined when issued, left when settled. */
export interface AbortWatch {
  add(a: Abortable): void;
  delete(a: Abortable): void;
}

function noop(): void {}

/**
 * The two functions of the promise just made by `new Promise(captureResolvers)`.
 * A shared executor instead of a closure per call: one object fewer per
 * command, which matters when 200,000 are issued at once. The Promise
 * constructor runs the executor synchronously, so read them right after it
 * returns, before any other promise can overwrite them.
 */
export const captured: { resolve: (value: unknown) => void; reject: (err: Error) => void } = { resolve: noop, reject: noop };

export function captureResolvers(resolve: (value: unknown) => void, reject: (err: Error) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/** An argv that is no longer needed (see PromiseSettler.argv); shared, never filled. */
export const NO_ARGS: Arg[] = [];

/** The settler of one `command()`: its promise's two functions. */
export class PromiseSettler implements Settler {
  constructor(
    /** Dropped (set to NO_ARGS) once written, unless it may be re-sent: 200,000 in flight add up. */
    public argv: Arg[],
    readonly resolve: (value: unknown) => void,
    readonly reject: (err: Error) => void,
  ) {}
}

/**
 * A `command()` with a deadline. The reply that comes after the deadline
 * fired finds it `done` and is dropped: the command kept its place in the
 * connection's reply FIFO, so no reply is ever taken for another command's.
 */
export class TimedSettler implements Settler, Expiring {
  done = false;
  sent = false;
  constructor(
    public argv: Arg[],
    readonly deadline: number,
    private readonly res: (value: unknown) => void,
    private readonly rej: (err: Error) => void,
  ) {}

  resolve(value: unknown): void {
    if (this.done) return;
    this.done = true;
    this.res(value);
  }

  reject(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.rej(err);
  }

  expire(err: Error): void {
    this.reject(err);
  }
}

/**
 * Collects the replies of one exec(); settles its promise exactly once.
 *
 * A batch handed to a ready link in one pass gets its replies in the order
 * of its commands, one callback each, so the batch itself is the settler of
 * every command (resolve/reject fill the next slot): no object per command.
 * A batch that must wait for a link waits whole (HeldBatch) and is sent the
 * same way once one is up.
 */
export class Batch implements Settler, Expiring, Abortable {
  /** Settler's field: unused, the commands are sent by the caller. */
  readonly argv: Arg[] = NO_ARGS;
  readonly results: unknown[];
  private left: number;
  /** The slot the next in-order reply fills. */
  private next = 0;
  private failure: Error | null = null;
  /** The promise is settled: every later reply or failure is dropped. */
  done = false;
  sent = false;
  /** Date.now() past which the batch times out; Infinity: no deadline. */
  deadline = Infinity;
  /** Its signal's watch (exec({ signal })), left when the batch settles; else null. */
  watch: AbortWatch | null = null;
  /**
   * Set by a client that holds the batch whole in its offline queue (and
   * cleared when it sends it): only then can an abort say that nothing was
   * sent. A batch handed to anything else is taken as possibly sent.
   */
  holder: { dropHeld(n: number): void } | null = null;
  /** Taken out of the offline queue's count by an abort before it was sent. */
  uncounted = false;
  /** The server, for an abort's message (set with `watch`). */
  server: string | undefined = undefined;
  /** Reshapes the replies before they resolve the batch (the client's replyMapping); else null. */
  map: ((results: unknown[]) => unknown[]) | null = null;
  /** Its replies' strings are read as Buffers (`withBuffers().pipeline()`), whatever the client's returnBuffers. */
  buffers = false;

  constructor(
    size: number,
    private readonly resolveAll: (results: unknown[]) => void,
    private readonly rejectAll: (err: Error) => void,
  ) {
    this.results = new Array<unknown>(size);
    this.left = size;
    if (size === 0) {
      this.done = true;
      resolveAll(this.results);
    }
  }

  /**
   * Fails the whole batch now (refused before sending, deadline passed);
   * replies that still come fill slots nobody reads.
   */
  failAll(err: Error): void {
    if (this.done) return;
    this.done = true;
    if (this.watch !== null) this.watch.delete(this);
    this.rejectAll(err);
  }

  /** Its signal fired: rejected whole, as never sent if a client still held it, else as possibly run. */
  abortWith(reason: unknown): void {
    if (this.done) return;
    const to = this.server === undefined ? '' : ` to ${this.server}`;
    const holder = this.holder;
    if (holder !== null && !this.sent) {
      this.uncounted = true;
      holder.dropHeld(this.results.length);
      this.failAll(new AbortError(`pipeline aborted before it was sent${to}; none of its ${this.results.length} commands ran`, false, reason));
      return;
    }
    this.failAll(new AbortError(`pipeline aborted after it was sent${to}; its commands may have run (their late replies will be dropped)`, true, reason));
  }

  expire(err: Error): void {
    this.failAll(err);
  }

  /** Settler of the in-order path: the next command's reply. */
  resolve(value: unknown): void {
    this.put(this.next++, value);
  }

  /** Settler of the in-order path: an error reply is a result, anything else fails the batch. */
  reject(err: Error): void {
    if (err instanceof ReplyError) this.put(this.next++, err);
    else {
      this.next++;
      this.fail(err);
    }
  }

  put(index: number, value: unknown): void {
    this.results[index] = value;
    if (--this.left === 0) this.end();
  }

  fail(err: Error): void {
    if (this.failure === null) this.failure = err;
    if (--this.left === 0) this.end();
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    if (this.watch !== null) this.watch.delete(this);
    if (this.failure !== null) this.rejectAll(this.failure);
    else if (this.map === null) this.resolveAll(this.results);
    else {
      let mapped: unknown[];
      try {
        mapped = this.map(this.results);
      } catch (err) {
        this.rejectAll(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      this.resolveAll(mapped);
    }
  }
}

/**
 * A whole pipeline held while no link is up: one entry of the offline queue
 * (counted as its number of commands against the limit), sent in one pass
 * when a link comes up. Never re-sent after a lost link: half a transaction
 * answered on one link and the rest re-sent on the next would run its
 * commands outside MULTI.
 */
export class HeldBatch implements Settler {
  readonly argv: Arg[] = NO_ARGS;
  constructor(
    readonly commands: Arg[][],
    readonly batch: Batch,
  ) {}

  get done(): boolean {
    return this.batch.done;
  }

  resolve(): void {}

  reject(err: Error): void {
    this.batch.failAll(err);
  }
}
