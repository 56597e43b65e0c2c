/**
 * The portable core of the reactor (Redis's ae.c): the slot table, the fired
 * list and its batches, the pending-write list, timers and the loop driver.
 * Everything that touches a socket is in node-io.ts.
 *
 * One turn of Node's event loop plays the part of one `epoll_wait` in C.
 * Socket callbacks only mark slots fired; a setImmediate (the check phase,
 * right after libuv's poll phase) then runs a turn:
 *
 *   dispatch <= maxEventNum fired events -> run due timers
 *     -> flush the pending-write list (one socket write per connection)
 *     -> before-sleep hook -> flush again if the hook queued bytes
 *
 * Busy polling (opt-in, `busyPollMicros`): a turn that wrote to a socket
 * opens a window during which the reactor keeps scheduling turns instead of
 * letting Node block in epoll_wait: each such turn is a non-blocking poll.
 *
 * Events are dispatched only while `eventloop()` runs or an `eventloopOnce()`
 * waits (as in C, nothing happens between calls to epoll_wait); fired slots
 * wait meanwhile. Flushing queued output needs no loop: a write queued
 * outside a turn goes out on process.nextTick, once the current microtask
 * drain is over (see scheduleFlush).
 *
 * Re-entrancy: any callback may call delEvent, stopEventloop or release.
 * After each handler the dispatcher re-checks that the event is still alive
 * and that release() has not run (ae re-checks the mask the same way).
 */
import { Buffer } from 'node:buffer';
import type * as net from 'node:net';
// process.nextTick by import: the global `process` is an accessor on
// globalThis and its object is in dictionary mode, so `process.nextTick` in
// a hot path paid a LoadGlobalIC, a getter call and a generic LoadIC
// (~400 instructions under callgrind, twice per awaited command).
import { nextTick } from 'node:process';
import { EV_READ, EV_WRITE, EventState, KIND_BARE, KIND_LISTENER, KIND_SOCKET, type Kind } from './event.js';
import { ReactorError, ReactorFullError, eofError } from './errors.js';
import { acceptAll, listen, type ListenerCore } from './server.js';
import type {
  AcceptCallback,
  ConnectOptions,
  DelEventOptions,
  ErrorCallback,
  Reactor,
  ReactorEvent,
  ReactorOptions,
  ReadCallback,
  ServerOptions,
  TimerOptions,
  WriteCallback,
} from './reactor-api.js';
import { SlotTable } from './slots.js';
import { TimerHeap } from './timers.js';
import {
  MAX_WRITE_PER_EVENT,
  attachSocket,
  canWrite,
  closeListener,
  closeSocket,
  destroySocket,
  isListening,
  openConnection,
  setReading,
  socketQueued,
  writeSome,
  type Core,
} from './node-io.js';

const GiB = 1024 * 1024 * 1024;
const DEFAULT_FULL_MESSAGE = '-ERR max number of clients reached\r\n';

/** A pending eventloopOnce(). */
interface Step {
  resolve: (n: number) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout | null;
  expired: boolean;
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!(v >= 0)) throw new RangeError(`${name} must be >= 0, got ${v}`);
  return v;
}

class ReactorImpl implements Reactor, Core, ListenerCore {
  readonly maxConn: number;
  readonly maxEventNum: number;
  readonly maxInput: number;
  private readonly hardOut: number;
  private readonly softOut: number;
  private readonly softMs: number;
  readonly fullMessage: Buffer;
  private readonly bufferOpts: { chunkSize: number };

  private readonly slots: SlotTable<EventState>;
  private readonly timers = new TimerHeap();
  /**
   * Fired events in arrival order; [firedHead, firedLen) still to dispatch.
   * Both lists here keep their own length and clear slots as they go,
   * rather than setting `length = 0`: that is a runtime call which also
   * frees the backing store, regrown on the next push, several hundred
   * instructions per turn on a path a command awaited alone takes twice.
   */
  private fired: Array<EventState | undefined> = [];
  private firedHead = 0;
  private firedLen = 0;
  /** Connections with bytes in e.out to flush after the batch. */
  private pending: Array<EventState | undefined> = [];
  private pendingLen = 0;
  private pendingSpare: Array<EventState | undefined> = [];
  private beforeSleep: (() => void) | null = null;
  /** Listening events by bound port, for listenerFor(). */
  readonly listeners = new Map<number, EventState>();
  /** Sockets ever wrapped by this reactor: one event per socket, ever. */
  private readonly adopted = new WeakSet<net.Socket>();

  running = false;
  private stopRequested = false;
  private loopSettle: { resolve: () => void; reject: (err: unknown) => void } | null = null;
  private step: Step | null = null;
  private turnScheduled = false;
  private inTurn = false;
  /** Bumped by release(): a dispatcher that sees it change stops at once. */
  private epoch = 0;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeAt = Infinity;
  private readonly runTurn = (): void => this.immediateTurn();
  /** A read turn is queued on process.nextTick (see fireRead). */
  private readTurnScheduled = false;
  private readonly runReadTurn = (): void => this.readTurn();
  private flushScheduled = false;
  private readonly runFlush = (): void => this.flushOutsideTurn();
  /** Busy-poll window in ms (0: off), and when the current one ends (performance.now()). */
  private busyPollMs: number;
  private spinUntil = 0;
  private readonly onWake = (): void => {
    this.wakeTimer = null;
    this.wakeAt = Infinity;
    this.scheduleTurn();
  };

  constructor(opts: ReactorOptions = {}) {
    this.maxConn = positiveInt('maxConn', opts.maxConn, 65535);
    this.maxEventNum = positiveInt('maxEventNum', opts.maxEventNum, 512);
    this.maxInput = positiveInt('maxInput', opts.maxInput, GiB);
    this.hardOut = nonNegative('output.hard', opts.output?.hard, GiB);
    this.softOut = nonNegative('output.soft', opts.output?.soft, 0);
    this.softMs = nonNegative('output.softMs', opts.output?.softMs, 0);
    const msg = opts.fullMessage ?? DEFAULT_FULL_MESSAGE;
    this.fullMessage = typeof msg === 'string' ? Buffer.from(msg) : Buffer.from(msg);
    this.bufferOpts = { chunkSize: positiveInt('chunkSize', opts.chunkSize, 16384) };
    this.slots = new SlotTable<EventState>(this.maxConn);
    this.busyPollMs = nonNegative('busyPollMicros', opts.busyPollMicros, 0) / 1000;
  }

  get busyPollMicros(): number {
    return this.busyPollMs * 1000;
  }

  setBusyPoll(micros: number): void {
    this.busyPollMs = nonNegative('busyPollMicros', micros, 0) / 1000;
    if (this.busyPollMs === 0) this.spinUntil = 0;
  }

  get timerCount(): number {
    return this.timers.size;
  }

  get size(): number {
    return this.slots.used;
  }

  get freeSlots(): number {
    return this.slots.available;
  }

  // ---- events ---------------------------------------------------------

  newEvent(
    socket: net.Socket | net.Server | null,
    readFn: ReadCallback | null,
    writeFn: WriteCallback | null,
    errorFn: ErrorCallback | null,
  ): ReactorEvent {
    if (isListening(socket)) {
      throw new ReactorError('listening sockets are made with createServer()', 'ERR_INVALID_ARG');
    }
    if (socket !== null) {
      if (this.adopted.has(socket)) {
        throw new ReactorError('socket already belongs to an event', 'ERR_INVALID_ARG');
      }
    }
    const e = this.take(socket, socket === null ? KIND_BARE : KIND_SOCKET, readFn, writeFn, errorFn);
    if (socket !== null) {
      this.adopted.add(socket);
      attachSocket(this, e, socket);
    }
    return e;
  }

  addEvent(e: ReactorEvent, mask: number): void {
    const s = this.own(e);
    if (s === null) return;
    if (mask & EV_READ) this.setRead(s, true);
    if (mask & EV_WRITE) this.setWrite(s, true);
  }

  enableEvent(e: ReactorEvent, readable: boolean, writable: boolean): void {
    const s = this.own(e);
    if (s === null) return;
    this.setRead(s, readable);
    this.setWrite(s, writable);
  }

  delEvent(e: ReactorEvent, opts?: DelEventOptions): void {
    if (!(e instanceof EventState) || e.reactor !== this || !e.alive) return;
    this.close(e, opts?.abort === true || e.fatal || e.error !== null);
  }

  // ---- loop -----------------------------------------------------------

  eventloopOnce(timeoutMs: number): Promise<number> {
    if (this.running || this.step !== null) {
      return Promise.reject(new ReactorError('the event loop is already running', 'ERR_LOOP_RUNNING'));
    }
    return new Promise<number>((resolve, reject) => {
      const step: Step = { resolve, reject, timer: null, expired: false };
      this.step = step;
      if (timeoutMs >= 0 && Number.isFinite(timeoutMs)) {
        step.timer = setTimeout(() => {
          step.timer = null;
          step.expired = true;
          this.scheduleTurn();
        }, timeoutMs);
      }
      if (this.firedHead < this.firedLen) this.scheduleTurn();
      this.armWake();
    });
  }

  eventloop(): Promise<void> {
    if (this.running || this.step !== null) {
      return Promise.reject(new ReactorError('the event loop is already running', 'ERR_LOOP_RUNNING'));
    }
    return new Promise<void>((resolve, reject) => {
      this.running = true;
      this.stopRequested = false;
      this.loopSettle = { resolve, reject };
      if (this.firedHead < this.firedLen) this.scheduleTurn();
      this.armWake();
    });
  }

  stopEventloop(): void {
    if (this.inTurn) {
      this.stopRequested = true; // the turn ends its batch, then settles
      return;
    }
    this.settleLoop(null);
    this.settleStep(0, null);
  }

  release(): void {
    this.epoch++;
    for (const e of this.slots.owned()) this.close(e, true);
    this.timers.clear();
    this.fired = [];
    this.firedHead = this.firedLen = 0;
    this.pending = [];
    this.pendingLen = 0;
    this.pendingSpare = [];
    this.beforeSleep = null;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeAt = Infinity;
    this.spinUntil = 0;
    this.settleLoop(null);
    this.settleStep(0, null);
  }

  setBeforeSleep(fn: (() => void) | null): void {
    this.beforeSleep = fn;
  }

  // ---- timers -----------------------------------------------------------

  addTimer(ms: number, fn: () => void, opts?: TimerOptions): number {
    const id = this.timers.add(performance.now(), ms, fn, opts?.repeat === true);
    this.armWake();
    return id;
  }

  delTimer(id: number): boolean {
    return this.timers.del(id);
  }

  // ---- servers and outbound connections ----------------------------------

  createServer(port: number, acceptFn: AcceptCallback, opts: ServerOptions = {}): Promise<number> {
    return listen(this, port, acceptFn, opts);
  }

  listenerFor(port: number): ReactorEvent | null {
    const e = this.listeners.get(port);
    return e !== undefined && e.alive ? e : null;
  }

  connect(port: number, host?: string, opts?: ConnectOptions): ReactorEvent {
    return this.adopt(() => openConnection(host === undefined ? { port } : { port, host }, opts?.tls));
  }

  connectPath(path: string): ReactorEvent {
    return this.adopt(() => openConnection({ path }));
  }

  // ---- Core: called by node-io.ts and event-buffer.ts---------------------

  fire(e: EventState, bits: number): void {
    e.firedMask |= bits;
    if (!e.queued) {
      e.queued = true;
      this.fired[this.firedLen++] = e;
    }
    if (this.running || this.step !== null) this.scheduleTurn();
  }

  /**
   * Socket bytes arrived: fired as EV_READ, and while `eventloop()` runs and
   * no turn is under way or already queued, dispatched by a turn on
   * process.nextTick rather than setImmediate. Node calls the read callback
   * at the top of its own stack and drains the tick queue as that callback
   * returns, so the turn runs right there, in the poll phase, as in C the
   * handlers run right after epoll_wait returns: the reply reaches its
   * handler without a second callback from Node (the check phase's
   * setImmediate, its Immediate object and two calls into C++ to ref and
   * unref its handle), which was a sixth of the CPU of a command awaited
   * before the next. Only reads take this path: a read is a new event from
   * the kernel, so turns it starts cannot feed themselves and starve the
   * loop, whereas a level-triggered EV_WRITE re-fires every turn and must
   * wait for the next turn of Node's loop. With busy polling, turns already
   * queued on setImmediate take the reads as before.
   *
   * `direct` (a plain TCP or Unix socket's read callback, which only libuv
   * calls, at the top of the stack with the tick queue empty): the turn runs
   * right here instead, inside the callback. Nothing could have run between
   * the two, so it is the same turn at the same point, less a tick (its
   * tickObject, the getter-laden nextTick and one more pass of Node's tick
   * loop: ~700 instructions per awaited command). TLS reads keep the tick:
   * TLSWrap may emit cleartext while a write into it is under way.
   */
  fireRead(e: EventState, direct: boolean): void {
    e.firedMask |= EV_READ;
    if (!e.queued) {
      e.queued = true;
      this.fired[this.firedLen++] = e;
    }
    if (this.running && !this.inTurn && !this.turnScheduled) {
      if (direct && !this.readTurnScheduled) this.turn();
      else if (!this.readTurnScheduled) {
        this.readTurnScheduled = true;
        nextTick(this.runReadTurn);
      }
    } else if (this.running || this.step !== null) this.scheduleTurn();
  }

  private readTurn(): void {
    this.readTurnScheduled = false;
    // A turn that ran meanwhile (or is queued) dispatches what fired.
    if (this.inTurn || this.turnScheduled || !this.running) return;
    this.turn();
  }

  queueWrite(e: EventState): void {
    if (!e.pendingWrite) {
      e.pendingWrite = true;
      this.pending[this.pendingLen++] = e;
    }
    if (!this.inTurn) this.scheduleFlush();
  }

  /**
   * A write queued outside a turn (a timer, a promise continuation, top-level
   * code) is flushed on process.nextTick: Node runs that only once the whole
   * current microtask drain is over, so every command issued by one loop or
   * one chain of continuations still leaves in one write, and none of them
   * waits a full turn of Node's loop (a poll plus a check phase) as a
   * setImmediate would make it. That turn was most of the cost of a command
   * awaited before the next is sent.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    nextTick(this.runFlush);
  }

  private flushOutsideTurn(): void {
    this.flushScheduled = false;
    // A turn that started meanwhile flushes for us.
    if (this.inTurn) return;
    const wrote = this.flushPending();
    // Leftovers (a socket that pushed back) go on with the turns.
    if (this.pendingLen > 0) this.scheduleTurn();
    if (wrote > 0 && this.busyPollMs > 0 && (this.running || this.step !== null)) this.openSpinWindow();
  }

  /**
   * Something was just written: keep the loop polling (a turn per pass of
   * Node's loop, and a pending setImmediate makes libuv poll with a zero
   * timeout) until the window ends, so the answer is read by a process that
   * never went to sleep. Each write restarts the window.
   */
  private openSpinWindow(): void {
    this.spinUntil = performance.now() + this.busyPollMs;
    this.scheduleTurn();
  }

  fail(e: EventState, err: ReactorError): void {
    if (!e.alive || e.fatal) return;
    e.fatal = true;
    e.error = err;
    e.in.clear();
    e.out.clear();
    destroySocket(e);
    this.fire(e, EV_READ | EV_WRITE);
  }

  /** Called after bytes were added to e.out: limits, then the pending list. */
  queued(e: EventState): void {
    const size = e.out.length + socketQueued(e);
    if (this.hardOut > 0 && size > this.hardOut) {
      this.fail(e, new ReactorError(`output buffer over its hard limit of ${this.hardOut} bytes`, 'ERR_OUTPUT_LIMIT'));
      return;
    }
    if (this.softOut > 0) {
      if (size <= this.softOut) e.softSince = 0;
      else if (e.softSince === 0) e.softSince = performance.now();
      else if (performance.now() - e.softSince >= this.softMs) {
        this.fail(
          e,
          new ReactorError(
            `output buffer over its soft limit of ${this.softOut} bytes for ${this.softMs} ms`,
            'ERR_OUTPUT_LIMIT',
          ),
        );
        return;
      }
    }
    this.queueWrite(e);
  }

  // ---- internals -----------------------------------------------------------

  /** Takes a slot for a new event (server.ts uses it for listeners). */
  take(
    socket: net.Socket | net.Server | null,
    kind: Kind,
    readFn: ReadCallback | null,
    writeFn: WriteCallback | null,
    errorFn: ErrorCallback | null,
  ): EventState {
    const e = new EventState(this, socket, kind, readFn, writeFn, errorFn, this.bufferOpts);
    const fd = this.slots.take(e);
    if (fd < 0) throw new ReactorFullError(this.maxConn);
    e.fd = fd;
    return e;
  }

  private adopt(open: () => net.Socket): ReactorEvent {
    if (this.slots.available === 0) throw new ReactorFullError(this.maxConn);
    const socket = open();
    return this.newEvent(socket, null, null, null);
  }

  /** The internal state behind a public event, or null if it is dead. */
  private own(e: ReactorEvent): EventState | null {
    if (!(e instanceof EventState) || e.reactor !== this) {
      throw new ReactorError('event does not belong to this reactor', 'ERR_INVALID_EVENT');
    }
    return e.alive ? e : null;
  }

  private setRead(e: EventState, on: boolean): void {
    const was = (e.userMask & EV_READ) !== 0;
    if (on === was) return;
    if (on) {
      e.userMask |= EV_READ;
      if (e.kind === KIND_SOCKET) setReading(e, true);
      if (e.unread || e.eofPending || (e.acceptQueue !== null && e.acceptQueue.length > 0)) this.fire(e, EV_READ);
    } else {
      e.userMask &= ~EV_READ;
      if (e.kind === KIND_SOCKET) setReading(e, false);
    }
  }

  private setWrite(e: EventState, on: boolean): void {
    const was = (e.userMask & EV_WRITE) !== 0;
    if (on === was) return;
    if (on) {
      e.userMask |= EV_WRITE;
      // Level-triggered: a writable socket reports EV_WRITE in the next batch.
      if (e.kind !== KIND_SOCKET || canWrite(e)) this.fire(e, EV_WRITE);
    } else {
      e.userMask &= ~EV_WRITE;
    }
  }

  /** Frees e's slot and closes its handle; abort drops queued output. */
  close(e: EventState, abort: boolean): void {
    e.alive = false;
    e.userMask = 0;
    e.firedMask = 0;
    this.slots.give(e.fd, e);
    if (e.kind === KIND_SOCKET) closeSocket(e, abort);
    else if (e.kind === KIND_LISTENER) {
      if (this.listeners.get(e.port) === e) this.listeners.delete(e.port);
      closeListener(e);
    }
    e.in.clear();
    e.out.clear();
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(this.runTurn);
  }

  /** The setImmediate turn; see turn(). */
  private immediateTurn(): void {
    this.turnScheduled = false;
    this.turn();
  }

  /** One turn: batch, timers, flush, before-sleep; see the file comment. */
  private turn(): void {
    const dispatching = this.running || this.step !== null;
    const epoch = this.epoch;
    let count = 0;
    let wrote = 0;
    this.inTurn = true;
    try {
      if (dispatching) {
        count = this.dispatchBatch(epoch);
        if (epoch === this.epoch && this.timers.size > 0) {
          count += this.timers.runDue(performance.now(), () => epoch !== this.epoch);
        }
      }
      wrote = this.flushPending();
      if (dispatching && this.beforeSleep !== null && epoch === this.epoch) {
        this.beforeSleep();
        wrote += this.flushPending();
      }
    } catch (err) {
      this.inTurn = false;
      // A callback threw: end the loop with its error where it is awaited.
      // Queued output still goes out.
      this.settleLoop(err);
      this.settleStep(0, err);
      if (this.pendingLen > 0) this.scheduleTurn();
      this.armWake();
      return;
    }
    this.inTurn = false;
    const step = this.step;
    if (step !== null && (count > 0 || step.expired || this.stopRequested)) this.settleStep(count, null);
    if (this.stopRequested) {
      this.settleLoop(null);
      this.settleStep(0, null);
    }
    if (this.pendingLen > 0) this.scheduleTurn();
    if ((this.running || this.step !== null) && this.firedHead < this.firedLen) this.scheduleTurn();
    if (this.busyPollMs > 0 && (this.running || this.step !== null)) {
      if (wrote > 0) this.openSpinWindow();
      else if (this.spinUntil !== 0) {
        if (performance.now() < this.spinUntil) this.scheduleTurn();
        else this.spinUntil = 0;
      }
    }
    this.armWake();
  }

  private dispatchBatch(epoch: number): number {
    let n = Math.min(this.maxEventNum, this.firedLen - this.firedHead);
    let count = 0;
    while (n-- > 0) {
      const e = this.fired[this.firedHead]!;
      this.fired[this.firedHead++] = undefined;
      e.queued = false;
      const mask = e.firedMask;
      e.firedMask = 0;
      if (!e.alive || mask === 0) continue;
      count++;
      this.dispatch(e, mask);
      if (epoch !== this.epoch) return count;
    }
    if (this.firedHead === this.firedLen) {
      this.firedHead = this.firedLen = 0;
    } else if (this.firedHead > 4096) {
      // Move what waits to the front; the slots past it are cleared already.
      const left = this.firedLen - this.firedHead;
      for (let i = 0; i < left; i++) {
        this.fired[i] = this.fired[this.firedHead + i];
        this.fired[this.firedHead + i] = undefined;
      }
      this.firedHead = 0;
      this.firedLen = left;
    }
    return count;
  }

  /** Runs one fired event's handlers: read, then write, then error/EOF. */
  private dispatch(e: EventState, mask: number): void {
    if (e.kind === KIND_LISTENER) {
      if (e.error !== null) {
        if (!e.errorReported) this.report(e);
      } else acceptAll(this, e);
      return;
    }
    if (mask & EV_READ && e.unread && e.userMask & EV_READ && e.error === null) {
      e.unread = false;
      if (e.readFn !== null) e.readFn(e, EV_READ);
      if (!e.alive) return;
    }
    if (mask & EV_WRITE && e.error === null) {
      this.handleWrite(e);
      if (!e.alive) return;
    }
    if (e.error !== null) {
      if (!e.errorReported) this.report(e);
    } else if (e.eofPending && !e.unread && e.userMask & EV_READ) {
      e.eofPending = false;
      e.eofDone = true;
      if (e.errorFn !== null) e.errorFn(e, eofError());
      else this.delEvent(e);
    }
  }

  private handleWrite(e: EventState): void {
    const wants = (e.userMask & EV_WRITE) !== 0;
    if (wants && e.writeFn === null) {
      // Default handler: send e.out (after this batch) and turn write
      // interest off once it is all gone. The article re-queued the bytes
      // here instead and left EPOLLOUT on forever.
      if (e.out.length > 0) this.queueWrite(e);
      else if (!e.blocked && !e.sysWrite) e.userMask &= ~EV_WRITE;
    } else if (wants && e.writeFn !== null && !e.blocked) {
      e.writeFn(e, EV_WRITE);
      if (!e.alive) return;
    }
    // Level-triggered EPOLLOUT: stays fired while on and the socket takes bytes.
    if (e.userMask & EV_WRITE && (e.kind !== KIND_SOCKET || canWrite(e))) this.fire(e, EV_WRITE);
  }

  private report(e: EventState): void {
    const err = e.error!;
    e.errorReported = true;
    if (e.errorFn !== null) e.errorFn(e, err);
    // Limit breaches always close; other errors are the handler's call,
    // unless there is no handler to make it.
    if (e.alive && (e.fatal || e.errorFn === null)) this.close(e, true);
  }

  /** Flushes the pending-write list; returns how many sockets were written to. */
  private flushPending(): number {
    const list = this.pending;
    const n = this.pendingLen;
    if (n === 0) return 0;
    let wrote = 0;
    // Swap in the spare list: events re-queued during the flush go there.
    this.pending = this.pendingSpare;
    this.pendingLen = 0;
    this.pendingSpare = list;
    for (let i = 0; i < n; i++) {
      const e = list[i]!;
      list[i] = undefined;
      e.pendingWrite = false;
      if (!e.alive || e.out.length === 0 || !e.connected || e.blocked || e.socket === null) continue;
      // The first flush sends everything in one write (one syscall per batch);
      // once the socket has pushed back, each turn sends at most 64 KiB
      // (fairness, as Redis's NET_MAX_WRITES_PER_EVENT). Leftovers re-queue
      // themselves for the next turn.
      writeSome(this, e, e.sysWrite ? MAX_WRITE_PER_EVENT : Infinity);
      wrote++;
    }
    return wrote;
  }

  private settleLoop(err: unknown): void {
    const settle = this.loopSettle;
    this.running = false;
    this.stopRequested = false;
    this.loopSettle = null;
    if (settle === null) return;
    if (err === null) settle.resolve();
    else settle.reject(err);
  }

  private settleStep(count: number, err: unknown): void {
    const step = this.step;
    if (step === null) return;
    this.step = null;
    if (step.timer !== null) clearTimeout(step.timer);
    if (err === null) step.resolve(count);
    else step.reject(err);
  }

  /** Keeps one Node timer armed for the nearest reactor timer while dispatching. */
  private armWake(): void {
    if (this.wakeTimer === null && this.timers.size === 0) return; // the common case
    const dispatching = this.running || this.step !== null;
    const when = dispatching ? this.timers.nearest() : -1;
    if (when < 0) {
      if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
      this.wakeTimer = null;
      this.wakeAt = Infinity;
      return;
    }
    if (this.wakeTimer !== null && this.wakeAt <= when) return;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeAt = when;
    this.wakeTimer = setTimeout(this.onWake, Math.max(0, Math.ceil(when - performance.now())));
  }
}

/** The article's create_reactor: preallocates the slot table. */
export function createReactor(opts?: ReactorOptions): Reactor {
  return new ReactorImpl(opts);
}
