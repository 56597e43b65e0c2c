/**
 * AbortSignal per command (`client.withAbortSignal(signal).get(k)`) and per
 * batch (`pipeline.exec({ signal })`).
 *
 * What an abort does depends on where the command is:
 * - not issued yet (the signal had fired): rejected at once, nothing queued;
 * - waiting for a connection (the client's offline queue): taken out — it
 *   no longer counts against `offlineQueueLimit` and is skipped when a link
 *   comes up — and rejected with AbortError, mayHaveRun false;
 * - written: rejected at once with AbortError, mayHaveRun true. It keeps its
 *   place in the connection's reply FIFO (Redis answers in order, so the
 *   reply that comes is still its own), and that reply is dropped, as a
 *   timed-out command's is (settle.ts): the commands behind it get theirs.
 * A batch is never split: aborted while held, none of it is sent; after it
 * was written, the whole exec() rejects. The cluster client keeps these
 * rules over its own queues (cluster-abort.ts).
 *
 * One 'abort' listener per signal, not per command: a SignalWatch keeps the
 * signal's pending commands in a Set and listens only while that Set is not
 * empty, so 10,000 commands on one long-lived signal add one listener, and
 * none is left once they settle (no MaxListenersExceededWarning, no leak).
 * Commands given no signal never come here: the client's plain path has no
 * listener, closure or record for them.
 */
import type { CommandArgument } from '@reactor-ts/resp';
import { AbortError } from './errors.js';
import { TimedSettler, type Abortable, type AbortWatch } from './settle.js';

/** One signal's pending commands and batches, with one listener among them. */
class SignalWatch implements AbortWatch {
  private readonly pending = new Set<Abortable>();
  private readonly onAbort = (): void => this.fire();

  constructor(private readonly signal: AbortSignal) {}

  add(a: Abortable): void {
    if (this.pending.size === 0) this.signal.addEventListener('abort', this.onAbort, { once: true });
    this.pending.add(a);
  }

  delete(a: Abortable): void {
    if (this.pending.delete(a) && this.pending.size === 0) this.signal.removeEventListener('abort', this.onAbort);
  }

  private fire(): void {
    const all = [...this.pending];
    this.pending.clear();
    const reason: unknown = this.signal.reason;
    for (const a of all) a.abortWith(reason);
  }
}

const watches = new WeakMap<AbortSignal, SignalWatch>();

/** The watch of `signal` (made on first use, collected with the signal). */
export function watchOf(signal: AbortSignal): AbortWatch {
  let w = watches.get(signal);
  if (w === undefined) {
    w = new SignalWatch(signal);
    watches.set(signal, w);
  }
  return w;
}

/** A plain AbortSignal check, so a wrong argument fails at once rather than on first abort. */
export function checkSignal(signal: unknown): AbortSignal {
  if (!(signal instanceof AbortSignal)) throw new TypeError(`withAbortSignal: an AbortSignal, got ${signal === null ? 'null' : typeof signal}`);
  return signal;
}

/** The rejection of a command whose signal fired; `server` as error messages name it. */
export function commandAborted(server: string | undefined, sent: boolean, reason: unknown): AbortError {
  const to = server === undefined ? '' : ` to ${server}`;
  return sent
    ? new AbortError(`command aborted after it was sent${to}; it may have run (its late reply will be dropped)`, true, reason)
    : new AbortError(`command aborted before it was sent${to}; it did not run`, false, reason);
}

/** Where commands taken out of a queue by an abort stop being counted (the client's offline queue). */
export interface HeldCount {
  dropHeld(n: number): void;
}

/**
 * A command with per-command options (a signal, Buffer replies): a
 * TimedSettler (deadline Infinity without commandTimeout) that also leaves
 * its signal's watch when it settles and can be aborted. `sent` is set by
 * the client when it hands the command to a link; until then it sits in
 * the offline queue, which `holder` counts.
 */
export class OptionSettler extends TimedSettler implements Abortable {
  /** Taken out of the offline queue's count by an abort before it was sent. */
  uncounted = false;
  /** The queue holding it while unsent, or null. */
  holder: HeldCount | null = null;

  constructor(
    argv: CommandArgument[],
    deadline: number,
    resolve: (value: unknown) => void,
    reject: (err: Error) => void,
    /** Its reply read as Buffers (withBuffers). */
    readonly buffers: boolean,
    private readonly watch: AbortWatch | null,
    private readonly server: string,
  ) {
    super(argv, deadline, resolve, reject);
    watch?.add(this);
  }

  override resolve(value: unknown): void {
    if (!this.done) this.watch?.delete(this);
    super.resolve(value);
  }

  override reject(err: Error): void {
    if (!this.done) this.watch?.delete(this);
    super.reject(err);
  }

  abortWith(reason: unknown): void {
    if (this.done) return;
    if (!this.sent) {
      this.uncounted = true;
      this.holder?.dropHeld(1);
    }
    this.reject(commandAborted(this.server, this.sent, reason));
  }
}

/**
 * A signal for senders with no queue of their own to take a command out of
 * (the pool, Sentinel and caching clients hand it on; the cluster client
 * has queues of its own and gates its commands instead, cluster-abort.ts): rejected before
 * sending if the signal fired already, else at once on abort, as possibly
 * run, its reply dropped when it comes.
 */
export function raceSignal(signal: AbortSignal, server: string | undefined, send: () => Promise<unknown>): Promise<unknown> {
  if (signal.aborted) return Promise.reject(commandAborted(server, false, signal.reason));
  return new Promise<unknown>((resolve, reject) => {
    const watch = watchOf(signal);
    const race: Abortable = { abortWith: (reason) => reject(commandAborted(server, true, reason)) };
    watch.add(race);
    send().then(
      (v) => {
        watch.delete(race);
        resolve(v);
      },
      (err: unknown) => {
        watch.delete(race);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
