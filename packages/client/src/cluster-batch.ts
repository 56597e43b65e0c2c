/**
 * What a cluster does with more than one reply: a transaction on its slot's
 * node that moves itself when the slot moves, and the combining of a
 * fan-out's replies (FLUSHALL, DBSIZE, SCRIPT EXISTS ...) as the server's
 * `response_policy` tip says.
 *
 * A transaction (MULTI, commands, EXEC) is sent whole to one node. When the
 * slot is not that node's any more, Redis answers the queued commands (or
 * EXEC) with MOVED / ASK / TRYAGAIN and discards the transaction: nothing
 * ran, so the whole transaction is sent again, to the named node (ASKING
 * first for ASK: the flag lasts until EXEC), without any other command
 * having to fix the map first. A connection lost after sending fails it
 * (it may have run); never sent, it waits for a node like a command does.
 */
import { ReplyError, type CommandArgument } from '@reactor-ts/resp';
import { CrossSlotError, isRetryableClusterError, NO_SLOT, parseRedirect, slotOfKeys, type ResponsePolicy } from '@reactor-ts/hiredis-adapter';
import { ClientClosedError } from './errors.js';
import { ClusterUnavailableError, MaxRedirectionsError } from './cluster-errors.js';
import type { ClusterNodeConn, NodeSettler } from './cluster-node.js';
import type { Batch } from './settle.js';
import type { BatchGate } from './cluster-abort.js';
import type { CommandTable, NodeAddress } from '@reactor-ts/hiredis-adapter';

/** What a transaction needs of the cluster client (RedisCluster implements it; an interface, so the files import one way). */
export interface TransactionHost {
  readonly table: CommandTable | null;
  readonly state: string;
  readonly stats: { moved: number; ask: number; retries: number };
  readonly maxHops: number;
  readonly retryDeadlineMs: number;
  connect(): Promise<unknown>;
  masterFor(slot: number): ClusterNodeConn | null;
  node(a: NodeAddress): ClusterNodeConn;
  moved(slot: number, to: NodeAddress): void;
  refresh(): void;
  schedule(ms: number, run: () => void, cancel: () => void): void;
}

type Arg = CommandArgument;

/** Fails every slot of `batch` (n of them) with `err`, so it rejects at once. */
export function failBatch(batch: Batch, n: number, err: Error): void {
  for (let i = 0; i < n; i++) batch.fail(err);
}

const NOT_SENT = Symbol('not sent');

export class TransactionAttempt {
  private replies: unknown[] = [];
  private left = 0;
  private hops = 0;
  private retries = 0;
  private sentTo: ClusterNodeConn | null = null;
  private notSentWhy: Error | null = null;

  private constructor(
    private readonly cluster: TransactionHost,
    private readonly commands: Arg[][],
    private readonly slot: number,
    private readonly batch: Batch,
    private readonly deadline: number,
    /** Its signal's gate (exec({ signal })): an abort drops it unsent, or rejects it whole once written. */
    private readonly gate: BatchGate | null,
  ) {}

  /** The Transaction's target: `commands` is MULTI, the user's commands, EXEC. */
  static start(cluster: TransactionHost, commands: Arg[][], batch: Batch, gate: BatchGate | null = null): void {
    // Aborted while it waited for the first map: none of it is sent.
    if (batch.done) return;
    if (cluster.table === null) {
      cluster.connect().then(
        () => TransactionAttempt.start(cluster, commands, batch, gate),
        (err: Error) => failBatch(batch, commands.length, err),
      );
      return;
    }
    const table = cluster.table;
    let slot = NO_SLOT;
    try {
      for (let i = 1; i < commands.length - 1; i++) {
        const argv = commands[i]!;
        const s = slotOfKeys(argv, table.keyIndices(argv));
        if (s === NO_SLOT) continue;
        if (slot === NO_SLOT) slot = s;
        else if (s !== slot) throw new CrossSlotError('MULTI', [slot, s]);
      }
    } catch (err) {
      return failBatch(batch, commands.length, err as Error);
    }
    new TransactionAttempt(cluster, commands, slot, batch, Date.now() + cluster.retryDeadlineMs, gate).send(null, false);
  }

  private send(to: ClusterNodeConn | null, asking: boolean): void {
    // Aborted while it waited for a retry: nothing of it is on a link, and nothing goes.
    if (this.batch.done) return;
    const node = to ?? this.cluster.masterFor(this.slot);
    if (node === null) return this.later(new Error('no master serves the slot (a failover may be under way)'));
    this.sentTo = node;
    const n = this.commands.length;
    this.replies = new Array<unknown>(n);
    this.left = n;
    this.notSentWhy = null;
    const gate = this.gate;
    const buffers = this.batch.buffers;
    for (let i = 0; i < n; i++) {
      const s: NodeSettler = {
        argv: this.commands[i]!,
        // Every part asks the same gate, in one pass: aborted while the node's link opens, all of it stays unsent.
        gate,
        buffers,
        resolve: (v) => this.got(i, v),
        reject: (e) => this.got(i, s.inSend === true && !(e instanceof ReplyError) ? NOT_SENT : e, e),
        notSent: (e) => this.got(i, NOT_SENT, e),
      };
      if (!node.send(s, asking && i === 0)) {
        // Only the first can find the node closed: the rest follow it on the same pass.
        this.left = 0;
        return this.later(new Error(`the connection to ${node.addr.addr} is closed`));
      }
    }
  }

  private got(i: number, value: unknown, why?: Error): void {
    this.replies[i] = value;
    if (value === NOT_SENT && why !== undefined) this.notSentWhy ??= why;
    if (--this.left === 0) this.evaluate();
  }

  private evaluate(): void {
    // Aborted while on a link: its caller was answered then; the replies are dropped, nothing is re-sent.
    if (this.batch.done) return;
    const r = this.replies;
    const n = r.length;
    if (this.notSentWhy !== null && r.every((v) => v === NOT_SENT)) return this.later(this.notSentWhy);
    const lost = r.find((v) => v instanceof Error && !(v instanceof ReplyError)) ?? (this.notSentWhy !== null ? this.notSentWhy : undefined);
    if (lost !== undefined) {
      // Some of it was written before the connection failed: it may have run.
      this.cluster.refresh();
      return failBatch(this.batch, n, lost as Error);
    }
    // MULTI is keyless; a queued command or EXEC itself carries the redirect.
    for (let i = 1; i < n; i++) {
      const v = r[i];
      if (!(v instanceof ReplyError)) continue;
      const redirect = parseRedirect(v.message, this.sentTo?.addr.host ?? '127.0.0.1');
      if (redirect !== null) {
        if (++this.hops > this.cluster.maxHops) return failBatch(this.batch, n, new MaxRedirectionsError('MULTI', this.hops - 1, v.message));
        // Discarded by the server: nothing ran and nothing is on a link, so an abort now says so.
        this.gate?.unsent();
        if (redirect.kind === 'moved') {
          this.cluster.stats.moved++;
          this.cluster.moved(redirect.slot, redirect.to);
          return this.send(this.cluster.node(redirect.to), false);
        }
        this.cluster.stats.ask++;
        return this.send(this.cluster.node(redirect.to), true);
      }
      if (isRetryableClusterError(v.message)) return this.later(v);
    }
    for (let i = 0; i < n; i++) this.batch.put(i, r[i]);
  }

  /** Sends the whole transaction again after a pause, or gives up at the deadline (nothing ran). */
  private later(cause: Error): void {
    const n = this.commands.length;
    this.gate?.unsent();
    const now = Date.now();
    if (now >= this.deadline) {
      return failBatch(this.batch, n, new ClusterUnavailableError(`MULTI: no node took the transaction within ${this.cluster.retryDeadlineMs} ms (${cause.message}); not run`, { cause }));
    }
    if (this.cluster.state === 'closed' || this.cluster.state === 'closing') return failBatch(this.batch, n, new ClientClosedError('the cluster client closed; transaction not sent'));
    this.cluster.stats.retries++;
    this.cluster.refresh();
    const delay = Math.min(200, 10 * 2 ** Math.min(this.retries++, 5), this.deadline - now);
    this.cluster.schedule(delay, () => this.send(null, false), () => failBatch(this.batch, n, new ClientClosedError('the cluster client closed; transaction not sent')));
  }
}

/** Combines the replies of a command sent to several nodes, as its `response_policy` tip says. */
export function combineReplies(policy: ResponsePolicy, results: ReadonlyArray<PromiseSettledResult<unknown>>): unknown {
  const values: unknown[] = [];
  let firstError: unknown = null;
  for (const r of results) {
    if (r.status === 'fulfilled') values.push(r.value);
    else firstError ??= r.reason;
  }
  if (policy === 'one_succeeded') {
    if (values.length > 0) return values[0];
    throw firstError;
  }
  if (firstError !== null) throw firstError;
  switch (policy) {
    case 'agg_logical_and':
      return aggregate(values, (a, b) => (a && b ? 1 : 0));
    case 'agg_logical_or':
      return aggregate(values, (a, b) => (a || b ? 1 : 0));
    case 'agg_min':
      return aggregate(values, Math.min);
    case 'agg_max':
      return aggregate(values, Math.max);
    case 'agg_sum':
      return aggregate(values, (a, b) => a + b);
    case 'all_succeeded':
      return values[0];
    default:
      // No policy: arrays concatenate (KEYS), anything else is the first node's answer.
      return values.every(Array.isArray) ? (values as unknown[][]).flat() : values[0];
  }
}

/** Numbers combined by `op`; arrays of numbers element by element (SCRIPT EXISTS). */
function aggregate(values: unknown[], op: (a: number, b: number) => number): unknown {
  if (values.length === 0) return null;
  if (values.every(Array.isArray)) {
    const arrays = values as unknown[][];
    return arrays[0]!.map((_, i) => arrays.map((a) => Number(a[i])).reduce(op));
  }
  return values.map(Number).reduce(op);
}
