/**
 * The worker thread behind a blocking context. It owns the socket — Node has
 * no blocking sockets in JavaScript, but a second thread with its own event
 * loop can do the non-blocking I/O while the calling thread sleeps in
 * `Atomics.wait` — and it is a pure byte pipe: it knows nothing of RESP.
 *
 * The body is a self-contained function that is stringified and started with
 * `new Worker(source, { eval: true })`. That runs the same way from the
 * TypeScript sources (vitest, tsx) and from the compiled `dist/`, with no
 * loader and no second file to locate on disk. The price is a rule: the
 * function must not reference anything outside itself (no imports, no
 * module-level constants); everything it needs arrives in `workerData`.
 *
 * Shared memory (see blocking-channel.ts for the caller's half):
 *
 *   ctl  Int32Array   [WPOS][RPOS][STATE][SIGNAL][HEARTBEAT] ...
 *   ring Uint8Array   capacity = power of two
 *
 *        RPOS (caller consumed)        WPOS (worker produced)
 *          v                              v
 *   ... ---[ unread reply bytes .......... ]--- free --- ...   (indices mod capacity)
 *
 * WPOS and RPOS are byte counters that wrap at 2^32 (int32 arithmetic); the
 * unread length is `(WPOS - RPOS) | 0`, never more than the capacity. Only
 * the worker moves WPOS, only the caller moves RPOS: a single-producer,
 * single-consumer ring, so no locks. Every change the caller may be waiting
 * for (new bytes, a state change) bumps SIGNAL and notifies it; the caller
 * sleeps on SIGNAL. When the ring is full the worker keeps the rest of the
 * socket's data in a short queue, pauses the socket past a high-water mark
 * (so the kernel applies backpressure) and waits asynchronously on RPOS.
 *
 * A final state (CLOSED, FAILED) is published only after every byte received
 * before it is in the ring, so the caller never loses the tail of a reply.
 * The error's text travels as a message on the side MessagePort, posted
 * before the state is stored, so the caller can take it synchronously with
 * `receiveMessageOnPort` once it sees FAILED.
 */
import type { MessagePort } from 'node:worker_threads';

/** Indices into the control array. */
export const SLOT = { WPOS: 0, RPOS: 1, STATE: 2, SIGNAL: 3, HEARTBEAT: 4 } as const;
/** Length of the control array, in int32 slots. */
export const CTL_SLOTS = 8;

/** Connection states, as stored in `ctl[SLOT.STATE]`. */
export const STATE = { BOOTING: 0, CONNECTING: 1, CONNECTED: 2, CLOSED: 3, FAILED: 4 } as const;

/** Where the worker connects. */
export type WorkerTarget = { host: string; port: number } | { path: string };

/** What a failed socket reports on the side port. */
export interface WorkerFailure {
  code: string;
  message: string;
}

/** What the worker needs to start TLS on its connection (structured-cloneable: no SecureContext). */
export interface WorkerTlsInit {
  host: string;
  servername?: string;
  ca?: Uint8Array[];
  cert?: Uint8Array;
  key?: Uint8Array;
  rejectUnauthorized: boolean;
}

/** Caller → worker messages on the side port. */
export type WorkerRequest = { op: 'write'; bytes: Uint8Array } | { op: 'end' } | { op: 'tls'; tls: WorkerTlsInit };

/** Everything the worker gets, as `workerData`. */
export interface WorkerInit {
  ctl: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  port: MessagePort;
  target: WorkerTarget;
  slot: typeof SLOT;
  state: typeof STATE;
  heartbeatMs: number;
}

interface AtomicsWaitAsync {
  waitAsync(
    ta: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}

function blockingWorkerMain(): void {
  // `require` exists because eval'd workers run as CommonJS scripts.
  const wt = require('node:worker_threads') as typeof import('node:worker_threads');
  const net = require('node:net') as typeof import('node:net');
  const tlsModule = require('node:tls') as typeof import('node:tls');
  const init = wt.workerData as WorkerInit;
  const { slot, state } = init;
  const ctl = new Int32Array(init.ctl);
  const ring = new Uint8Array(init.ring);
  const mask = ring.length - 1;
  // In Node ≥ 16, but typed only from lib ES2024 (we compile against ES2022).
  const atomics = Atomics as unknown as AtomicsWaitAsync;
  // Pause the socket once this much is queued outside the ring.
  const highWater = Math.max(ring.length, 65536);

  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let paused = false;
  let waitingForSpace = false;
  let final: { state: number; failure: WorkerFailure | null } | null = null;
  let published = false;

  function signal(): void {
    Atomics.add(ctl, slot.SIGNAL, 1);
    Atomics.notify(ctl, slot.SIGNAL);
  }

  function setState(s: number): void {
    Atomics.store(ctl, slot.STATE, s);
    signal();
  }

  // Moves queued bytes into the ring; publishes the final state once the
  // queue is empty; otherwise waits for the caller to free space.
  function pump(): void {
    let w = Atomics.load(ctl, slot.WPOS);
    const r = Atomics.load(ctl, slot.RPOS);
    let free = ring.length - ((w - r) | 0);
    let moved = 0;
    while (pending.length > 0 && free > 0) {
      const chunk = pending[0] as Uint8Array;
      const n = Math.min(chunk.length, free);
      const at = w & mask;
      const first = Math.min(n, ring.length - at);
      ring.set(chunk.subarray(0, first), at);
      if (n > first) ring.set(chunk.subarray(first, n), 0);
      w = (w + n) | 0;
      free -= n;
      moved += n;
      pendingBytes -= n;
      if (n === chunk.length) pending.shift();
      else pending[0] = chunk.subarray(n);
    }
    if (moved > 0) {
      Atomics.store(ctl, slot.WPOS, w);
      signal();
    }
    if (pending.length === 0) {
      if (paused && final === null) {
        paused = false;
        socket.resume();
      }
      if (final !== null && !published) {
        published = true;
        if (final.failure !== null) init.port.postMessage(final.failure);
        setState(final.state);
      }
      return;
    }
    if (pendingBytes > highWater && !paused) {
      paused = true;
      socket.pause();
    }
    waitForSpace(r);
  }

  function waitForSpace(seenRpos: number): void {
    if (waitingForSpace) return;
    waitingForSpace = true;
    const res = atomics.waitAsync(ctl, slot.RPOS, seenRpos);
    const again = (): void => {
      waitingForSpace = false;
      pump();
    };
    if (res.async) void res.value.then(again);
    else setImmediate(again);
  }

  function finish(s: number, failure: WorkerFailure | null): void {
    if (final !== null) return;
    final = { state: s, failure };
    pump();
  }

  const target = init.target;
  let socket: import('node:net').Socket =
    'path' in target ? net.connect({ path: target.path }) : net.connect({ host: target.host, port: target.port });
  socket.on('connect', () => {
    socket.setNoDelay(true);
    setState(state.CONNECTED);
  });
  const onData = (chunk: Buffer): void => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    pump();
  };
  const onEnd = (): void => finish(state.CLOSED, null);
  const onError = (err: NodeJS.ErrnoException): void => {
    finish(state.FAILED, { code: err.code ?? 'ERR', message: err.message });
  };
  const wire = (s: import('node:net').Socket): void => {
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('error', onError);
    s.on('close', onEnd);
  };
  wire(socket);

  // redisInitiateSSLWithContext: the connected TCP socket becomes the TLS
  // socket's transport; the caller set STATE to CONNECTING and waits for
  // CONNECTED (handshake done, certificate verified) or FAILED.
  function startTls(o: WorkerTlsInit): void {
    const raw = socket;
    raw.off('data', onData);
    raw.off('end', onEnd);
    raw.off('error', onError);
    raw.off('close', onEnd);
    const secure = tlsModule.connect({
      socket: raw,
      host: o.host,
      servername: o.servername,
      ca: o.ca?.map((b) => Buffer.from(b)),
      cert: o.cert === undefined ? undefined : Buffer.from(o.cert),
      key: o.key === undefined ? undefined : Buffer.from(o.key),
      rejectUnauthorized: o.rejectUnauthorized,
    });
    socket = secure;
    wire(secure);
    secure.once('secureConnect', () => {
      if (final === null) setState(state.CONNECTED);
    });
  }

  init.port.on('message', (req: WorkerRequest) => {
    if (req.op === 'write') {
      if (!socket.destroyed) socket.write(req.bytes);
    } else if (req.op === 'tls') {
      startTls(req.tls);
    } else {
      socket.destroy();
      init.port.close();
    }
  });

  // A heartbeat lets the blocked caller tell a silent peer from a dead thread.
  setInterval(() => Atomics.add(ctl, slot.HEARTBEAT, 1), init.heartbeatMs).unref();
  process.on('uncaughtException', (err: Error) => {
    finish(state.FAILED, { code: 'ERR_WORKER', message: `blocking worker failed: ${err.message}` });
  });
  setState(state.CONNECTING);
}

/**
 * The worker's source text. The `__name` shim is there because esbuild (under
 * tsx and vitest) may wrap named functions in a `__name(fn, "name")` call that
 * refers to a helper of the enclosing module, absent in the worker.
 */
export function workerSource(): string {
  return `"use strict";\nvar __name = function (target) { return target; };\n(${blockingWorkerMain.toString()})();\n`;
}
