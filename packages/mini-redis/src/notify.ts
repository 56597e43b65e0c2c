/**
 * Keyspace notifications (`notify-keyspace-events`), as Redis 7.0's
 * notify.c: a write publishes its event on two kinds of channel, chosen by
 * the configured classes,
 *
 *   __keyspace@<db>__:<key>    message: the event name   (class K)
 *   __keyevent@<db>__:<event>  message: the key          (class E)
 *
 * and only for the event classes enabled (g $ l s h z x e t m d n, A = all
 * but m and n). Commands call `Database.notify(type, event, key)` after
 * their change, with Redis's event names and in Redis's order ("new" from
 * dbAdd first, then the command's event, then "del" when a container was
 * left empty).
 *
 * The check is one AND on a number, so a server with notifications off
 * (the default) pays nothing but that per write.
 *
 * Class `m` (keymiss) is published by a read that finds no key, which
 * Redis does in lookupKeyRead only: dispatch.ts marks the commands whose
 * lookups those are (`readsKeys`), and `Database.lookup` publishes on a miss
 * while the mark is set.
 */
import type { Command } from './command.js';
import type { PubSub } from './pubsub.js';

/** Redis's NOTIFY_* bits (server.h). */
export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
/** Not part of A, on purpose (Redis: key misses are expensive to publish). */
export const NOTIFY_KEY_MISS = 1 << 11; // m
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

const CLASS_BITS: Record<string, number> = {
  A: NOTIFY_ALL,
  g: NOTIFY_GENERIC,
  $: NOTIFY_STRING,
  l: NOTIFY_LIST,
  s: NOTIFY_SET,
  h: NOTIFY_HASH,
  z: NOTIFY_ZSET,
  x: NOTIFY_EXPIRED,
  e: NOTIFY_EVICTED,
  K: NOTIFY_KEYSPACE,
  E: NOTIFY_KEYEVENT,
  t: NOTIFY_STREAM,
  m: NOTIFY_KEY_MISS,
  d: NOTIFY_MODULE,
  n: NOTIFY_NEW,
};

/** keyspaceEventsStringToFlags: the class letters to bits, or null on an unknown letter. */
export function parseNotifyFlags(classes: string): number | null {
  let flags = 0;
  for (const ch of classes) {
    const bit = CLASS_BITS[ch];
    if (bit === undefined) return null;
    flags |= bit;
  }
  return flags;
}

/** keyspaceEventsFlagsToString: Redis's normalised form (CONFIG GET), e.g. "AKE", "g$xKE". */
export function notifyFlagsToString(flags: number): string {
  let out = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) out += 'A';
  else {
    const order: Array<[number, string]> = [
      [NOTIFY_GENERIC, 'g'],
      [NOTIFY_STRING, '$'],
      [NOTIFY_LIST, 'l'],
      [NOTIFY_SET, 's'],
      [NOTIFY_HASH, 'h'],
      [NOTIFY_ZSET, 'z'],
      [NOTIFY_EXPIRED, 'x'],
      [NOTIFY_EVICTED, 'e'],
      [NOTIFY_STREAM, 't'],
      [NOTIFY_MODULE, 'd'],
      [NOTIFY_NEW, 'n'],
    ];
    for (const [bit, ch] of order) if (flags & bit) out += ch;
  }
  if (flags & NOTIFY_KEYSPACE) out += 'K';
  if (flags & NOTIFY_KEYEVENT) out += 'E';
  if (flags & NOTIFY_KEY_MISS) out += 'm';
  return out;
}

/**
 * The server's notification switch and publisher. `flags` is what CONFIG
 * SET notify-keyspace-events stored; `emit` publishes through the server's
 * pub/sub registry (null in unit tests that build a Store alone).
 */
export class KeyspaceEvents {
  /** The NOTIFY_* bits enabled (0: off, Redis's default ""). */
  flags = 0;

  constructor(private readonly pubsub: PubSub | null = null) {}

  /** notifyKeyspaceEvent: publishes `event` about `key` (latin1) in database `db`, if its class is on. */
  emit(type: number, event: string, key: string, db: number): void {
    const flags = this.flags;
    if ((flags & type) === 0 || this.pubsub === null) return;
    if (flags & NOTIFY_KEYSPACE) {
      this.pubsub.publish(Buffer.from(`__keyspace@${db}__:${key}`, 'latin1'), Buffer.from(event, 'latin1'));
    }
    if (flags & NOTIFY_KEYEVENT) {
      this.pubsub.publish(Buffer.from(`__keyevent@${db}__:${event}`, 'latin1'), Buffer.from(key, 'latin1'));
    }
  }
}

/**
 * Write commands whose key reads go through Redis's lookupKeyRead, so a
 * missing source publishes `keymiss` (measured against redis-server 7.0):
 * the GET family, SORT, COPY's source, BITOP's and the *STORE commands'
 * sources. Other writes use lookupKeyWrite and publish nothing.
 */
const READING_WRITES = new Set([
  'getdel',
  'getex',
  'getset',
  'sort',
  'copy',
  'bitop',
  'sinterstore',
  'sunionstore',
  'sdiffstore',
  'zinterstore',
  'zunionstore',
  'zdiffstore',
  'zrangestore',
]);

/** Whether `cmd`'s lookups are Redis's lookupKeyRead: readonly commands, the writes above, and SET with GET. */
export function readsKeys(cmd: Command, argv: Buffer[]): boolean {
  if (cmd.flags.includes('readonly')) return true;
  if (READING_WRITES.has(cmd.name)) return true;
  // SET ... GET reads the old value as GET does; the options start at argv[3].
  return cmd.name === 'set' && argv.slice(3).some((a) => a.length === 3 && a.toString('latin1').toLowerCase() === 'get');
}
