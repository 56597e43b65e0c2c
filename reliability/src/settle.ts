/**
 * Counting settlements: every promise and callback of a fault test goes
 * through a Ledger, which records how often each one ended and how, so a
 * test can assert "exactly once" rather than assume it.
 */
export class Ledger {
  private readonly counts: number[] = [];
  ok = 0;
  failed = 0;
  readonly errors = new Map<string, number>();

  /** Registers one more thing that must settle once; returns its index. */
  expect(): number {
    this.counts.push(0);
    return this.counts.length - 1;
  }

  settle(i: number, err?: unknown): void {
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    if (err === undefined) this.ok++;
    else {
      this.failed++;
      const name = err instanceof Error ? err.name : typeof err;
      this.errors.set(name, (this.errors.get(name) ?? 0) + 1);
    }
  }

  /** Tracks a promise: counts its settlement. */
  track<T>(p: Promise<T>): Promise<void> {
    const i = this.expect();
    return p.then(
      () => this.settle(i),
      (e: unknown) => this.settle(i, e),
    );
  }

  get total(): number {
    return this.counts.length;
  }

  /** How many settled exactly once / never / more than once. */
  summary(): { once: number; never: number; twice: number } {
    let once = 0;
    let never = 0;
    let twice = 0;
    for (const c of this.counts) {
      if (c === 1) once++;
      else if (c === 0) never++;
      else twice++;
    }
    return { once, never, twice };
  }
}

export async function waitFor(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
