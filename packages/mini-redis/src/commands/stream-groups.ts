/**
 * Stream consumer groups: XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/
 * DELCONSUMER, XACK, XPENDING, XCLAIM, XAUTOCLAIM (XREADGROUP: streams.ts).
 * Not yet: XINFO.
 */
import { intArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { err, NULL_ARRAY, OK, SYNTAX, unknownSubcommand, WRONGTYPE, wrongArity } from '../reply.js';
import { ConsumerGroup, formatId, MAX_ID, Stream, type Consumer, type PendingEntry, type StreamEntry } from '../stream.js';
import { NOTIFY_STREAM } from '../notify.js';
import { consumerOf, entryReply, intervalId, noGroup, parseId, U64_MAX } from './stream-args.js';
import { bytes, is, k } from './util.js';

const XGROUP_ARITY: Record<string, number> = { create: -5, setid: -5, destroy: 4, createconsumer: 5, delconsumer: 5 };

function subcommandSyntax(argv: Buffer[]): Error {
  return err(
    `ERR unknown subcommand or wrong number of arguments for '${(argv[1] as Buffer).toString('latin1').slice(0, 128)}'. Try ${(argv[0] as Buffer).toString('latin1').toUpperCase()} HELP.`,
  );
}

function xgroup(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  const arity = XGROUP_ARITY[sub];
  if (arity === undefined) throw unknownSubcommand(argv[1] as Buffer, 'xgroup');
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) throw wrongArity(`xgroup|${sub}`);
  let mkstream = false;
  let entriesRead: bigint | null = null;
  if (sub === 'create') {
    for (let i = 5; i < argv.length; ) {
      if (is(argv[i] as Buffer, 'mkstream')) {
        mkstream = true;
        i++;
      } else if (is(argv[i] as Buffer, 'entriesread') && i + 1 < argv.length) {
        const v = parseInt64(argv[i + 1] as Buffer);
        if (v === null) throw err('ERR value is not an integer or out of range');
        if (v < 0n && v !== -1n) throw err('ERR value for ENTRIESREAD must be positive or -1');
        entriesRead = v === -1n ? null : v;
        i += 2;
      } else throw subcommandSyntax(argv);
    }
  }
  const key = argv[2] as Buffer;
  const name = k(argv[3] as Buffer);
  let s = c.db.getStream(k(key));
  if (s === undefined && !mkstream) {
    throw err(
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    );
  }
  const g = s?.groups.get(name);
  if (g === undefined && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
    throw err(`NOGROUP No such consumer group '${name}' for key name '${key.toString('latin1')}'`);
  }
  if (sub === 'create') {
    if (argv.length > 8) throw subcommandSyntax(argv);
    const idText = (argv[4] as Buffer).toString('latin1');
    const id = idText === '$' ? (s?.lastId ?? 0n) : parseId(argv[4] as Buffer, 0n, true).id;
    if (s === undefined) s = c.db.create(k(key), { type: 'stream', lru: 0, value: new Stream() });
    if (s.groups.has(name)) throw err('BUSYGROUP Consumer Group name already exists');
    s.groups.set(name, new ConsumerGroup(id, entriesRead));
    c.db.notify(NOTIFY_STREAM, 'xgroup-create', k(key));
    return OK;
  }
  const group = g as ConsumerGroup;
  const stream = s as Stream;
  if (sub === 'setid') {
    if (argv.length !== 5 && argv.length !== 7) throw subcommandSyntax(argv);
    const idText = (argv[4] as Buffer).toString('latin1');
    const id = idText === '$' ? stream.lastId : parseId(argv[4] as Buffer, 0n, false).id;
    let read: bigint | null = null;
    if (argv.length === 7) {
      if (!is(argv[5] as Buffer, 'entriesread')) throw subcommandSyntax(argv);
      const v = parseInt64(argv[6] as Buffer);
      if (v === null) throw err('ERR value is not an integer or out of range');
      if (v < 0n && v !== -1n) throw err('ERR value for ENTRIESREAD must be positive or -1');
      read = v === -1n ? null : v;
    }
    group.lastId = id;
    group.entriesRead = read;
    c.db.notify(NOTIFY_STREAM, 'xgroup-setid', k(key));
    return OK;
  }
  if (sub === 'destroy') {
    if (g === undefined) return 0;
    stream.groups.delete(name);
    c.db.notify(NOTIFY_STREAM, 'xgroup-destroy', k(key));
    return 1;
  }
  const consumerName = k(argv[4] as Buffer);
  if (sub === 'createconsumer') {
    if (group.consumers.has(consumerName)) return 0;
    consumerOf(group, consumerName, true, { db: c.db, key: k(key) });
    return 1;
  }
  const consumer = group.consumers.get(consumerName);
  if (consumer === undefined) return 0;
  const pending = consumer.pending.size;
  for (const id of consumer.pending.keys()) group.pel.delete(id);
  group.consumers.delete(consumerName);
  c.db.notify(NOTIFY_STREAM, 'xgroup-delconsumer', k(key));
  return pending;
}

function xack(c: Client, argv: Buffer[]): unknown {
  const e = c.db.lookup(k(argv[1] as Buffer));
  if (e !== undefined && e.type !== 'stream') throw WRONGTYPE;
  const g = e?.type === 'stream' ? e.value.groups.get(k(argv[2] as Buffer)) : undefined;
  if (g === undefined) return 0;
  const ids = argv.slice(3).map((b) => parseId(b, 0n, true).id);
  let n = 0;
  for (const id of ids) {
    const p = g.pel.get(id);
    if (p === undefined) continue;
    g.pel.delete(id);
    g.consumers.get(p.consumer)?.pending.delete(id);
    n++;
  }
  return n;
}

/** XPENDING key group [[IDLE ms] start end count [consumer]] */
function xpending(c: Client, argv: Buffer[]): unknown {
  const summary = argv.length === 3;
  if (!summary && (argv.length < 6 || argv.length > 9)) throw SYNTAX;
  let minIdle = 0;
  let count = 0;
  let start = 0n;
  let end = MAX_ID;
  let consumerName: string | null = null;
  if (!summary) {
    let at = 3;
    if (is(argv[3] as Buffer, 'idle')) {
      minIdle = intArg(argv[4] as Buffer);
      if (argv.length < 8) throw SYNTAX;
      at += 2;
    }
    count = Math.max(0, intArg(argv[at + 2] as Buffer));
    start = intervalId(argv[at] as Buffer, 0n, true);
    end = intervalId(argv[at + 1] as Buffer, U64_MAX, false);
    if (at + 3 < argv.length) consumerName = k(argv[at + 3] as Buffer);
  }
  const e = c.db.lookup(k(argv[1] as Buffer));
  if (e !== undefined && e.type !== 'stream') throw WRONGTYPE;
  const g = e?.type === 'stream' ? e.value.groups.get(k(argv[2] as Buffer)) : undefined;
  if (g === undefined) throw noGroup(argv[1] as Buffer, argv[2] as Buffer, '');
  const ids = g.pendingIds();
  if (summary) {
    if (ids.length === 0) return [0, null, null, NULL_ARRAY];
    const perConsumer: unknown[] = [];
    for (const name of [...g.consumers.keys()].sort()) {
      const n = (g.consumers.get(name) as Consumer).pending.size;
      if (n > 0) perConsumer.push([bytes(name), Buffer.from(String(n))]);
    }
    return [ids.length, Buffer.from(formatId(ids[0] as bigint)), Buffer.from(formatId(ids[ids.length - 1] as bigint)), perConsumer];
  }
  let pool = ids;
  if (consumerName !== null) {
    const consumer = g.consumers.get(consumerName);
    if (consumer === undefined) return [];
    pool = ids.filter((id) => consumer.pending.has(id));
  }
  const now = Date.now();
  const out: unknown[] = [];
  for (const id of pool) {
    if (count === 0 || id > end) break;
    if (id < start) continue;
    const p = g.pel.get(id) as { consumer: string; deliveryTime: number; deliveryCount: number };
    if (minIdle !== 0 && now - p.deliveryTime < minIdle) continue;
    out.push([Buffer.from(formatId(id)), bytes(p.consumer), Math.max(0, now - p.deliveryTime), p.deliveryCount]);
    count--;
  }
  return out;
}

/** Moves a pending entry to `consumer` (Redis's XCLAIM / XAUTOCLAIM bookkeeping). */
function claim(g: ConsumerGroup, id: bigint, p: PendingEntry, consumer: Consumer, deliveryTime: number, bump: boolean, retry: number): void {
  if (p.consumer !== consumer.name) g.consumers.get(p.consumer)?.pending.delete(id);
  p.deliveryTime = deliveryTime;
  if (retry >= 0) p.deliveryCount = retry;
  else if (bump) p.deliveryCount++;
  p.consumer = consumer.name;
  consumer.pending.set(id, p);
}

/** Drops a pending entry whose stream entry is gone. */
function forget(g: ConsumerGroup, id: bigint): void {
  const p = g.pel.get(id);
  if (p === undefined) return;
  g.pel.delete(id);
  g.consumers.get(p.consumer)?.pending.delete(id);
}

function groupFor(c: Client, key: Buffer, group: Buffer): { s: Stream; g: ConsumerGroup } {
  const e = c.db.lookup(k(key));
  if (e !== undefined && e.type !== 'stream') throw WRONGTYPE;
  const g = e?.type === 'stream' ? e.value.groups.get(k(group)) : undefined;
  if (g === undefined) throw noGroup(key, group, '');
  return { s: (e as { value: Stream }).value, g };
}

function longArg(b: Buffer, message: string): number {
  const v = parseInt64(b);
  if (v === null) throw err(`ERR ${message}`);
  return Number(v);
}

/** XCLAIM key group consumer min-idle id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id] */
function xclaim(c: Client, argv: Buffer[]): unknown {
  const { s, g } = groupFor(c, argv[1] as Buffer, argv[2] as Buffer);
  const minIdle = Math.max(0, longArg(argv[4] as Buffer, 'Invalid min-idle-time argument for XCLAIM'));
  let j = 5;
  const ids: bigint[] = [];
  for (; j < argv.length; j++) {
    try {
      ids.push(parseId(argv[j] as Buffer, 0n, true).id);
    } catch {
      break;
    }
  }
  const now = Date.now();
  let force = false;
  let justid = false;
  let deliveryTime = -1;
  let retry = -1;
  let lastId = 0n;
  for (; j < argv.length; j++) {
    const a = argv[j] as Buffer;
    const more = j + 1 < argv.length;
    if (is(a, 'force')) force = true;
    else if (is(a, 'justid')) justid = true;
    else if (is(a, 'idle') && more) deliveryTime = now - longArg(argv[++j] as Buffer, 'Invalid IDLE option argument for XCLAIM');
    else if (is(a, 'time') && more) deliveryTime = longArg(argv[++j] as Buffer, 'Invalid TIME option argument for XCLAIM');
    else if (is(a, 'retrycount') && more) retry = longArg(argv[++j] as Buffer, 'Invalid RETRYCOUNT option argument for XCLAIM');
    else if (is(a, 'lastid') && more) lastId = parseId(argv[++j] as Buffer, 0n, true).id;
    else throw err(`ERR Unrecognized XCLAIM option '${a.toString('latin1')}'`);
  }
  if (lastId > g.lastId) g.lastId = lastId;
  // A time in the future or before the epoch is taken as now, as Redis does.
  if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const out: unknown[] = [];
  const name = k(argv[3] as Buffer);
  for (const id of ids) {
    const entry = entryAt(s, id);
    if (entry === null) {
      forget(g, id);
      continue;
    }
    let p = g.pel.get(id);
    let created = false;
    if (p === undefined && force) {
      p = { consumer: '', deliveryTime: now, deliveryCount: 0 };
      g.pel.set(id, p);
      created = true;
    }
    if (p === undefined) continue;
    if (!created && minIdle !== 0 && now - p.deliveryTime < minIdle) continue;
    const consumer = consumerOf(g, name, true, { db: c.db, key: k(argv[1] as Buffer) }) as Consumer;
    claim(g, id, p, consumer, deliveryTime, !justid, retry);
    out.push(justid ? Buffer.from(formatId(id)) : entryReply(entry, id));
  }
  return out;
}

function entryAt(s: Stream, id: bigint): StreamEntry | null {
  const i = s.lowerBound(id);
  const e = s.entries[i];
  return e !== undefined && e.id === id ? e : null;
}

/** XAUTOCLAIM key group consumer min-idle start [COUNT n] [JUSTID]: [next cursor, claimed, deleted IDs]. */
function xautoclaim(c: Client, argv: Buffer[]): unknown {
  const minIdle = Math.max(0, longArg(argv[4] as Buffer, 'Invalid min-idle-time argument for XAUTOCLAIM'));
  const start = intervalId(argv[5] as Buffer, 0n, true);
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const a = argv[j] as Buffer;
    if (is(a, 'count') && j + 1 < argv.length) {
      const v = parseInt64(argv[++j] as Buffer);
      if (v === null || v < 1n || v > (2n ** 63n - 1n) / 16n) throw err('ERR COUNT must be > 0');
      count = Number(v);
    } else if (is(a, 'justid')) justid = true;
    else throw SYNTAX;
  }
  const { s, g } = groupFor(c, argv[1] as Buffer, argv[2] as Buffer);
  let attempts = count * 10;
  const ids = g.pendingIds().filter((id) => id >= start);
  const now = Date.now();
  const name = k(argv[3] as Buffer);
  const claimed: unknown[] = [];
  const deleted: Buffer[] = [];
  let p = 0;
  while (attempts-- > 0 && count > 0 && p < ids.length) {
    const id = ids[p++] as bigint;
    const pending = g.pel.get(id) as PendingEntry;
    const entry = entryAt(s, id);
    if (entry === null) {
      forget(g, id);
      deleted.push(Buffer.from(formatId(id)));
      count--;
      continue;
    }
    if (minIdle !== 0 && now - pending.deliveryTime < minIdle) continue;
    claim(g, id, pending, consumerOf(g, name, true, { db: c.db, key: k(argv[1] as Buffer) }) as Consumer, now, !justid, -1);
    claimed.push(justid ? Buffer.from(formatId(id)) : entryReply(entry, id));
    count--;
  }
  const next = p < ids.length ? (ids[p] as bigint) : 0n;
  return [Buffer.from(formatId(next)), claimed, deleted];
}

export const streamGroupCommands: Command[] = [
  { ...command('xgroup', -2, 'write', xgroup, [2, 2, 1]), subcommands: Object.keys(XGROUP_ARITY) },
  command('xack', -4, 'write fast', xack),
  command('xpending', -3, 'readonly', xpending),
  command('xclaim', -6, 'write fast', xclaim),
  command('xautoclaim', -6, 'write fast', xautoclaim),
];
