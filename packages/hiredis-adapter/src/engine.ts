/**
 * The asynchronous context's engine: hiredis's `async.c` state machine.
 *
 * An `AsyncContext` owns everything a connection to Redis needs except the
 * connection: the reply FIFO, the output queued before the connection is
 * usable, the reader, the subscription tables and the deadlines. The adapter
 * (`redisAttach`) supplies a `RedisTransport` (the reactor event's `in` and
 * `out` buffers) and the hooks (`ac.ev`); the engine never sees a socket or
 * a reactor. It encodes every command itself, one way (resp's
 * appendCommand, in place): into the connection's `out` when the bytes may
 * go straight there, else into its own backlog, which is handed over whole
 * once connected.
 *
 * Life cycle (`state`):
 *
 *   idle ──attach──▶ connecting ──writable──▶ handshake ──all OK──▶ connected
 *     (commands queue        (AUTH/HELLO/SELECT/SETNAME, or        │
 *      in obuf)               a PING probe, in flight;             │
 *                             user bytes wait)                     ▼
 *   any state ──free / EOF / error / timeout / disconnect done──▶ closed
 *
 * Invariants:
 * - The FIFO holds one entry per command written or queued, in byte order:
 *   handshake entries first (queued at creation), then user commands. An
 *   (un)subscribe entry stays at the head until its last confirmation;
 *   messages never touch the FIFO (subscriptions.ts).
 * - Every entry's callback runs exactly once: with its reply, or with null
 *   when the context closes (entries are removed before their callback runs).
 * - User bytes reach the connection only in state `connected`, so no user command
 *   can run on a connection whose AUTH or SELECT failed.
 * - User callbacks run with REDIS_IN_CALLBACK set; `redisAsyncFree` inside
 *   one is carried out when that callback returns.
 *
 * The file stays whole (~700 lines) because every transition above touches
 * the same few fields; the FIFO, reply inspection, pub/sub tables and option
 * handling live in their own modules.
 */
import { ChainBuffer } from '@reactor-ts/buffer';
import {
  NEED_MORE,
  ProtocolError,
  PushFrame,
  RespReader,
  appendCommand,
  errorText,
  integerOf,
  isPush,
  itemsOf,
  textOf,
  type CommandArgument,
  type RedisReply,
  type ReplyBuilder,
} from '@reactor-ts/resp';
import {
  CMD_MONITOR,
  CMD_NORMAL,
  CMD_PING,
  CMD_QUIT,
  CMD_RESET,
  CMD_SUBSCRIBE,
  CMD_UNSUBSCRIBE,
  type CommandKind,
} from './command-info.js';
import {
  REDIS_CONNECTED,
  REDIS_DISCONNECTING,
  REDIS_ERR,
  REDIS_ERR_EOF,
  REDIS_ERR_IO,
  REDIS_ERR_OOM,
  REDIS_ERR_OTHER,
  REDIS_ERR_PROTOCOL,
  REDIS_ERR_TIMEOUT,
  REDIS_FREEING,
  REDIS_IN_CALLBACK,
  REDIS_MONITORING,
  REDIS_OK,
  REDIS_SUBSCRIBED,
} from './constants.js';
import { ReplyQueue } from './reply-queue.js';
import { handshakeCommands, type ResolvedOptions } from './options.js';
import { isConfirmation, isUnsubscribe, PUBSUB_KINDS, Subscriptions } from './subscriptions.js';
import type {
  RedisAsyncContext,
  RedisCallbackFn,
  RedisConnectCallback,
  RedisConnectionInfo,
  RedisDisconnectCallback,
  RedisEventHooks,
  RedisTransport,
  RedisAsyncPushCallback,
} from './types.js';

type State = 'idle' | 'connecting' | 'handshake' | 'connected' | 'closed';

/**
 * What a command waiting for its reply needs beyond its callback and
 * privdata. A plain command (CMD_NORMAL, no deadline) has no such record:
 * its FIFO entry is just the two (see reply-queue.ts).
 */
interface CommandRecord<R> {
  fn: RedisCallbackFn<R> | null;
  privdata: unknown;
  kind: CommandKind;
  /** Date.now() value after which the command has timed out; Infinity: none. */
  deadline: number;
  /** AUTH / HELLO / SELECT / SETNAME sent by the context itself. */
  handshake: boolean;
  /** (Un)subscribe commands: confirmations still expected; else 0. */
  expect: number;
  /** (Un)subscribe commands: the command name and its channel/pattern names. */
  verb: string;
  names: readonly string[] | null;
  /** The string mode its reply is read in when not the context's (redisAsyncSetStringMode); else null. */
  mode: 'string' | 'buffer' | null;
}

const ERRSTR_EOF = 'Server closed the connection';
/** The connect probe (see the constructor), encoded once. */
const PING_PROBE = Buffer.from('*1\r\n$4\r\nPING\r\n');
const ERRSTR_TIMEOUT = 'Timeout';

const NOOP_HOOKS: Readonly<RedisEventHooks> = Object.freeze({
  addRead() {},
  delRead() {},
  addWrite() {},
  delWrite() {},
  cleanup() {},
  scheduleTimer() {},
  data: null,
});

/** The writable view of `ac.c`. */
interface ConnectionInfo extends RedisConnectionInfo {
  flags: number;
  fd: number;
  commandTimeout: number | null;
  protocol: 2 | 3;
}

export class AsyncContext<R = RedisReply> implements RedisAsyncContext<R> {
  err = 0;
  errstr = '';
  commandErrstr = '';
  readonly c: ConnectionInfo;
  ev: RedisEventHooks = NOOP_HOOKS;
  data: unknown = null;
  dataCleanup: ((data: unknown) => void) | null = null;

  onConnect: RedisConnectCallback<R> | null = null;
  onDisconnect: RedisDisconnectCallback<R> | null = null;
  onPush: RedisAsyncPushCallback<R> | null = null;

  private state: State = 'idle';
  private transport: RedisTransport | null = null;
  private readonly reader: RespReader;
  private readonly replies = new ReplyQueue<RedisCallbackFn<R> | null, CommandRecord<R>>();
  /** Handshake bytes, sent first once the socket is connected. */
  private hsbuf: Buffer[] = [];
  /** Handshake replies still expected. */
  private hsLeft = 0;
  /** User bytes waiting for state `connected`, or behind bytes already waiting (hiredis's obuf). */
  private readonly obuf = new ChainBuffer();
  private connectDeadline = Infinity;
  /** The deadline the hooks' timer is armed for (Infinity: none). */
  private armedFor = Infinity;
  /** The user sent QUIT: the server's close after its last reply is not a failure. */
  private quitSent = false;
  /** `redisAsyncFree` was called inside a callback: free when it returns. */
  private freeRequested = false;
  /** Channel and pattern callbacks, and the (un)subscribes in flight. */
  private readonly pubsub = new Subscriptions<R>();
  /** The MONITOR command's entry once the server said OK. */
  private monitor: CommandRecord<R> | null = null;
  /** The first exception a user callback threw, until surfaced. */
  private thrown: { err: unknown } | null = null;
  /** The string mode of replies to commands queued from now on, when not the context's own; else null. */
  private nextMode: 'string' | 'buffer' | null = null;
  /** Entries in the FIFO with a mode of their own: while any is, each reply picks the reader's mode first. */
  private modeEntries = 0;
  /** The mode the reader was last switched to, when not the context's own; else null. */
  private readerMode: 'string' | 'buffer' | null = null;

  constructor(readonly options: ResolvedOptions) {
    this.c = {
      connectionType: options.path ? 'unix' : 'tcp',
      host: options.path ? '' : options.host,
      port: options.path ? 0 : options.port,
      path: options.path,
      flags: 0,
      fd: -1,
      connectTimeout: options.connectTimeout,
      commandTimeout: options.commandTimeout,
      protocol: options.protocol,
    };
    this.reader = new RespReader({ builder: options.builder, stringMode: options.stringMode });
    const handshake = handshakeCommands(options);
    // With a connect deadline and nothing else to ask, a PING: an accepted
    // TCP connection proves nothing (a proxy or a hung server accepts and
    // never answers), so "connected" waits for the server's first reply, and
    // the deadline covers it. Its answer, even an error (NOAUTH), shows the
    // server is there; what it thinks of the commands is theirs to say.
    const probe = handshake.length === 0 && options.connectTimeout !== null;
    if (probe) handshake.push(PING_PROBE);
    for (const bytes of handshake) {
      this.hsbuf.push(bytes);
      this.replies.push(null, null, {
        fn: null,
        privdata: null,
        kind: probe ? CMD_PING : CMD_NORMAL,
        deadline: Infinity,
        handshake: true,
        expect: 0,
        verb: '',
        names: null,
        mode: null,
      });
    }
    this.hsLeft = this.hsbuf.length;
  }

  get pending(): number {
    return this.replies.length;
  }

  get attached(): boolean {
    return this.state !== 'idle';
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  // ---------------------------------------------------------------- attach

  /** Called by the adapter once the event exists and `ev` is filled in. */
  attach(transport: RedisTransport, hooks: RedisEventHooks, fd: number): void {
    this.transport = transport;
    this.ev = hooks;
    this.c.fd = fd;
    this.state = 'connecting';
    if (this.options.connectTimeout !== null) {
      this.connectDeadline = Date.now() + this.options.connectTimeout;
      this.armTimer(this.connectDeadline);
    }
    // Any command deadline set before the attach can now be scheduled.
    this.replies.forEachMeta((p) => this.armTimer(p.deadline));
    hooks.addRead();
    // A non-blocking connect reports completion as writability.
    hooks.addWrite();
  }

  // -------------------------------------------------------------- commands

  /**
   * Queues one formatted command. Returns REDIS_ERR (with `commandErrstr`)
   * when the context cannot take it; then `fn` will never be called.
   */
  command(
    payload: Uint8Array | ReadonlyArray<CommandArgument>,
    kind: CommandKind,
    args: readonly string[] | null,
    fn: RedisCallbackFn<R> | null,
    privdata: unknown,
  ): number {
    const refusal = this.refusal(kind);
    if (refusal !== null) {
      this.commandErrstr = refusal;
      return REDIS_ERR;
    }
    // Sent before its reply entry exists: an argument the encoder refuses
    // leaves no trace (queuing never reports I/O errors synchronously).
    if (payload instanceof Uint8Array) this.queueBytes(payload);
    else if (!this.queueArgv(payload)) return REDIS_ERR;
    this.commandErrstr = '';
    const timeout = this.c.commandTimeout;
    const deadline = timeout !== null && timeout > 0 ? Date.now() + timeout : Infinity;
    let expect = 0;
    let verb = '';
    let names: readonly string[] | null = null;
    if (args !== null && kind === CMD_SUBSCRIBE && args.length > 1) {
      verb = args[0] as string;
      names = args.slice(1);
      expect = this.pubsub.subscribe(verb, names, fn, privdata);
      this.c.flags |= REDIS_SUBSCRIBED;
    } else if (args !== null && kind === CMD_UNSUBSCRIBE && this.unsubscribeIsConfirmed()) {
      verb = args[0] as string;
      names = args.slice(1);
      expect = this.pubsub.unsubscribe(verb, names);
    } else if (kind === CMD_SUBSCRIBE || kind === CMD_UNSUBSCRIBE) {
      // No channel, or RESP2 UNSUBSCRIBE outside subscribed mode: one plain reply.
      kind = CMD_NORMAL;
    } else if (kind === CMD_QUIT) {
      this.quitSent = true;
    }
    // A mode of its own only for a command answered by one ordinary reply.
    const mode = kind === CMD_NORMAL ? this.nextMode : null;
    if (mode !== null) this.modeEntries++;
    const plain = kind === CMD_NORMAL && deadline === Infinity && mode === null;
    this.replies.push(fn, privdata, plain ? null : { fn, privdata, kind, deadline, handshake: false, expect, verb, names, mode });
    if (deadline !== Infinity && this.state !== 'idle') this.armTimer(deadline);
    return REDIS_OK;
  }

  /**
   * Encodes `argv` where its bytes go (see directOut): in place, with no
   * Buffer of its own, either way. False, with `commandErrstr` set and
   * nothing queued, when the encoder refuses an argument.
   */
  private queueArgv(argv: ReadonlyArray<CommandArgument>): boolean {
    const out = this.directOut();
    try {
      appendCommand(out ?? this.obuf, argv);
    } catch (err) {
      this.commandErrstr = err instanceof Error ? err.message : String(err);
      return false;
    }
    this.queued(out);
    return true;
  }

  /** Queues an already formatted command (redisAsyncCommand, redisAsyncFormattedCommand). */
  private queueBytes(bytes: Uint8Array): void {
    const out = this.directOut();
    (out ?? this.obuf).add(bytes);
    this.queued(out);
  }

  /**
   * The string mode of the replies to commands queued from now on ('string'
   * or 'buffer'), or null for the context's own. For one command: set it,
   * issue the command, set it back (as redisAsyncSetTimeout).
   */
  setStringMode(mode: 'string' | 'buffer' | null): void {
    this.nextMode = mode === this.options.stringMode ? null : mode;
  }

  /** A command refused before it reached the engine (bad format, bad argv). */
  refuse(why: string): number {
    this.commandErrstr = why;
    return REDIS_ERR;
  }

  /** Bad options: born closed, with the reason in `errstr`, as hiredis's failed allocation. */
  failEarly(err: number, errstr: string): void {
    this.setError(err, errstr);
    this.state = 'closed';
    this.c.flags |= REDIS_FREEING;
  }

  private refusal(kind: CommandKind): string | null {
    if (this.state === 'closed' || (this.c.flags & REDIS_FREEING) !== 0) {
      return `the context is closed${this.errstr ? ` (${this.errstr})` : ''}`;
    }
    if ((this.c.flags & REDIS_DISCONNECTING) !== 0) return 'the context is disconnecting: no new commands';
    if (
      this.c.protocol === 2 &&
      (this.c.flags & REDIS_SUBSCRIBED) !== 0 &&
      kind !== CMD_SUBSCRIBE &&
      kind !== CMD_UNSUBSCRIBE &&
      kind !== CMD_PING &&
      kind !== CMD_RESET &&
      kind !== CMD_QUIT
    ) {
      return (
        'in RESP2 subscribed mode only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, RESET and QUIT are allowed; ' +
        'use protocol 3 or another connection for other commands'
      );
    }
    if ((this.c.flags & REDIS_MONITORING) !== 0 && kind !== CMD_RESET && kind !== CMD_QUIT) {
      return 'the context is in MONITOR mode: only RESET and QUIT are allowed';
    }
    return null;
  }

  /**
   * RESP3 always, RESP2 while subscribed: (P|S)UNSUBSCRIBE is answered by
   * pub/sub confirmations (outside subscribed mode RESP2 answers it as a
   * plain array, which any command entry can take).
   */
  private unsubscribeIsConfirmed(): boolean {
    return this.c.protocol === 3 || (this.c.flags & REDIS_SUBSCRIBED) !== 0;
  }

  /**
   * The connection's output queue when bytes may go straight there:
   * connected, with nothing waiting in the backlog ahead of them. Null: they
   * go to the backlog (not connected yet, bytes already waiting, or the
   * connection can take no output, and is about to report why).
   */
  private directOut(): ChainBuffer | null {
    if (this.state !== 'connected' || this.obuf.length > 0 || this.transport === null) return null;
    return this.transport.out();
  }

  /** Bytes were appended to `out` (from directOut), or to the backlog when `out` is null. */
  private queued(out: ChainBuffer | null): void {
    if (out !== null) this.transport!.queued();
    else if (this.state === 'connected') this.ev.addWrite();
  }

  /**
   * Hands the whole backlog to the connection's output by reference (no
   * copy): a burst queued before the connect (10^5 commands) costs a few
   * chunk links instead of 10^5 calls into the reactor. The views peek()
   * gives out stay valid after clear(): their chunks are not reused.
   */
  private flushObuf(): void {
    if (this.transport === null || this.obuf.length === 0) return;
    const out = this.transport.out();
    if (out !== null) {
      for (const chunk of this.obuf.peek()) out.addReference(chunk);
      this.transport.queued();
    }
    this.obuf.clear();
  }

  // ------------------------------------------------------------ I/O events

  /** Writable: the connect completed, or queued bytes can go. */
  handleWrite(): void {
    this.onWritable();
    this.surface();
  }

  /** Replies may have arrived in the connection's `in` buffer. */
  handleRead(): void {
    this.readReplies();
    this.surface();
  }

  /** The connection failed: `code` is the reactor's (`EOF`, `ECONNREFUSED`, ...). */
  handleError(code: string, message: string): void {
    this.onConnectionError(code, message);
    this.surface();
  }

  /** The timer fired: fail the context if a deadline passed, else re-arm. */
  handleTimeout(): void {
    this.onTimer();
    this.surface();
  }

  private onWritable(): void {
    if (this.state === 'connecting') {
      if (this.transport === null) return;
      if (this.hsLeft > 0) {
        this.state = 'handshake';
        const out = this.transport.out();
        if (out !== null) {
          for (const bytes of this.hsbuf) out.add(bytes);
          this.transport.queued();
        }
        this.hsbuf = [];
      } else {
        this.ev.delWrite();
        this.becomeConnected();
        return;
      }
    } else if (this.state === 'connected') {
      this.flushObuf();
    }
    this.ev.delWrite();
  }

  private readReplies(): void {
    const transport = this.transport;
    if (transport === null || this.state === 'closed') return;
    for (;;) {
      let reply: unknown;
      // Nothing left to read: the reader cannot complete a reply from no
      // bytes, so skip asking it (the common end of a read: one reply, then this).
      if (transport.in.length === 0) break;
      // Only while a command with a mode of its own is pending (or the
      // reader is still in one): the FIFO's head owns the next reply, so it
      // says how to read it. The head cannot change in the middle of a reply.
      if (this.modeEntries !== 0 || this.readerMode !== null) this.pickMode();
      try {
        reply = this.reader.getReplyFrom(transport.in);
      } catch (err) {
        const message = err instanceof ProtocolError ? `Protocol error: ${err.message}` : String(err);
        this.close(REDIS_ERR_PROTOCOL, message, REDIS_ERR);
        return;
      }
      if (reply === NEED_MORE) break;
      this.processReply(reply as R);
      if (this.closed || this.transport !== transport) return;
    }
    this.maybeFinishDisconnect();
  }

  /** Puts the reader in the mode of the command the next reply answers. */
  private pickMode(): void {
    const head = this.replies.peekMeta();
    const want = head === undefined || head === null ? null : head.mode;
    if (want === this.readerMode) return;
    this.reader.setStringMode(want ?? this.options.stringMode);
    this.readerMode = want;
  }

  private onConnectionError(code: string, message: string): void {
    if (this.state === 'closed') return;
    if (code === 'EOF') {
      const clean =
        this.replies.length === 0 && (this.quitSent || (this.c.flags & REDIS_DISCONNECTING) !== 0);
      if (clean) this.close(0, '', REDIS_OK);
      else this.close(REDIS_ERR_EOF, ERRSTR_EOF, REDIS_ERR);
      return;
    }
    const err = code === 'ERR_INPUT_LIMIT' || code === 'ERR_OUTPUT_LIMIT' ? REDIS_ERR_OOM : REDIS_ERR_IO;
    this.close(err, message, REDIS_ERR);
  }

  // --------------------------------------------------------------- replies

  private processReply(reply: R): void {
    if (isPush(reply)) {
      // Read while a command with a mode of its own was at the head: pushes
      // (pub/sub messages, invalidations) keep the context's mode.
      this.processPush(this.readerMode === null ? reply : (inMode(reply, this.options.stringMode) as R));
      return;
    }
    if ((this.c.flags & REDIS_SUBSCRIBED) !== 0 && this.c.protocol === 2) {
      const items = itemsOf(reply);
      const kind = items !== null && items.length >= 2 ? textOf(items[0])?.toLowerCase() : undefined;
      if (kind !== undefined && PUBSUB_KINDS.has(kind)) {
        this.pubsubReply(kind, items as readonly unknown[], reply);
        return;
      }
      // Anything else (PING's ["pong", ""], an error) answers a queued command.
    }
    if ((this.c.flags & REDIS_MONITORING) !== 0 && this.monitor !== null && this.replies.length === 0) {
      this.invoke(this.monitor.fn, reply, this.monitor.privdata);
      return;
    }
    const q = this.replies;
    if (!q.shift()) {
      this.unsolicited(reply);
      return;
    }
    const p = q.shiftedMeta;
    if (p === null) {
      // A plain command: nothing to inspect.
      this.invoke(q.shiftedFn as RedisCallbackFn<R> | null, reply, q.shiftedData);
      return;
    }
    if (p.mode !== null) this.modeEntries--;
    if (p.handshake) {
      this.handshakeReply(reply, p.kind === CMD_PING);
      return;
    }
    if (p.expect > 0) {
      // An (un)subscribe answered by something other than its confirmations:
      // the server refused it (NOPERM, wrong arguments). Its names are dropped.
      this.pubsub.inFlight--;
      if (p.kind === CMD_SUBSCRIBE && p.names !== null) this.pubsub.refused(p.verb, p.names, p.fn);
      if (this.pubsub.inFlight === 0 && this.pubsub.count === 0) this.c.flags &= ~REDIS_SUBSCRIBED;
      this.invoke(p.fn, reply, p.privdata);
      return;
    }
    if (p.kind === CMD_MONITOR && errorText(reply) === null) {
      this.c.flags |= REDIS_MONITORING;
      this.monitor = p;
    } else if (p.kind === CMD_RESET && errorText(reply) === null) {
      // RESET also puts the connection back to RESP2, db 0, default user.
      this.leaveSpecialModes();
      this.c.protocol = 2;
    }
    this.invoke(p.fn, reply, p.privdata);
  }

  private processPush(reply: R): void {
    const items = itemsOf(reply) ?? [];
    const kind = items.length > 0 ? textOf(items[0])?.toLowerCase() : undefined;
    if (kind !== undefined && PUBSUB_KINDS.has(kind) && items.length >= 2) {
      this.pubsubReply(kind, items, reply);
      return;
    }
    if (this.onPush !== null) {
      const fn = this.onPush;
      this.invoke((ac, r) => fn(ac, r as R), reply, null);
    }
  }

  /**
   * One pub/sub reply: a message goes to its channel's or pattern's callback;
   * a confirmation also counts toward the (un)subscribe command at the FIFO's
   * head. An UNSUBSCRIBE's own callback gets its last confirmation.
   */
  private pubsubReply(kind: string, items: readonly unknown[], reply: R): void {
    const sub = this.pubsub.route(kind, textOf(items[1]) ?? '');
    let done: CommandRecord<R> | null = null;
    if (isConfirmation(kind)) {
      const head = this.replies.peekMeta();
      if (head !== undefined && head !== null && head.expect > 0 && --head.expect === 0) {
        this.replies.shift();
        this.pubsub.inFlight--;
        done = head;
      }
      // Count 0 with nothing in flight: RESP2 subscribed mode is over.
      if (isUnsubscribe(kind) && items.length >= 3 && integerOf(items[2]) === 0 && this.pubsub.inFlight === 0) {
        this.c.flags &= ~REDIS_SUBSCRIBED;
      }
    }
    if (sub !== undefined) this.invoke(sub.fn, reply, sub.privdata);
    if (done !== null && done.kind === CMD_UNSUBSCRIBE) this.invoke(done.fn, reply, done.privdata);
  }

  private leaveSpecialModes(): void {
    this.c.flags &= ~(REDIS_SUBSCRIBED | REDIS_MONITORING);
    this.monitor = null;
    this.pubsub.clear();
  }

  /** A reply nobody asked for: an error (maxclients) ends the context. */
  private unsolicited(reply: R): void {
    const text = errorText(reply);
    if (text !== null) this.close(REDIS_ERR_OTHER, text, REDIS_ERR);
    else this.close(REDIS_ERR_PROTOCOL, 'Protocol error: a reply arrived with no command waiting for it', REDIS_ERR);
  }

  private handshakeReply(reply: R, probe: boolean): void {
    const text = probe ? null : errorText(reply);
    if (text !== null) {
      this.close(REDIS_ERR_OTHER, text, REDIS_ERR);
      return;
    }
    if (--this.hsLeft === 0) this.becomeConnected();
  }

  private becomeConnected(): void {
    this.state = 'connected';
    this.c.flags |= REDIS_CONNECTED;
    this.connectDeadline = Infinity;
    // The connect deadline is met: keep the timer only for command deadlines
    // (else a reactor timer would stay armed, and be checked every turn, until
    // the connect timeout's time came).
    this.rearmTimer();
    this.flushObuf();
    if (this.onConnect !== null) {
      const fn = this.onConnect;
      this.invoke((ac) => fn(ac, REDIS_OK), null, null);
    }
  }

  // -------------------------------------------------------------- timeouts

  /** Arms the hooks' timer if `deadline` is earlier than the one armed. */
  private armTimer(deadline: number): void {
    if (deadline >= this.armedFor || this.state === 'closed') return;
    this.armedFor = deadline;
    this.ev.scheduleTimer(Math.max(0, deadline - Date.now()));
  }

  private onTimer(): void {
    this.armedFor = Infinity;
    if (this.state === 'closed') return;
    // One deadline passed is enough: reply order is lost, the connection closes.
    const next = this.earliestDeadline();
    if (next <= Date.now()) {
      this.close(REDIS_ERR_TIMEOUT, ERRSTR_TIMEOUT, REDIS_ERR);
      return;
    }
    if (next !== Infinity) this.armTimer(next);
  }

  /** Re-arms the timer for the earliest deadline still pending, or cancels it when there is none. */
  private rearmTimer(): void {
    const next = this.earliestDeadline();
    if (next === this.armedFor) return;
    this.armedFor = Infinity;
    if (next !== Infinity) this.armTimer(next);
    else this.ev.scheduleTimer(-1);
  }

  /** The connect deadline or the earliest command deadline, whichever comes first (Infinity: none). */
  private earliestDeadline(): number {
    let next = this.connectDeadline;
    this.replies.forEachMeta((p) => {
      if (p.deadline < next) next = p.deadline;
    });
    return next;
  }

  /** hiredis's `redisAsyncSetTimeout`: the default deadline of commands issued from now on. */
  setCommandTimeout(ms: number | null): void {
    this.c.commandTimeout = ms !== null && ms > 0 ? ms : null;
  }

  // ---------------------------------------------------------- terminations

  /** `redisAsyncDisconnect`: no new commands; close once every reply is in. */
  disconnect(): void {
    if (this.state === 'closed') return;
    this.c.flags |= REDIS_DISCONNECTING;
    if (this.state === 'idle') {
      // Never attached: nothing will ever answer the queued commands.
      this.close(REDIS_ERR_OTHER, 'Disconnected before redisAttach', REDIS_ERR);
    } else {
      this.maybeFinishDisconnect();
    }
    this.surface();
  }

  private maybeFinishDisconnect(): void {
    if ((this.c.flags & REDIS_DISCONNECTING) === 0 || (this.c.flags & REDIS_IN_CALLBACK) !== 0) return;
    if (this.replies.length > 0 || this.state === 'closed') return;
    if (this.state === 'connected' || this.state === 'idle') this.close(0, '', REDIS_OK);
    else this.close(REDIS_ERR_OTHER, 'Disconnected before the connection was established', REDIS_ERR);
  }

  /** `redisAsyncFree`: immediate, or when the running callback returns. */
  free(): void {
    if (this.state === 'closed') return;
    if ((this.c.flags & REDIS_IN_CALLBACK) !== 0) {
      this.freeRequested = true;
      this.c.flags |= REDIS_FREEING;
      return;
    }
    this.freeNow();
    this.surface();
  }

  private freeNow(): void {
    if (this.state === 'closed') return;
    if (this.err === 0) this.setError(REDIS_ERR_OTHER, 'Freed by redisAsyncFree');
    this.close(this.err, this.errstr, REDIS_OK);
  }

  /** Rethrows what a callback threw during the current public call. */
  private surface(): void {
    const t = this.thrown;
    if (t === null || (this.c.flags & REDIS_IN_CALLBACK) !== 0) return;
    this.thrown = null;
    throw t.err;
  }

  private setError(err: number, errstr: string): void {
    if (this.err !== 0) return;
    this.err = err;
    this.errstr = errstr;
  }

  /**
   * The one way out. Releases the connection, then settles everything still
   * waiting — the connect callback (if the connect never completed), every
   * pending command and subscription with a null reply, then the disconnect
   * callback (if it had connected) with `status`.
   */
  private close(err: number, errstr: string, status: number): void {
    if (this.state === 'closed') return;
    if (err !== 0) this.setError(err, errstr);
    const wasConnected = (this.c.flags & REDIS_CONNECTED) !== 0;
    const wasAttached = this.state !== 'idle';
    this.state = 'closed';
    this.c.flags = (this.c.flags | REDIS_FREEING) & ~(REDIS_CONNECTED | REDIS_SUBSCRIBED | REDIS_MONITORING);
    this.transport = null;
    this.obuf.clear();
    this.hsbuf = [];
    this.armedFor = Infinity;
    this.ev.scheduleTimer(-1);
    this.ev.cleanup();

    if (!wasConnected && wasAttached && this.onConnect !== null) {
      const fn = this.onConnect;
      this.invoke((ac) => fn(ac, REDIS_ERR), null, null);
    }
    this.modeEntries = 0;
    for (const { fn, privdata, meta } of this.replies.drain()) {
      // A SUBSCRIBE's callback is its channels': settled once per name below.
      if (meta === null || meta.kind !== CMD_SUBSCRIBE || meta.expect === 0) this.invoke(fn, null, privdata);
    }
    if (this.monitor !== null) {
      const m = this.monitor;
      this.monitor = null;
      this.invoke(m.fn, null, m.privdata);
    }
    for (const sub of this.pubsub.clear()) this.invoke(sub.fn, null, sub.privdata);
    if (wasConnected && this.onDisconnect !== null) {
      const fn = this.onDisconnect;
      this.invoke((ac) => fn(ac, status), null, null);
    }
    if (this.dataCleanup !== null) {
      const cleanup = this.dataCleanup;
      this.dataCleanup = null;
      cleanup(this.data);
    }
  }

  // ------------------------------------------------------------- callbacks

  /**
   * Runs a user callback with REDIS_IN_CALLBACK set. A throw does not stop
   * the engine mid-batch (the other callbacks must still run exactly once):
   * the first one is kept and rethrown by the public call that is running
   * (`redisAsyncHandleRead`, `redisAsyncFree`, ...), so under the reactor it
   * ends `eventloop()` with that error, as a throwing handler does there.
   */
  private invoke(fn: RedisCallbackFn<R> | null, reply: R | null, privdata: unknown): void {
    if (fn === null) return;
    const nested = (this.c.flags & REDIS_IN_CALLBACK) !== 0;
    this.c.flags |= REDIS_IN_CALLBACK;
    try {
      fn(this, reply, privdata);
    } catch (err) {
      if (this.thrown === null) this.thrown = { err };
    } finally {
      if (!nested) {
        this.c.flags &= ~REDIS_IN_CALLBACK;
        if (this.freeRequested) {
          this.freeRequested = false;
          this.c.flags &= ~REDIS_FREEING;
          this.freeNow();
        } else {
          this.maybeFinishDisconnect();
        }
      }
    }
  }
}

/**
 * A native push frame read in the other string mode, in `mode`: its strings
 * as Buffers, or its Buffers as UTF-8 strings (what string mode would have
 * decoded). hiredis-shaped replies carry both forms already.
 */
function inMode(reply: unknown, mode: 'string' | 'buffer'): unknown {
  if (mode === 'string' && Buffer.isBuffer(reply)) return reply.toString('utf8');
  if (mode === 'buffer' && typeof reply === 'string') return Buffer.from(reply, 'utf8');
  if (reply instanceof PushFrame) return new PushFrame(reply.items.map((x) => inMode(x, mode)));
  if (Array.isArray(reply)) return reply.map((x) => inMode(x, mode));
  return reply;
}

/** Narrows a public context to the engine; other objects are refused. */
export function engineOf<R>(ac: RedisAsyncContext<R>): AsyncContext<R> {
  if (!(ac instanceof AsyncContext)) {
    throw new TypeError('not a RedisAsyncContext made by redisAsyncConnect / redisAsyncConnectWithOptions');
  }
  return ac as AsyncContext<R>;
}

export type { ReplyBuilder };
