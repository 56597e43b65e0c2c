/**
 * Lua scripts for the promise client (article §3.3).
 *
 * The article's practice, made the default path:
 * - run a script by its 40-character SHA1 (EVALSHA) so the source is not
 *   sent each time; the SHA1 is computed here (`node:crypto`), exactly as
 *   Redis computes it, so no round trip is needed to learn it;
 * - load the scripts when a connection opens ("after establishing the redis
 *   connection and verifying, load all lua scripts"): `preloadScripts`;
 * - after a hot update (`SCRIPT FLUSH` from redis-cli) the next EVALSHA gets
 *   `NOSCRIPT`; the script object then sends EVAL once (which runs it and
 *   caches it again), so callers never see the flush;
 * - tell every server to reload over pub/sub: `broadcastScriptReload` on one
 *   side, `watchScriptReloads` on each subscriber.
 *
 * The plain commands are CommandMethods methods (commands.ts): `eval`,
 * `evalsha`, `scriptLoad`, `scriptExists`, `scriptFlush`, `scriptKill`.
 */
import { createHash } from 'node:crypto';
import { ReplyError, textOf, type CommandArgument } from '@reactor-ts/resp';
import type { RedisClient } from './client.js';
import { scriptArgv, type CommandMethods } from './commands.js';
import { RedisPool } from './pool.js';

type Arg = CommandArgument;

/** Options of `defineScript`. */
export interface ScriptOptions {
  /** How many of `call()`'s arguments are keys (KEYS[1..n]); the rest are ARGV. */
  numberOfKeys?: number;
}

/** The SHA1 Redis gives a script: of its exact bytes, lower-case hex. */
export function scriptSha1(source: string | Buffer): string {
  return createHash('sha1').update(source).digest('hex');
}

/**
 * A Lua script known by its SHA1. Holds no connection: pass the client (or
 * pool) to each call, so one script object serves every connection.
 */
export class RedisScript {
  /** The 40-character hex SHA1 that EVALSHA and SCRIPT LOAD use. */
  readonly sha1: string;
  readonly numberOfKeys: number | undefined;

  constructor(
    readonly source: string,
    opts: ScriptOptions = {},
  ) {
    if (typeof source !== 'string' || source.length === 0) throw new TypeError('defineScript: the source must be a non-empty string');
    const n = opts.numberOfKeys;
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new TypeError(`defineScript: numberOfKeys must be an integer >= 0, got ${String(n)}`);
    this.sha1 = scriptSha1(source);
    this.numberOfKeys = n;
  }

  /**
   * EVALSHA with `keys` and `args`; on NOSCRIPT (never loaded, or flushed)
   * sends EVAL once, which runs the script and caches it again. Any other
   * error reply rejects as a ReplyError (e.g. the script's own error, or
   * `BUSY` while another script runs).
   */
  run<T = unknown>(client: CommandMethods, keys: readonly Arg[] = [], args: readonly Arg[] = []): Promise<T> {
    return client.sendArgv(scriptArgv('EVALSHA', this.sha1, keys, args)).catch((err: unknown) => {
      if (err instanceof ReplyError && err.code === 'NOSCRIPT') return client.sendArgv(scriptArgv('EVAL', this.source, keys, args));
      throw err;
    }) as Promise<T>;
  }

  /** `run` with keys and arguments in one list: the first `numberOfKeys` are keys. */
  call<T = unknown>(client: CommandMethods, ...keysAndArgs: Arg[]): Promise<T> {
    const n = this.numberOfKeys;
    if (n === undefined) return Promise.reject(new TypeError('script.call() needs numberOfKeys in defineScript(); use run(client, keys, args)'));
    if (keysAndArgs.length < n) return Promise.reject(new TypeError(`script.call(): ${n} keys expected, got ${keysAndArgs.length} arguments`));
    return this.run<T>(client, keysAndArgs.slice(0, n), keysAndArgs.slice(n));
  }

  /** SCRIPT LOAD; rejects if the server's SHA1 is not the one computed here (it would mean the bytes differ). */
  async load(client: CommandMethods): Promise<string> {
    const sha = textOf(await client.sendArgv(['SCRIPT', 'LOAD', this.source]));
    if (sha !== this.sha1) throw new Error(`SCRIPT LOAD returned ${String(sha)}, expected ${this.sha1}`);
    return sha;
  }
}

/** A script object for `source`: see RedisScript. */
export function defineScript(source: string, opts?: ScriptOptions): RedisScript {
  return new RedisScript(source, opts);
}

/**
 * Loads `scripts` now (rejects on a compile error) and again on every new
 * link of `target` (each connection of a pool), before its queued commands:
 * after a reconnect to a restarted server, EVALSHA finds them. Resolves with
 * their SHA1s.
 */
export async function preloadScripts(target: RedisClient | RedisPool, scripts: readonly RedisScript[]): Promise<string[]> {
  const clients = target instanceof RedisPool ? target.connections : [target];
  for (const client of clients) {
    client.onLink((link) => {
      // Replies unread: a script that compiles once compiles again, and a
      // failed load only costs the NOSCRIPT fallback.
      for (const s of scripts) link.sendArgv(['SCRIPT', 'LOAD', s.source]).catch(ignore);
    });
  }
  // The script cache is the server's: one connection loading it is enough.
  return Promise.all(scripts.map((s) => s.load(target)));
}

/** Default channel of the reload broadcast. */
export const SCRIPT_RELOAD_CHANNEL = 'reactor-ts:scripts:reload';

/** PUBLISH a reload request (after a hot update's SCRIPT FLUSH); resolves with the number of receivers. */
export function broadcastScriptReload(publisher: CommandMethods, channel: string = SCRIPT_RELOAD_CHANNEL): Promise<number> {
  return publisher.sendArgv(['PUBLISH', channel, 'reload']) as Promise<number>;
}

/** Options of `watchScriptReloads`. */
export interface WatchScriptsOptions {
  /**
   * The connection that runs SCRIPT LOAD. Default: the subscriber itself
   * under RESP3; under RESP2 (where a subscribed connection takes no other
   * command) a duplicate of it, opened on the first reload and closed by stop().
   */
  loader?: CommandMethods;
  /** After each reload: null, or why it failed. */
  onReload?: (err: Error | null) => void;
}

/** What `watchScriptReloads` returns. */
export interface ScriptReloadWatch {
  /** Reloads done so far. */
  readonly reloads: number;
  /** UNSUBSCRIBE, and close the loader this watch opened. */
  stop(): Promise<void>;
}

/**
 * Subscribes `subscriber` to `channel`; each message there loads `scripts`
 * again (SCRIPT LOAD) — the article's way to recover every server at once
 * after a hot update. Resolves once subscribed.
 */
export async function watchScriptReloads(
  subscriber: RedisClient,
  channel: string,
  scripts: readonly RedisScript[],
  opts: WatchScriptsOptions = {},
): Promise<ScriptReloadWatch> {
  let owned: RedisClient | null = null;
  let reloads = 0;
  let running: Promise<void> = Promise.resolve();
  const loader = (): CommandMethods => {
    if (opts.loader !== undefined) return opts.loader;
    if (subscriber.link?.protocol === 3) return subscriber;
    owned ??= subscriber.duplicate();
    return owned;
  };
  const reload = async (): Promise<void> => {
    try {
      const l = loader();
      if (l === owned) await owned.connect();
      await Promise.all(scripts.map((s) => s.load(l)));
      reloads++;
      opts.onReload?.(null);
    } catch (err) {
      opts.onReload?.(err as Error);
    }
  };
  const listener = (): void => {
    // One reload at a time, in message order.
    running = running.then(reload);
  };
  await subscriber.subscribe(channel, listener);
  return {
    get reloads() {
      return reloads;
    },
    async stop() {
      await subscriber.unsubscribe(channel, listener);
      await running;
      if (owned !== null) await owned.quit();
    },
  };
}

function ignore(): void {}
