/**
 * What every step gets (the one reactor, the Redis target, the options),
 * and how a step ends: normally, skipped with a one-line reason (the target
 * cannot run it), or failed. A failure never stops the tour; it only makes
 * the exit code non-zero.
 */
import type { Reactor } from '@reactor-ts/reactor';
import { ReplyError } from '@reactor-ts/resp';
import {
  REDIS_OK,
  redisAsyncConnectWithOptions,
  redisAsyncFree,
  redisAsyncSetConnectCallback,
  redisAsyncSetDisconnectCallback,
  redisAttach,
  type RedisAsyncContext,
} from '@reactor-ts/hiredis-adapter';
import type { Target } from './target.js';

export interface TourContext {
  /** The tour's only reactor: clients, the embedded mini-redis and the step-8 server all run on it. */
  readonly reactor: Reactor;
  readonly target: Target;
  /** N for the counters (`--count`, default 1000). */
  readonly count: number;
  /** Timings the ratio line compares (ms, unrounded). */
  readonly timings: { sync?: number; async?: number };
}

/** Thrown by a step that the target cannot run; the tour prints the reason and goes on. */
export class SkipStep extends Error {
  override readonly name = 'SkipStep';
}

/** A command the target does not have (mini-redis has no EVAL, for one) skips the step instead of failing it. */
export function isUnknownCommand(err: unknown): boolean {
  const text = err instanceof ReplyError ? err.message : err instanceof Error ? err.message : '';
  return /^ERR unknown command/.test(text);
}

/** Rejects after `ms` with a message naming what was waited for: no step can hang the tour. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The argv that AUTH/SELECT need before a raw or blocking connection can work on the target. */
export function handshakeCommands(target: Target): string[][] {
  const cmds: string[][] = [];
  if (target.password !== undefined) {
    cmds.push(target.username !== undefined ? ['AUTH', target.username, target.password] : ['AUTH', target.password]);
  }
  if (target.db !== undefined && target.db !== 0) cmds.push(['SELECT', String(target.db)]);
  return cmds;
}

/**
 * The article's async start (§5.2): redisAsyncConnect with the target's
 * credentials, connect and disconnect callbacks, redisAttach to the tour's
 * reactor; resolves once connected (the context is freed if that fails).
 * `disconnected` settles when the context is gone.
 */
export async function attachAsyncContext(
  ctx: TourContext,
): Promise<{ ac: RedisAsyncContext; disconnected: Promise<void> }> {
  const { target, reactor } = ctx;
  const ac = redisAsyncConnectWithOptions({
    host: target.host,
    port: target.port,
    password: target.password,
    username: target.username,
    db: target.db,
    connectTimeout: 5000,
  });
  if (ac.err) throw new Error(`Error: ${ac.errstr}`);
  const connected = new Promise<void>((resolve, reject) =>
    redisAsyncSetConnectCallback(ac, (c, status) => (status === REDIS_OK ? resolve() : reject(new Error(`Error: ${c.errstr}`)))),
  );
  const disconnected = new Promise<void>((resolve) => redisAsyncSetDisconnectCallback(ac, () => resolve()));
  redisAttach(reactor, ac);
  try {
    await withTimeout(connected, 6000, 'connect');
  } catch (err) {
    redisAsyncFree(ac);
    throw err;
  }
  return { ac, disconnected };
}
