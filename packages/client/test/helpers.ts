// Shared by the promise client's specs: one redis-server and one running
// reactor per spec file, with clients made on them and all disconnected
// after the file; and a bounded wait for a condition.
import { afterAll, beforeAll, expect } from 'vitest';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { startRedis, type RedisServer, type RedisServerOptions } from '@reactor-ts/test-utils';
import { AbortError, createClient, type ClientOptions, type RedisClient } from '../src/index.js';

/** What `clientSuite` gives a spec file; `srv` and `reactor` exist once beforeAll has run. */
export interface ClientSuite {
  readonly srv: RedisServer;
  readonly reactor: Reactor;
  /** A client on the suite's server and reactor (options override), disconnected after the file. */
  client(opts?: ClientOptions): RedisClient;
}

/**
 * Registers the file's beforeAll (start redis-server with `serverOpts`, start
 * a reactor's loop) and afterAll (disconnect every client made, stop and
 * release the reactor, stop the server).
 */
export function clientSuite(serverOpts?: RedisServerOptions): ClientSuite {
  let srv: RedisServer | undefined;
  let reactor: Reactor | undefined;
  const clients: RedisClient[] = [];
  beforeAll(async () => {
    srv = await startRedis(serverOpts);
    reactor = createReactor();
    void reactor.eventloop();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    reactor?.stopEventloop();
    reactor?.release();
    await srv?.stop();
  });
  const suite: ClientSuite = {
    get srv() {
      if (srv === undefined) throw new Error('clientSuite: the server starts in beforeAll');
      return srv;
    },
    get reactor() {
      if (reactor === undefined) throw new Error('clientSuite: the reactor starts in beforeAll');
      return reactor;
    },
    client(opts = {}) {
      const c = createClient({ url: suite.srv.url, reactor: suite.reactor, ...opts });
      clients.push(c);
      return c;
    },
  };
  return suite;
}

/** Polls `cond` every 5 ms until it holds; throws, naming `what`, after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The rejection of `p` as an AbortError (fails the test if it resolves or rejects otherwise). */
export async function abortRejection(p: Promise<unknown>): Promise<AbortError> {
  const r = await p.then(
    (v) => ({ ok: v }),
    (e: unknown) => ({ err: e }),
  );
  if (!('err' in r)) throw new Error(`expected a rejection, got ${JSON.stringify(r.ok)}`);
  expect(r.err).toBeInstanceOf(AbortError);
  return r.err as AbortError;
}
