/**
 * AbortSignal on the cluster client: the single-node client's rules
 * (abort.ts) over the cluster's own queues.
 *
 * A cluster command waits, unsent, in more places than a client's offline
 * queue: the cluster's queue before the first map (cluster.ts `held`), a
 * retry timer (TRYAGAIN, CLUSTERDOWN, no node for its slot), the pause
 * between a MOVED / ASK reply and its resend, and a node's queue while that
 * node's link opens (cluster-node.ts). Rather than search each of them, a
 * command carries a gate (SendGate): every place that would send it asks the
 * gate first and drops it once the gate is `done`, and the gate counts its
 * commands on a link. So an abort knows at once whether the command may
 * have run:
 * - none of it on a link (a MOVED / TRYAGAIN reply means it did not run):
 *   rejected with AbortError mayHaveRun false, and it is never written;
 * - on a link: rejected at once, mayHaveRun true; its reply, when it comes,
 *   finds the gate done and is dropped, so the link's reply order holds.
 * The cluster's pre-map queue counts it against `offlineQueueLimit`: an
 * abort takes it out of that count at once (`heldEntries`), and the queue
 * drops dead entries in bulk (cluster.ts dropHeld), never one search per abort.
 *
 * Batches (BatchGate) are never split: while none of a pipeline or
 * transaction was written, an abort drops all of it (mayHaveRun false);
 * once any of it was, the whole exec() rejects as possibly run, and the
 * parts still unsent are dropped rather than sent for nobody.
 */
import { commandAborted, watchOf, type HeldCount } from './abort.js';
import type { SendGate } from './cluster-node.js';
import type { AbortWatch, Abortable, Batch } from './settle.js';

/** One command (or one fan-out over the masters) with an AbortSignal. */
export class SignalGate implements SendGate, Abortable {
  done = false;
  heldEntries = 0;
  /** Its commands written and not answered yet. */
  private inFlight = 0;
  /** A fan-out part was answered: some of it ran. */
  private answered = false;
  private readonly watch: AbortWatch;

  constructor(
    signal: AbortSignal,
    private readonly held: HeldCount,
    private readonly res: (value: unknown) => void,
    private readonly rej: (err: Error) => void,
  ) {
    this.watch = watchOf(signal);
    this.watch.add(this);
  }

  written(): void {
    this.inFlight++;
  }

  replied(): void {
    this.inFlight--;
  }

  ran(): void {
    this.answered = true;
  }

  /** The command's outcome (reply, error, or the cluster giving up): the first settles, later ones are dropped. */
  readonly resolve = (value: unknown): void => {
    if (this.done) return;
    this.done = true;
    this.watch.delete(this);
    this.res(value);
  };

  readonly reject = (err: Error): void => {
    if (this.done) return;
    this.done = true;
    this.watch.delete(this);
    this.rej(err);
  };

  abortWith(reason: unknown): void {
    if (this.done) return;
    const mayHaveRun = this.inFlight > 0 || this.answered;
    if (this.heldEntries > 0) {
      this.held.dropHeld(this.heldEntries);
      this.heldEntries = 0;
    }
    this.reject(commandAborted(undefined, mayHaveRun, reason));
  }
}

/**
 * A pipeline's or transaction's gate: done when its Batch is settled
 * (aborted, or failed), sent once any part was written. It is also the
 * batch's `holder`, so Batch.abortWith can tell "nothing sent" and free the
 * pre-map queue's room.
 */
export class BatchGate implements SendGate, HeldCount {
  heldEntries = 0;

  constructor(
    private readonly batch: Batch,
    private readonly held: HeldCount,
  ) {
    batch.holder = this;
  }

  get done(): boolean {
    return this.batch.done;
  }

  written(): void {
    this.batch.sent = true;
  }

  replied(): void {}

  ran(): void {}

  /** A transaction came back redirected or refused for a retry: nothing of it ran, nothing is on a link. */
  unsent(): void {
    this.batch.sent = false;
  }

  /** Batch.abortWith, before anything was written: its entries in the pre-map queue stop counting. */
  dropHeld(): void {
    if (this.heldEntries === 0) return;
    this.held.dropHeld(this.heldEntries);
    this.heldEntries = 0;
  }
}
