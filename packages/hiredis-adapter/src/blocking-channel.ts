/**
 * The calling thread's half of a blocking context's transport: it starts the
 * worker (blocking-worker.ts), hands it requests, and sleeps in
 * `Atomics.wait` until reply bytes, a state change or a deadline arrive.
 *
 * Requests go out with `postMessage` on a private MessageChannel: the worker's
 * own event loop picks them up while this thread sleeps, and a request of any
 * size needs no slicing. Replies come back through the shared ring, in
 * chunks of at most its capacity, so a reply larger than the ring (a 10 MiB
 * GET through a 256 KiB ring) simply takes several wake-ups.
 *
 * A blocked thread cannot receive the Worker's 'exit' or 'error' events, so a
 * worker that dies would leave it asleep forever. Two guards: the worker
 * reports its own uncaught exceptions as a FAILED state, and it bumps a
 * heartbeat the caller checks whenever a wait slice passes in silence; no
 * heartbeat for DEAD_AFTER_MS means the thread is gone.
 */
import { performance } from 'node:perf_hooks';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import {
  CTL_SLOTS,
  SLOT,
  STATE,
  workerSource,
  type WorkerFailure,
  type WorkerInit,
  type WorkerRequest,
  type WorkerTarget,
  type WorkerTlsInit,
} from './blocking-worker.js';

/** Default ring capacity: big enough for most replies in one wake-up, small beside a worker's heap. */
export const DEFAULT_RING_SIZE = 256 * 1024;
const MIN_RING_SIZE = 4096;
const MAX_RING_SIZE = 64 * 1024 * 1024;

const HEARTBEAT_MS = 100;
/** Longest single Atomics.wait; between slices the heartbeat is checked. */
const SLICE_MS = 250;
/** Silence after which a running worker is declared dead. */
const DEAD_AFTER_MS = 5000;
/** How long a new worker may take to start its event loop. */
const BOOT_LIMIT_MS = 15000;

/** Why a wait ended without what it waited for. */
export type ChannelFailure =
  | { kind: 'eof' }
  | { kind: 'io'; code: string; message: string }
  | { kind: 'timeout' }
  | { kind: 'dead'; message: string };

/** Worker threads alive in this process (tests check that redisFree ends them). */
let liveWorkers = 0;
export function liveWorkerCount(): number {
  return liveWorkers;
}

let cachedSource: string | undefined;

export class WorkerChannel {
  private readonly ctl: Int32Array;
  private readonly ring: Uint8Array;
  private readonly mask: number;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** Bytes consumed so far (the caller's copy of ctl[RPOS]). */
  private rpos = 0;
  private closed = false;

  /**
   * `startPos` is where both byte counters begin; only tests move it, to
   * cross the int32 wrap without sending 4 GiB.
   */
  constructor(target: WorkerTarget, ringSize: number = DEFAULT_RING_SIZE, startPos = 0) {
    const capacity = ringCapacity(ringSize);
    const ctlBuf = new SharedArrayBuffer(CTL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const ringBuf = new SharedArrayBuffer(capacity);
    this.ctl = new Int32Array(ctlBuf);
    this.rpos = startPos | 0;
    this.ctl[SLOT.WPOS] = this.rpos;
    this.ctl[SLOT.RPOS] = this.rpos;
    this.ring = new Uint8Array(ringBuf);
    this.mask = capacity - 1;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const init: WorkerInit = {
      ctl: ctlBuf,
      ring: ringBuf,
      port: port2,
      target,
      slot: SLOT,
      state: STATE,
      heartbeatMs: HEARTBEAT_MS,
    };
    cachedSource ??= workerSource();
    // No inherited execArgv: loaders (tsx) and flags such as --input-type
    // would apply to the eval'd script, which needs only Node's built-ins.
    this.worker = new Worker(cachedSource, { eval: true, execArgv: [], workerData: init, transferList: [port2] });
    // The worker must never keep the process alive: a script that forgets
    // redisFree still exits when its main code is done.
    this.worker.unref();
    liveWorkers++;
    this.worker.once('exit', () => {
      liveWorkers--;
    });
    // Its 'error' event can only fire once this thread is idle again; the
    // failure itself was already reported through shared memory.
    this.worker.on('error', () => {});
  }

  /**
   * Blocks until the socket is connected. `timeoutMs` counts from the moment
   * the worker starts connecting, so a thread's start-up time is not charged
   * to the network.
   */
  waitConnected(timeoutMs: number | null): ChannelFailure | null {
    const booted = this.waitFor(() => this.state() !== STATE.BOOTING, performance.now() + BOOT_LIMIT_MS);
    if (booted === 'timeout') return { kind: 'dead', message: 'blocking worker thread did not start' };
    if (booted !== 'ready') return booted;
    const deadline = timeoutMs === null ? Infinity : performance.now() + timeoutMs;
    const res = this.waitFor(() => this.state() !== STATE.CONNECTING, deadline);
    if (res !== 'ready') return res === 'timeout' ? { kind: 'timeout' } : res;
    return this.state() === STATE.CONNECTED ? null : this.finalFailure();
  }

  /**
   * Starts TLS on the connected socket and blocks until the handshake is
   * done (null) or failed, within `timeoutMs`. The state goes back from
   * CONNECTED to CONNECTING only if it still is CONNECTED: a close that the
   * worker already published is never overwritten.
   */
  startTls(init: WorkerTlsInit, timeoutMs: number | null): ChannelFailure | null {
    if (this.closed) return { kind: 'eof' };
    if (Atomics.compareExchange(this.ctl, SLOT.STATE, STATE.CONNECTED, STATE.CONNECTING) !== STATE.CONNECTED) {
      return this.state() >= STATE.CLOSED ? this.finalFailure() : { kind: 'io', code: 'ERR', message: 'not connected' };
    }
    const req: WorkerRequest = { op: 'tls', tls: init };
    this.port.postMessage(req);
    const deadline = timeoutMs === null ? Infinity : performance.now() + timeoutMs;
    const res = this.waitFor(() => this.state() !== STATE.CONNECTING, deadline);
    if (res !== 'ready') return res === 'timeout' ? { kind: 'timeout' } : res;
    return this.state() === STATE.CONNECTED ? null : this.finalFailure();
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    // A clone of a view copies its whole ArrayBuffer (for a small Buffer,
    // Node's 8 KiB pool); one exact copy, moved to the worker, is cheaper and
    // never detaches memory the caller still owns.
    const own = new Uint8Array(bytes);
    const req: WorkerRequest = { op: 'write', bytes: own };
    this.port.postMessage(req, [own.buffer]);
  }

  /**
   * Blocks until at least one reply byte is available and returns all that
   * are (a copy), or a failure: end of stream, socket error, the read timeout
   * (which, as SO_RCVTIMEO does, restarts with every read), a dead worker.
   */
  read(timeoutMs: number | null): Buffer | ChannelFailure {
    if (this.available() === 0) {
      const deadline = timeoutMs === null ? Infinity : performance.now() + timeoutMs;
      const res = this.waitFor(() => this.available() > 0 || this.state() >= STATE.CLOSED, deadline);
      if (res === 'timeout') return { kind: 'timeout' };
      if (res !== 'ready') return res;
      // Bytes published before a final state are always delivered first.
      if (this.available() === 0) return this.finalFailure();
    }
    return this.take();
  }

  /** Ends the socket and the worker. Idempotent; never blocks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const req: WorkerRequest = { op: 'end' };
    this.port.postMessage(req);
    this.port.close();
    void this.worker.terminate();
  }

  private state(): number {
    return Atomics.load(this.ctl, SLOT.STATE);
  }

  private available(): number {
    return (Atomics.load(this.ctl, SLOT.WPOS) - this.rpos) | 0;
  }

  private take(): Buffer {
    const n = this.available();
    const at = this.rpos & this.mask;
    const first = Math.min(n, this.ring.length - at);
    const out = Buffer.allocUnsafe(n);
    out.set(this.ring.subarray(at, at + first), 0);
    if (n > first) out.set(this.ring.subarray(0, n - first), first);
    this.rpos = (this.rpos + n) | 0;
    Atomics.store(this.ctl, SLOT.RPOS, this.rpos);
    // Wakes the worker if it was waiting for space (a no-op otherwise).
    Atomics.notify(this.ctl, SLOT.RPOS);
    return out;
  }

  private finalFailure(): ChannelFailure {
    if (this.state() === STATE.CLOSED) return { kind: 'eof' };
    const msg = receiveMessageOnPort(this.port);
    const failure = msg?.message as WorkerFailure | undefined;
    if (failure === undefined) return { kind: 'io', code: 'ERR', message: 'Connection failed' };
    return failure.code === 'ERR_WORKER'
      ? { kind: 'dead', message: failure.message }
      : { kind: 'io', code: failure.code, message: failure.message };
  }

  /**
   * The one place this thread sleeps. Re-checks `ready` after every wake-up
   * (SIGNAL is sampled before the check, so a notify between the check and
   * the wait cannot be missed: the wait returns 'not-equal' at once).
   */
  private waitFor(ready: () => boolean, deadline: number): 'ready' | 'timeout' | ChannelFailure {
    let beat = Atomics.load(this.ctl, SLOT.HEARTBEAT);
    let beatSeenAt = performance.now();
    for (;;) {
      const seq = Atomics.load(this.ctl, SLOT.SIGNAL);
      if (ready()) return 'ready';
      const now = performance.now();
      if (now >= deadline) return 'timeout';
      const res = Atomics.wait(this.ctl, SLOT.SIGNAL, seq, Math.min(deadline - now, SLICE_MS));
      if (res !== 'timed-out') continue;
      const b = Atomics.load(this.ctl, SLOT.HEARTBEAT);
      const after = performance.now();
      if (b !== beat) {
        beat = b;
        beatSeenAt = after;
      } else if (this.state() !== STATE.BOOTING && after - beatSeenAt > DEAD_AFTER_MS) {
        return { kind: 'dead', message: 'blocking worker thread stopped responding' };
      }
    }
  }
}

/** The ring's capacity: a power of two (so counters wrap cleanly), clamped. */
function ringCapacity(requested: number): number {
  if (!Number.isFinite(requested) || requested <= 0) {
    throw new RangeError(`ringSize must be a positive number of bytes, got ${requested}`);
  }
  const clamped = Math.min(Math.max(requested, MIN_RING_SIZE), MAX_RING_SIZE);
  return 2 ** Math.ceil(Math.log2(clamped));
}
