/**
 * redisAttach: the adapter between a RedisAsyncContext and the reactor,
 * hiredis's `adapters/ae.h` and the article's `redis_event_t`.
 *
 * The adapter opens the connection (`reactor.connect` / `connectPath`),
 * wires the event's callbacks to `redisAsyncHandleRead/Write` and gives the
 * context its hooks object (`ac.ev`) and its transport: the event's `in`
 * buffer, and its `out` (eventBufferOut + eventBufferQueued). The context
 * itself never sees the reactor: it asks for readiness through the hooks,
 * reads replies from `in` and encodes commands into `out` in place, so every
 * command issued during one batch leaves in the same socket write. The
 * adapter itself knows no RESP.
 *
 * Two defects of the article's adapter are fixed here:
 * - its modify branch called `enable_event(r, e, enable, 0)`, replacing the
 *   whole interest mask: turning write off also turned read off, and replies
 *   stalled. The adapter keeps the mask and always passes both bits;
 * - it had no `scheduleTimer`, so hiredis's connect and command timeouts
 *   never fired. Here the hook arms a reactor timer.
 * A mask that drops to zero turns interest off rather than deleting the
 * event (which, in this reactor, closes the socket).
 */
import {
  EV_READ,
  EV_WRITE,
  eventBufferOut,
  eventBufferQueued,
  type Reactor,
  type ReactorEvent,
} from '@reactor-ts/reactor';
import { REDIS_ERR, REDIS_ERR_OTHER, REDIS_OK } from './constants.js';
import { engineOf, type AsyncContext } from './engine.js';
import { tlsForAttach } from './ssl.js';
import type { RedisAsyncContext, RedisEventHooks } from './types.js';

/**
 * What `ac.ev.data` holds once attached (the article's `redis_event_t`):
 * the reactor event, the interest the context asked for, and its timer.
 */
export interface RedisReactorAttachment {
  readonly reactor: Reactor;
  /** The connection's reactor event (its `in`/`out` buffers, its socket). */
  readonly e: ReactorEvent;
  /** EV_READ | EV_WRITE as the context last asked through the hooks. */
  readonly mask: number;
  /** The reactor timer armed by `scheduleTimer`, or null. */
  readonly timer: number | null;
}

class Attachment<R> implements RedisReactorAttachment {
  mask = 0;
  timer: number | null = null;

  constructor(
    readonly reactor: Reactor,
    readonly e: ReactorEvent,
    private readonly engine: AsyncContext<R>,
  ) {}

  /** Turns `flag` on or off in the mask; a no-op when nothing changes. */
  update(flag: number, on: boolean): void {
    const prev = this.mask;
    const next = on ? prev | flag : prev & ~flag;
    if (next === prev || !this.alive()) return;
    this.mask = next;
    if (prev === 0) this.reactor.addEvent(this.e, next);
    // Both bits, always: the article passed only the one being changed.
    else this.reactor.enableEvent(this.e, (next & EV_READ) !== 0, (next & EV_WRITE) !== 0);
  }

  scheduleTimer(ms: number): void {
    if (this.timer !== null) this.reactor.delTimer(this.timer);
    this.timer = null;
    if (!(ms >= 0) || !this.alive()) return;
    this.timer = this.reactor.addTimer(ms, () => {
      this.timer = null;
      this.engine.handleTimeout();
    });
  }

  cleanup(): void {
    if (this.timer !== null) this.reactor.delTimer(this.timer);
    this.timer = null;
    this.mask = 0;
    if (this.alive()) this.reactor.delEvent(this.e);
  }

  private alive(): boolean {
    return this.e.alive;
  }
}

/**
 * Attaches `ac` to `reactor` and starts connecting: the socket is opened
 * here, by `reactor.connect(port, host)` (or `connectPath`), not by
 * `redisAsyncConnect`. The connect completes while the reactor's loop runs
 * (`eventloop()` or `eventloopOnce()`).
 *
 * Returns REDIS_OK, or REDIS_ERR when `ac` is already attached or already
 * failed, or the reactor has no free slot (then `ac.err` is set).
 */
export function redisAttach<R>(reactor: Reactor, ac: RedisAsyncContext<R>): number {
  const engine = engineOf(ac);
  if (engine.attached || engine.closed || ac.ev.data !== null) return REDIS_ERR;
  let e: ReactorEvent;
  try {
    // TLS set by redisInitiateSSLWithContext(ac.c, ssl) or the ssl option (ssl.ts).
    const tls = tlsForAttach(ac.c);
    e =
      ac.c.connectionType === 'unix'
        ? reactor.connectPath(ac.c.path)
        : reactor.connect(ac.c.port, ac.c.host, tls === undefined ? undefined : { tls });
  } catch (err) {
    engine.failEarly(REDIS_ERR_OTHER, `cannot attach: ${err instanceof Error ? err.message : String(err)}`);
    return REDIS_ERR;
  }
  const att = new Attachment(reactor, e, engine);
  e.privdata = att;
  e.readFn = () => engine.handleRead();
  e.writeFn = () => engine.handleWrite();
  e.errorFn = (_e, err) => engine.handleError(err.code, err.message);
  const hooks: RedisEventHooks = {
    addRead: () => att.update(EV_READ, true),
    delRead: () => att.update(EV_READ, false),
    addWrite: () => att.update(EV_WRITE, true),
    delWrite: () => att.update(EV_WRITE, false),
    cleanup: () => att.cleanup(),
    scheduleTimer: (ms: number) => att.scheduleTimer(ms),
    data: att,
  };
  engine.attach({ in: e.in, out: () => eventBufferOut(e), queued: () => eventBufferQueued(e) }, hooks, e.fd);
  return REDIS_OK;
}
