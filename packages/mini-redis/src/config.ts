/**
 * The server's run-time configuration and the table CONFIG GET / SET work
 * from, as Redis 7.0's config.c `standardConfig` table: each parameter has a
 * name (and maybe its old alias, listed as its own row by CONFIG GET), a
 * getter giving Redis's canonical text, and, when it can change at run time
 * here, a parser that checks a value and returns how to apply it. Parsing
 * is separate from applying so that CONFIG SET of several parameters is all
 * or nothing, as in Redis.
 *
 * Parameters whose value is true of mini-redis but which cannot change here
 * (databases, port, appendonly, save, requirepass) have a getter only.
 * busy-reply-threshold (alias lua-time-limit) is the scripting engine's
 * time limit (scripting.ts).
 */
import { parseInt64 } from './args.js';
import { defaultLimits, type EncodingLimits } from './encoding.js';
import { notifyFlagsToString, parseNotifyFlags } from './notify.js';
import type { ServerState } from './state.js';

/** maxmemory-policy's values, in Redis's order (its error message lists them so). */
export const EVICTION_POLICIES = [
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'noeviction',
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

/** What CONFIG SET can change, per server. */
export interface ServerConfig {
  /** Bytes (mini-redis's estimate of its dataset, see memory.ts); 0 = no limit. */
  maxmemory: number;
  maxmemoryPolicy: EvictionPolicy;
  /** Keys sampled per eviction (Redis: 5). */
  maxmemorySamples: number;
  /** Seconds a client may stay idle before it is closed; 0 = never. */
  timeout: number;
  /** Stored and reported; Redis 7.0 lists are quicklists whatever it says. */
  listMaxListpackSize: number;
  /** The thresholds OBJECT ENCODING (and the scan and set orders) follow. */
  readonly limits: EncodingLimits;
}

export function defaultConfig(): ServerConfig {
  return { maxmemory: 0, maxmemoryPolicy: 'noeviction', maxmemorySamples: 5, timeout: 0, listMaxListpackSize: -2, limits: defaultLimits() };
}

/** A value CONFIG SET refuses: the text after Redis's "CONFIG SET failed (...) - ". */
export class ConfigValueError extends Error {}

export interface ConfigParam {
  readonly name: string;
  /** The pre-7.0 name (ziplist for listpack), reported as a row of its own. */
  readonly alias?: string;
  get(s: ServerState): string;
  /** Checks `value`; returns how to apply it, or throws ConfigValueError. Absent: not settable. */
  set?(s: ServerState, value: Buffer): () => void;
  /** Immutable in Redis too (CONFIG SET answers "can't set immutable config"). */
  readonly immutable?: boolean;
}

const NOT_INTEGER = "argument couldn't be parsed into an integer";

/** A numeric config as Redis's string2ll reads it, within [min, max]. */
function intValue(value: Buffer, min: bigint, max: bigint): number {
  const n = parseInt64(value);
  if (n === null) throw new ConfigValueError(NOT_INTEGER);
  if (n < min || n > max) throw new ConfigValueError(`argument must be between ${min} and ${max} inclusive`);
  return Number(n);
}

const UNITS: Record<string, bigint> = { b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n };

/** Redis's memtoull: digits with an optional unit (k, kb, m, mb, g, gb, any case); "" is 0. */
export function parseMemory(text: string): bigint | null {
  const m = /^(\d*)([a-z]*)$/i.exec(text);
  if (m === null) return null;
  const unit = (m[2] as string).toLowerCase();
  const mul = unit === '' ? 1n : UNITS[unit];
  if (mul === undefined || (m[1] === '' && unit !== '')) return null;
  const n = m[1] === '' ? 0n : BigInt(m[1] as string) * mul;
  return n > 2n ** 64n - 1n ? 2n ** 64n - 1n : n;
}

/** A MEMORY_CONFIG numeric value (memory units allowed) within [0, max]. */
function memoryValue(value: Buffer, max: bigint): number {
  const n = parseMemory(value.toString('latin1'));
  if (n === null) throw new ConfigValueError('argument must be a memory value');
  if (n > max) throw new ConfigValueError(`argument must be between 0 and ${max} inclusive`);
  return Number(n);
}

const LONG_MAX = 2n ** 63n - 1n;
const INT_MAX = 2n ** 31n - 1n;

/** A size_t threshold (0..LONG_MAX): `memory` ones take units, as Redis's MEMORY_CONFIG flag. */
function limitParam(name: string, alias: string, field: keyof EncodingLimits, memory: boolean): ConfigParam {
  return {
    name,
    alias,
    get: (s) => String(s.config.limits[field]),
    set(s, value) {
      const n = memory ? memoryValue(value, LONG_MAX) : intValue(value, 0n, LONG_MAX);
      return () => (s.config.limits[field] = n);
    },
  };
}

export const configParams: ConfigParam[] = [
  {
    name: 'maxclients',
    get: (s) => String(s.maxclients),
    set(s, value) {
      // The reactor's slot table was sized at start: more than that cannot be had.
      const n = intValue(value, 1n, BigInt(s.maxclientsCapacity));
      return () => (s.maxclients = n);
    },
  },
  { name: 'databases', get: (s) => String(s.store.dbs.length), immutable: true },
  { name: 'port', get: (s) => String(s.port) },
  {
    name: 'timeout',
    get: (s) => String(s.config.timeout),
    set(s, value) {
      const n = intValue(value, 0n, INT_MAX);
      return () => (s.config.timeout = n);
    },
  },
  {
    name: 'maxmemory',
    get: (s) => String(s.config.maxmemory),
    set(s, value) {
      const n = memoryValue(value, 2n ** 64n - 1n);
      return () => {
        s.config.maxmemory = n;
        s.store.setAccounting(n > 0);
      };
    },
  },
  {
    name: 'maxmemory-policy',
    get: (s) => s.config.maxmemoryPolicy,
    set(s, value) {
      const v = value.toString('latin1').toLowerCase();
      const policy = EVICTION_POLICIES.find((p) => p === v);
      if (policy === undefined) throw new ConfigValueError(`argument(s) must be one of the following: ${EVICTION_POLICIES.join(', ')}`);
      return () => {
        s.config.maxmemoryPolicy = policy;
        s.store.shared.lfu = policy.endsWith('-lfu');
      };
    },
  },
  {
    name: 'maxmemory-samples',
    get: (s) => String(s.config.maxmemorySamples),
    set(s, value) {
      const n = intValue(value, 1n, INT_MAX);
      return () => (s.config.maxmemorySamples = n);
    },
  },
  {
    name: 'notify-keyspace-events',
    get: (s) => notifyFlagsToString(s.store.events.flags),
    set(s, value) {
      const flags = parseNotifyFlags(value.toString('latin1'));
      if (flags === null) throw new ConfigValueError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
      return () => (s.store.events.flags = flags);
    },
  },
  limitParam('hash-max-listpack-entries', 'hash-max-ziplist-entries', 'hashEntries', false),
  limitParam('hash-max-listpack-value', 'hash-max-ziplist-value', 'hashValue', true),
  limitParam('zset-max-listpack-entries', 'zset-max-ziplist-entries', 'zsetEntries', false),
  limitParam('zset-max-listpack-value', 'zset-max-ziplist-value', 'zsetValue', true),
  {
    name: 'set-max-intset-entries',
    get: (s) => String(s.config.limits.setIntsetEntries),
    set(s, value) {
      const n = intValue(value, 0n, LONG_MAX);
      return () => (s.config.limits.setIntsetEntries = n);
    },
  },
  {
    name: 'list-max-listpack-size',
    alias: 'list-max-ziplist-size',
    get: (s) => String(s.config.listMaxListpackSize),
    set(s, value) {
      const n = intValue(value, -INT_MAX - 1n, INT_MAX);
      return () => (s.config.listMaxListpackSize = n);
    },
  },
  {
    // Redis 7.0's busy-reply-threshold and its old name: when a script becomes busy (scripting.ts).
    name: 'busy-reply-threshold',
    alias: 'lua-time-limit',
    get: (s) => String(s.scripting.timeLimit),
    set(s, value) {
      const ms = intValue(value, 0n, LONG_MAX);
      return () => (s.scripting.timeLimit = ms);
    },
  },
  { name: 'appendonly', get: () => 'no' },
  { name: 'save', get: () => '' },
  { name: 'requirepass', get: (s) => s.requirepass ?? '' },
];
