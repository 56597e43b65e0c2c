/**
 * One node of a cluster as the cluster client uses it: an ordinary
 * RedisClient (so the handshake, timeouts, error typing and TLS are the
 * single-node client's), plus the commands held while its link opens.
 *
 * The cluster never lets a node client queue commands itself (its offline
 * queue): it holds them here until the link is up and then sends them with
 * `link.send`, so it always knows whether a command was sent. A command
 * that was never sent can go to another node without any risk of running
 * twice; one that was sent and lost its connection may have run, and is
 * never re-sent.
 *
 * Node clients do not reconnect: a node whose connection is lost is dropped,
 * the cluster re-reads the map, and a new node client is made if the node
 * is still in it.
 */
import type { NodeAddress } from '@reactor-ts/hiredis-adapter';
import type { CommandArgument } from '@reactor-ts/resp';
import type { RedisClient } from './client.js';
import type { Link } from './link.js';
import { ReplyError } from './errors.js';
import type { Settler } from './settle.js';

/** What the cluster sends through a node: a settler that can also be told it was never sent. */
export interface NodeSettler extends Settler {
  /** The connection never took the command (it failed to open, or was already closed). */
  notSent(err: Error): void;
  /**
   * True while the link's `send` runs: a rejection then is the context
   * refusing the command before writing it (not sent), not a reply.
   */
  inSend?: boolean;
  /** Its abort state (cluster-abort.ts): a command given a signal, or a batch's part; else absent or null. */
  readonly gate?: SendGate | null;
  /** Its reply read as Buffers (withBuffers). */
  readonly buffers?: boolean;
}

/**
 * What an AbortSignal can stop (cluster-abort.ts): asked before each write
 * of a command that carries it, told of each write and each reply.
 */
export interface SendGate {
  /** Settled already (aborted): whatever of it is not written yet is dropped, never sent. */
  readonly done: boolean;
  /** How many of its commands sit in the cluster's pre-map queue. */
  heldEntries: number;
  /** One of its commands goes onto a link now. */
  written(): void;
  /** One of its written commands was answered. */
  replied(): void;
  /** One of its commands has its final outcome (a fan-out's part): some of it ran. */
  ran(): void;
}

function sendOn(link: Link, s: NodeSettler, asking: boolean): void {
  const gate = s.gate;
  if (gate != null) {
    // Aborted while it waited (for the link, a retry, a redirect): never written.
    if (gate.done) return;
    gate.written();
  }
  if (asking) link.send(ASKING);
  s.inSend = true;
  link.send(s, s.buffers === true);
  s.inSend = false;
}

const ASKING: Settler = { argv: ['ASKING'], resolve() {}, reject() {} };

export class ClusterNodeConn {
  /** Commands waiting for the link, in order; `asking` marks the ones to prefix with ASKING. */
  private held: Array<{ s: NodeSettler; asking: boolean }> = [];
  private opening = false;

  constructor(
    readonly addr: NodeAddress,
    readonly role: 'master' | 'replica',
    readonly client: RedisClient,
    /** The node's link failed to open: the cluster re-reads the map. */
    private readonly onDown: (node: ClusterNodeConn, err: Error) => void,
  ) {}

  /** Whether the node can still take commands (its client is not closed). */
  get usable(): boolean {
    const st = this.client.state;
    return st !== 'closed' && st !== 'closing';
  }

  /** The link is up and nothing waits ahead: a batch may go straight onto it (RedisClient.sendBatch). */
  get direct(): boolean {
    return this.held.length === 0 && this.client.link !== null;
  }

  /**
   * Sends `s` now if the link is up (ASKING first when `asking`), else holds
   * it until the link opens. False when the node is closed: nothing was sent.
   * Several calls in one synchronous pass stay contiguous on the connection.
   */
  send(s: NodeSettler, asking = false): boolean {
    const link = this.client.link;
    if (link !== null && this.held.length === 0) {
      sendOn(link, s, asking);
      return true;
    }
    if (!this.usable) return false;
    this.held.push({ s, asking });
    if (!this.opening) this.open();
    return true;
  }

  /** One command on this node, as a promise (topology reads, fan-outs). */
  call(argv: CommandArgument[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const s: NodeSettler = { argv, resolve, reject: (e) => reject(e), notSent: reject };
      if (!this.send(s)) reject(new Error(`${this.addr.addr} is closed`));
    });
  }

  private open(): void {
    this.opening = true;
    this.client.connect().then(
      () => {
        this.opening = false;
        const held = this.held;
        this.held = [];
        const link = this.client.link;
        for (const { s, asking } of held) {
          if (link === null) s.notSent(new Error(`the connection to ${this.addr.addr} closed before the command was sent`));
          else sendOn(link, s, asking);
        }
      },
      (err: Error) => {
        this.opening = false;
        const held = this.held;
        this.held = [];
        for (const { s } of held) s.notSent(err);
        this.onDown(this, err);
      },
    );
  }

  /** Lets the node go: politely (after its pending replies) or at once. */
  close(polite: boolean): Promise<unknown> {
    const held = this.held;
    this.held = [];
    for (const { s } of held) s.notSent(new Error(`${this.addr.addr} left the cluster map`));
    return (polite ? this.client.quit() : this.client.disconnect()).catch(() => undefined);
  }
}

/** True for an error reply: the node ran the command (or refused it) and the connection is fine. */
export function isReply(err: unknown): err is ReplyError {
  return err instanceof ReplyError;
}

/** What a ClusterCommand reports to (RedisCluster implements it). */
export interface CommandHost {
  /** A node rejected the command: an error reply (MOVED, ASK, TRYAGAIN ...) or its link's failure. */
  failed(c: ClusterCommand, err: Error): void;
  /** The command was never sent: try again later on a fresh map. */
  retryLater(c: ClusterCommand, err: Error): void;
}

/** One command from issue to settlement (see the diagram at the top of cluster.ts). */
export class ClusterCommand implements NodeSettler {
  hops = 0;
  retries = 0;
  inSend = false;
  /** A read-only command that could not be sent to a replica: retried on the master. */
  preferMaster = false;
  /** Where it was last sent (the host an empty MOVED address means). */
  sentTo: ClusterNodeConn | null = null;
  /** Its abort state (a signal, or its batch's), or null: checked before every send, so an aborted command is never written. */
  gate: SendGate | null = null;
  /** Its reply read as Buffers (withBuffers). */
  buffers = false;

  constructor(
    private readonly cluster: CommandHost,
    readonly argv: CommandArgument[],
    readonly slot: number,
    readonly readonly: boolean,
    /** Date.now() past which it is not retried; 0 until its first retry (a Date.now() per command costs). */
    public deadline: number,
    readonly ok: (value: unknown) => void,
    readonly ko: (err: Error) => void,
    /** Sent to this node only (a fan-out's part). */
    readonly pinned: ClusterNodeConn | null = null,
  ) {}

  resolve(value: unknown): void {
    const gate = this.gate;
    if (gate !== null) {
      // A late reply of an aborted command: dropped (its caller was answered at the abort).
      if (gate.done) return;
      gate.replied();
    }
    this.ok(value);
  }

  reject(err: Error): void {
    const gate = this.gate;
    if (gate !== null) {
      if (gate.done) return;
      gate.replied();
    }
    this.cluster.failed(this, err);
  }

  notSent(err: Error): void {
    if (this.gate?.done === true) return;
    this.cluster.retryLater(this, err);
  }
}
