/**
 * Typed shorthands for everyday commands. Each is one line over `sendArgv`,
 * which every command of a client ends in: on a ready link it is the link's
 * own `sendArgv` (link.ts), the same call that pub/sub, script preloads and
 * the ready check make there. Anything not listed here goes through
 * `command(...argv)` with the same result.
 *
 * The reply types are what Redis answers under RESP2 with string mode (the
 * default); with `returnBuffers` strings arrive as Buffers, and under RESP3
 * some aggregates become Map / Set (HGETALL, SMEMBERS). The script and
 * PUBSUB commands shape their replies into plain values (strings, booleans,
 * a Map of counts); their helpers live beside the features in pubsub.ts.
 */
import { integerOf, textOf, type CommandArgument } from '@reactor-ts/resp';
import { pubsubArgv, toCountMap, toNames } from './pubsub.js';

type Arg = CommandArgument;
type Str = string | Buffer;

/** Options of SET, as Redis spells them. */
export interface SetOptions {
  /** Expire after this many seconds (EX). */
  EX?: number;
  /** Expire after this many milliseconds (PX). */
  PX?: number;
  /** Only if the key does not exist (NX) ... */
  NX?: boolean;
  /** ... or only if it does (XX). */
  XX?: boolean;
  /** Keep the current TTL (KEEPTTL). */
  KEEPTTL?: boolean;
  /** Return the old value (GET). */
  GET?: boolean;
}

export abstract class CommandMethods {
  /** Sends one command; every shorthand ends here. */
  abstract sendArgv(argv: Arg[]): Promise<unknown>;

  /**
   * Sends any command; resolves with the reply as a native JS value, rejects
   * with ReplyError (the server's error text), ConnectionError,
   * TimeoutError, OfflineQueueFullError or ClientClosedError.
   */
  command<T = unknown>(...argv: Arg[]): Promise<T> {
    return this.sendArgv(argv) as Promise<T>;
  }

  ping(message?: Arg): Promise<Str> {
    return this.sendArgv(message === undefined ? ['PING'] : ['PING', message]) as Promise<Str>;
  }
  get(key: Arg): Promise<Str | null> {
    return this.sendArgv(['GET', key]) as Promise<Str | null>;
  }
  /** 'OK', or null when NX/XX prevented the write (or the old value with GET). */
  set(key: Arg, value: Arg, opts?: SetOptions): Promise<Str | null> {
    const argv: Arg[] = ['SET', key, value];
    if (opts !== undefined) {
      if (opts.EX !== undefined) argv.push('EX', opts.EX);
      if (opts.PX !== undefined) argv.push('PX', opts.PX);
      if (opts.NX === true) argv.push('NX');
      if (opts.XX === true) argv.push('XX');
      if (opts.KEEPTTL === true) argv.push('KEEPTTL');
      if (opts.GET === true) argv.push('GET');
    }
    return this.sendArgv(argv) as Promise<Str | null>;
  }
  mget(...keys: Arg[]): Promise<Array<Str | null>> {
    return this.sendArgv(['MGET', ...keys]) as Promise<Array<Str | null>>;
  }
  del(...keys: Arg[]): Promise<number> {
    return this.sendArgv(['DEL', ...keys]) as Promise<number>;
  }
  exists(...keys: Arg[]): Promise<number> {
    return this.sendArgv(['EXISTS', ...keys]) as Promise<number>;
  }
  expire(key: Arg, seconds: number): Promise<number> {
    return this.sendArgv(['EXPIRE', key, seconds]) as Promise<number>;
  }
  ttl(key: Arg): Promise<number> {
    return this.sendArgv(['TTL', key]) as Promise<number>;
  }
  incr(key: Arg): Promise<number> {
    return this.sendArgv(['INCR', key]) as Promise<number>;
  }
  incrby(key: Arg, by: number | bigint): Promise<number> {
    return this.sendArgv(['INCRBY', key, by]) as Promise<number>;
  }
  decr(key: Arg): Promise<number> {
    return this.sendArgv(['DECR', key]) as Promise<number>;
  }
  hget(key: Arg, field: Arg): Promise<Str | null> {
    return this.sendArgv(['HGET', key, field]) as Promise<Str | null>;
  }
  hset(key: Arg, ...fieldsAndValues: Arg[]): Promise<number> {
    return this.sendArgv(['HSET', key, ...fieldsAndValues]) as Promise<number>;
  }
  /** RESP2: a flat [field, value, ...] array; RESP3: a Map. */
  hgetall(key: Arg): Promise<Str[] | Map<Str, Str>> {
    return this.sendArgv(['HGETALL', key]) as Promise<Str[] | Map<Str, Str>>;
  }
  lpush(key: Arg, ...values: Arg[]): Promise<number> {
    return this.sendArgv(['LPUSH', key, ...values]) as Promise<number>;
  }
  rpush(key: Arg, ...values: Arg[]): Promise<number> {
    return this.sendArgv(['RPUSH', key, ...values]) as Promise<number>;
  }
  lrange(key: Arg, start: number, stop: number): Promise<Str[]> {
    return this.sendArgv(['LRANGE', key, start, stop]) as Promise<Str[]>;
  }
  sadd(key: Arg, ...members: Arg[]): Promise<number> {
    return this.sendArgv(['SADD', key, ...members]) as Promise<number>;
  }
  /** RESP2: an array; RESP3: a Set. */
  smembers(key: Arg): Promise<Str[] | Set<Str>> {
    return this.sendArgv(['SMEMBERS', key]) as Promise<Str[] | Set<Str>>;
  }
  publish(channel: Arg, message: Arg): Promise<number> {
    return this.sendArgv(['PUBLISH', channel, message]) as Promise<number>;
  }
  select(db: number): Promise<Str> {
    return this.sendArgv(['SELECT', db]) as Promise<Str>;
  }
  flushdb(): Promise<Str> {
    return this.sendArgv(['FLUSHDB']) as Promise<Str>;
  }

  // ---- scripts (see script.ts for defineScript and the NOSCRIPT fallback) ----

  /** EVAL script numkeys key... arg... */
  eval<T = unknown>(script: string, keys: readonly Arg[] = [], args: readonly Arg[] = []): Promise<T> {
    return this.sendArgv(scriptArgv('EVAL', script, keys, args)) as Promise<T>;
  }
  /** EVALSHA sha1 numkeys key... arg... (rejects with ReplyError NOSCRIPT if not cached; see defineScript). */
  evalsha<T = unknown>(sha1: string, keys: readonly Arg[] = [], args: readonly Arg[] = []): Promise<T> {
    return this.sendArgv(scriptArgv('EVALSHA', sha1, keys, args)) as Promise<T>;
  }
  /** SCRIPT LOAD: caches the script, resolves with its SHA1. */
  scriptLoad(script: string): Promise<string> {
    return this.sendArgv(['SCRIPT', 'LOAD', script]).then((r) => textOf(r) ?? '');
  }
  /** SCRIPT EXISTS: one boolean per SHA1. */
  scriptExists(...sha1s: string[]): Promise<boolean[]> {
    return this.sendArgv(['SCRIPT', 'EXISTS', ...sha1s]).then((r) => (Array.isArray(r) ? r : []).map((x) => x === 1 || x === true));
  }
  /** SCRIPT FLUSH [ASYNC|SYNC]: empties the script cache. */
  scriptFlush(mode?: 'ASYNC' | 'SYNC'): Promise<string> {
    return this.sendArgv(mode === undefined ? ['SCRIPT', 'FLUSH'] : ['SCRIPT', 'FLUSH', mode]).then((r) => textOf(r) ?? '');
  }
  /** SCRIPT KILL: stops the running script if it has not written (else ReplyError UNKILLABLE / NOTBUSY). */
  scriptKill(): Promise<string> {
    return this.sendArgv(['SCRIPT', 'KILL']).then((r) => textOf(r) ?? '');
  }

  // ---- PUBSUB introspection (subscribing itself is RedisClient's, client.ts) ----

  /** PUBSUB CHANNELS [pattern]: active channels (with at least one subscriber). */
  pubsubChannels(pattern?: string): Promise<string[]> {
    return this.sendArgv(pubsubArgv('CHANNELS', pattern)).then(toNames);
  }
  /** PUBSUB NUMSUB: subscribers per channel, as a Map in the order asked. */
  pubsubNumsub(...channels: string[]): Promise<Map<string, number>> {
    return this.sendArgv(['PUBSUB', 'NUMSUB', ...channels]).then(toCountMap);
  }
  /** PUBSUB NUMPAT: patterns subscribed over all clients. */
  pubsubNumpat(): Promise<number> {
    return this.sendArgv(['PUBSUB', 'NUMPAT']).then((r) => integerOf(r) ?? 0);
  }
  /** PUBSUB SHARDCHANNELS [pattern] (Redis 7). */
  pubsubShardchannels(pattern?: string): Promise<string[]> {
    return this.sendArgv(pubsubArgv('SHARDCHANNELS', pattern)).then(toNames);
  }
  /** PUBSUB SHARDNUMSUB: subscribers per shard channel, as a Map. */
  pubsubShardnumsub(...channels: string[]): Promise<Map<string, number>> {
    return this.sendArgv(['PUBSUB', 'SHARDNUMSUB', ...channels]).then(toCountMap);
  }
}

/** `verb script numkeys key... arg...`, built without spreads (EVALSHA is a hot path; RedisScript.run uses it too). */
export function scriptArgv(verb: string, script: string, keys: readonly Arg[], args: readonly Arg[]): Arg[] {
  const argv: Arg[] = [verb, script, keys.length];
  for (let i = 0; i < keys.length; i++) argv.push(keys[i]!);
  for (let i = 0; i < args.length; i++) argv.push(args[i]!);
  return argv;
}
