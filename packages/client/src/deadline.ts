/**
 * Deadlines: the client's `commandTimeout`, counted from when a command is
 * issued, wherever it then waits (the offline queue, the resend list, or the
 * connection's reply FIFO).
 *
 * Every command of a client gets the same timeout, so deadlines come in the
 * order commands are issued: a FIFO holds them, and one timer, armed for
 * the head, is all it takes (no timer per command, which 100,000 commands
 * in flight could not afford). Entries settled before their deadline stay
 * in the FIFO until they reach its head; since replies come back in order
 * too, the head is usually settled by the time a new command is added, and
 * `add` drops it then, so the FIFO stays about as long as what is pending.
 *
 * A Node timer rather than the reactor's: a command issued before
 * `connect()` has a deadline although the client has no reactor yet.
 * It is unref'd: a deadline alone does not keep the process alive.
 */
import { BoundedQueue } from './queue.js';
import type { Expiring } from './settle.js';

export class Deadlines {
  private readonly fifo = new BoundedQueue<Expiring>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Called once per entry whose deadline passed unsettled, oldest first; `batch` counts the sweep. */
    private readonly onExpire: (item: Expiring, sweep: number) => void,
  ) {}

  /** Entries tracked (settled ones included until they reach the head). */
  get length(): number {
    return this.fifo.length;
  }

  add(item: Expiring): void {
    for (let h = this.fifo.peek(); h !== undefined && h.done; h = this.fifo.peek()) this.fifo.shift();
    this.fifo.push(item);
    if (this.timer === null) this.arm(item.deadline);
  }

  /** Forgets every entry and disarms the timer (the client closed; it settles what it held itself). */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.fifo.drain();
  }

  private sweeps = 0;

  private arm(at: number): void {
    this.timer = setTimeout(() => this.sweep(), Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private sweep(): void {
    this.timer = null;
    const now = Date.now();
    const sweep = ++this.sweeps;
    for (let h = this.fifo.peek(); h !== undefined; h = this.fifo.peek()) {
      if (!h.done && h.deadline > now) {
        this.arm(h.deadline);
        return;
      }
      this.fifo.shift();
      if (!h.done) this.onExpire(h, sweep);
    }
  }
}
