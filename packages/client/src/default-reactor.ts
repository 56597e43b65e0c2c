/**
 * The reactor a client runs on when none is given, so that
 * `await createClient({ url }).connect()` works in a script that never heard
 * of reactors.
 *
 * It is created on first use and counted: every client that connects takes a
 * reference and gives it back once it is closed for good (quit, disconnect,
 * or reconnecting gave up). When the count drops to zero the loop is stopped
 * and the reactor released, so an idle default reactor never keeps the
 * process alive: a script ends when its last client is closed, exactly as it
 * would with plain sockets. The next client creates a fresh one.
 */
import { createReactor, type Reactor } from '@reactor-ts/reactor';

interface Shared {
  reactor: Reactor;
  users: number;
}

let shared: Shared | null = null;

/**
 * The default reactor, its loop running; pair every call with
 * `releaseDefaultReactor`. `busyPollMicros` widens its busy-poll window
 * (the largest asked for by its current users applies).
 */
export function acquireDefaultReactor(busyPollMicros = 0): Reactor {
  if (shared === null) {
    const reactor = createReactor();
    shared = { reactor, users: 0 };
    // The loop's promise settles when it is stopped; a failure inside it has
    // already been reported to the connections' error callbacks.
    reactor.eventloop().catch(() => undefined);
  }
  shared.users++;
  if (busyPollMicros > shared.reactor.busyPollMicros) shared.reactor.setBusyPoll(busyPollMicros);
  return shared.reactor;
}

/** Gives back one reference; the last one stops and releases the reactor. */
export function releaseDefaultReactor(reactor: Reactor): void {
  const s = shared;
  if (s === null || s.reactor !== reactor || s.users === 0) return;
  s.users--;
  if (s.users > 0) return;
  // Deferred: the last client usually lets go from inside one of the
  // reactor's own callbacks, and releasing in the middle of its batch would
  // pull the table out from under the dispatch loop.
  setImmediate(() => {
    if (s.users > 0) return;
    if (shared === s) shared = null;
    s.reactor.stopEventloop();
    s.reactor.release();
  });
}
