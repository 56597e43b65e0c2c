/**
 * A link: one connection of a client to its server, i.e. one
 * `RedisAsyncContext` from its connect to its close. A client holds at most
 * one at a time and opens a new one for each reconnect (client.ts).
 *
 * Every command the client sends leaves through a link — `sendArgv` for a
 * promise, `send` for a settler, the client's own `submit` and `sendBatch`
 * for what it held or batched — and those are the only calls to
 * `redisAsyncCommandArgv` in the package. Every reply comes back through the
 * link's `settle`. So a refusal or a lost connection becomes the same typed
 * error whoever sent the command: a shorthand, a pipeline, pub/sub, a script
 * preload, or the client's own ready check.
 *
 * Features that must ride on every connection (pub/sub resubscribes, script
 * preloads) see a client through `LinkSource`: they register a hook, which
 * gets each new link before the commands queued while no link was up, and
 * they send on the link the client is ready on. That is all they need; they
 * never see the context itself.
 */
import {
  REDIS_ERR,
  redisAsyncCommandArgv,
  redisAsyncFree,
  redisAsyncSetStringMode,
  type RedisAsyncContext,
  type RedisCallbackFn,
} from '@reactor-ts/hiredis-adapter';
import { ReplyError, type CommandArgument } from '@reactor-ts/resp';
import { ConnectionError } from './errors.js';
import { captured, captureResolvers, type Batch, type Settler } from './settle.js';

type Arg = CommandArgument;
type Context = RedisAsyncContext<unknown>;

/** Where a client is in its life; see the diagram at the top of client.ts. */
export type ClientState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed';

/** A client's connection, as the features that ride on it see it. */
export interface Link {
  /** 2, or 3 when the link was opened with `HELLO 3`. */
  readonly protocol: 2 | 3;
  /**
   * Sends `argv` on this link now, ahead of any command the client still
   * holds for it; resolves with the reply and rejects as `command()` does.
   * Lost with the link: never re-sent on another one.
   */
  sendArgv(argv: Arg[]): Promise<unknown>;
  /**
   * Sends `s.argv` on this link now, as `sendArgv` does, and settles `s` once
   * per reply the context hands to the command: `resolve` for each (a
   * SUBSCRIBE's confirmations and every message on its channels; null when
   * the link closed cleanly), `reject` with an error reply, with the
   * refusal (CommandRefusedError) before anything was sent, or with the
   * link's failure. Never re-sent on another link.
   */
  send(s: Settler, buffers?: boolean): void;
}

/** Run with each new link of a client, once it is usable, before the commands it held go out. */
export type LinkHook = (link: Link) => void;

/**
 * What a feature that rides on every link of a client needs of it
 * (pubsub.ts, script.ts). RedisClient implements it.
 */
export interface LinkSource {
  readonly state: ClientState;
  /** The link while the client is ready, else null. */
  readonly link: Link | null;
  /** The hooks registered with `onLink`, in the order they run. */
  readonly linkHooks: readonly LinkHook[];
  /**
   * Runs `hook` with every link opened from now on, once its handshake and
   * ready check are done and before the commands the client held go out
   * (not with a link that is already up).
   */
  onLink(hook: LinkHook): void;
  /** Opens a link if none is up or being opened; rejects if the client will never have one. */
  connect(): Promise<unknown>;
}

/**
 * What a link needs of its client: the client's words for a failure (they
 * name the server and depend on the client's state), and its decision for
 * a held command whose link was lost.
 */
export interface LinkOwner {
  /** The error for the commands in flight when `ac` failed; asked once per link. */
  failure(ac: Context): Error;
  /** Why `ac` refused a command (redisAsyncCommandArgv said REDIS_ERR). */
  refusal(ac: Context): Error;
  /** A command the client held, in flight when its link failed with `err`: re-sent on the next link, or rejected. */
  lost(s: Settler, err: Error): void;
  /** Told of every error reply (reconnectOnError), or null when nobody asks. */
  readonly replyError: ((link: ContextLink, err: ReplyError) => void) | null;
}

function noop(): void {}

/** RedisClient's link: the context, the two reply callbacks, and the error its failure gave. */
export class ContextLink implements Link {
  /** The error shared by every command in flight when the link failed (one instance: see `failure`). */
  private failed: Error | null = null;
  /** Why the client closed this link itself (`abort`), or null. */
  abortedWith: Error | null = null;
  /** The reply callback of commands bound to this link; one closure per link, not per command. */
  private readonly onReply: RedisCallbackFn<unknown>;
  /** The reply callback of commands the client held: a link failure hands them back (LinkOwner.lost). */
  private readonly onHeldReply: RedisCallbackFn<unknown>;

  constructor(
    readonly ac: Context,
    private readonly owner: LinkOwner,
  ) {
    this.onReply = (_ac, reply, privdata) => this.settle(reply, privdata, false);
    this.onHeldReply = (_ac, reply, privdata) => this.settle(reply, privdata, true);
  }

  get protocol(): 2 | 3 {
    return this.ac.c.protocol;
  }

  sendArgv(argv: Arg[]): Promise<unknown> {
    const promise = new Promise<unknown>(captureResolvers);
    const { resolve, reject } = captured;
    // The context's privdata is the promise's resolve function itself, with
    // no record around it (see settle()).
    const refused = this.write(argv, this.onReply, resolve);
    if (refused !== null) reject(refused);
    return promise;
  }

  /** `sendArgv` for a promise made earlier (the client's offline queue): settles through `resolve`. */
  sendWith(argv: Arg[], resolve: (value: unknown) => void): void {
    const refused = this.write(argv, this.onReply, resolve);
    if (refused !== null) resolve(handledRejection(refused));
  }

  /** Sends `s` now; `buffers`: its reply is read as Buffers, for it alone (a cluster's withBuffers). */
  send(s: Settler, buffers = false): void {
    let refused: Error | null;
    if (buffers) {
      redisAsyncSetStringMode(this.ac, 'buffer');
      refused = this.write(s.argv, this.onReply, s);
      redisAsyncSetStringMode(this.ac, null);
    } else refused = this.write(s.argv, this.onReply, s);
    if (refused !== null) s.reject(refused);
  }

  /**
   * Sends a command the client held (offline queue, resend list): settled
   * as `send` does, except that a link failure hands it back to the client
   * (`LinkOwner.lost`). False when the context refused it (`s` is rejected).
   * `buffers`: its reply is read as Buffers (withBuffers), for it alone.
   */
  submit(s: Settler, buffers = false): boolean {
    let refused: Error | null;
    if (buffers) {
      redisAsyncSetStringMode(this.ac, 'buffer');
      refused = this.write(s.argv, this.onHeldReply, s);
      redisAsyncSetStringMode(this.ac, null);
    } else refused = this.write(s.argv, this.onHeldReply, s);
    if (refused === null) return true;
    s.reject(refused);
    return false;
  }

  /**
   * A pipeline's commands, all on the context now, so their callbacks come
   * in this order and the batch settles them itself (see Batch). The client
   * checked the arguments first (batchRefusal), so a refusal here means the
   * context itself stopped taking commands. If that happens after part of
   * the batch was written, the link may be inside MULTI with no EXEC to
   * come: it is closed, so that no other caller's command is ever answered
   * QUEUED.
   */
  sendBatch(commands: Arg[][], batch: Batch): void {
    if (!batch.buffers) return this.writeBatch(commands, batch);
    // withBuffers: the string mode applies to the replies of the commands written while it is set.
    redisAsyncSetStringMode(this.ac, 'buffer');
    try {
      this.writeBatch(commands, batch);
    } finally {
      redisAsyncSetStringMode(this.ac, null);
    }
  }

  private writeBatch(commands: Arg[][], batch: Batch): void {
    for (let i = 0; i < commands.length; i++) {
      const refused = this.write(commands[i]!, this.onReply, batch);
      if (refused === null) continue;
      batch.failAll(refused);
      if (i > 0) {
        this.abort(new ConnectionError(`the connection was closed: a pipeline was cut short after ${i} of its ${commands.length} commands (${refused.message})`));
      }
      return;
    }
  }

  /**
   * Closes this link now with `err` as the failure of every command in
   * flight on it (a deadline, a batch cut short, reconnectOnError). The
   * client hears of it as of any other lost link. Deferred by the context
   * until the callback running now returns, if any.
   */
  abort(err: Error): void {
    if (this.abortedWith !== null) return;
    this.abortedWith = err;
    this.failed ??= err;
    redisAsyncFree(this.ac);
  }

  /** The one call to the context. Null, or why it refused the command (then `fn` never runs). */
  private write(argv: Arg[], fn: RedisCallbackFn<unknown>, privdata: unknown): Error | null {
    return redisAsyncCommandArgv(this.ac, fn, privdata, argv) === REDIS_ERR ? this.owner.refusal(this.ac) : null;
  }

  /**
   * The context's callback for every command, called once per reply (once
   * in all but SUBSCRIBE's case). `privdata` is a Settler, or, from
   * `sendArgv`, the promise's resolve function: a rejection then goes
   * through it as a rejected promise, which the outer promise adopts (two
   * ticks later, on error paths only).
   */
  private settle(reply: unknown, privdata: unknown, held: boolean): void {
    if (reply instanceof ReplyError && this.owner.replyError !== null) this.owner.replyError(this, reply);
    if (typeof privdata === 'function') {
      const resolve = privdata as (value: unknown) => void;
      if (reply === null && this.ac.err !== 0) resolve(handledRejection(this.failure()));
      else if (reply instanceof ReplyError) resolve(handledRejection(reply));
      else resolve(reply);
      return;
    }
    const s = privdata as Settler;
    if (reply === null && this.ac.err !== 0) {
      if (held) this.owner.lost(s, this.failure());
      else s.reject(this.failure());
    } else if (reply instanceof ReplyError) {
      s.reject(reply);
    } else {
      s.resolve(reply);
    }
  }

  /**
   * The error for commands in flight on this failed link: one instance per
   * failure, shared by all of them — 100,000 Errors with stack traces would
   * cost more than the crash they report.
   */
  private failure(): Error {
    this.failed ??= this.owner.failure(this.ac);
    return this.failed;
  }
}

/**
 * A rejected promise for a resolve function to adopt, marked handled: if the
 * outer promise was settled already (a callback the context calls twice),
 * the rejection goes nowhere instead of crashing the process as an
 * unhandled one. When it is adopted, the outer promise rejects as usual.
 */
export function handledRejection(err: Error): Promise<never> {
  const p = Promise.reject(err);
  p.catch(noop);
  return p;
}
