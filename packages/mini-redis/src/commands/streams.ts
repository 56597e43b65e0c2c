/**
 * Stream commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XREAD (no
 * BLOCK), and consumer groups: XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/
 * DELCONSUMER, XREADGROUP (no BLOCK), XACK, XPENDING. IDs and their parsing
 * follow Redis's t_stream.c (see stream.ts for the data structure).
 */
import { intArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { err, NULL_ARRAY, OK, SYNTAX, unknownSubcommand, WRONGTYPE, wrongArity } from '../reply.js';
import { ConsumerGroup, formatId, idOf, MAX_ID, msOf, seqOf, Stream, type Consumer, type StreamEntry, type TrimStrategy } from '../stream.js';
import { bytes, is, k } from './util.js';

const U64 = 1n << 64n;
const U64_MAX = U64 - 1n;
const INVALID_ID = err('ERR Invalid stream ID specified as stream command argument');

/** Redis's string2ull: a canonical non-negative int64, or whatever strtoull accepts whole. */
function string2ull(s: string): bigint | null {
  const canonical = parseInt64(Buffer.from(s, 'latin1'));
  if (canonical !== null) return canonical < 0n ? null : canonical;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2] as string);
  if (v > U64_MAX) return null;
  return m[1] === '-' ? (U64 - v) % U64 : v;
}

interface ParsedId {
  id: bigint;
  /** False for `ms-*` (XADD picks the sequence). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: `ms`, `ms-seq`, `-`, `+` (not when strict),
 * `ms-*` (only when `allowStar`); a missing seq is `missingSeq`.
 */
function parseId(b: Buffer, missingSeq: bigint, strict: boolean, allowStar = false): ParsedId {
  const s = b.toString('latin1');
  if (s.length > 127) throw INVALID_ID;
  if (s === '-' || s === '+') {
    if (strict) throw INVALID_ID;
    return { id: s === '-' ? 0n : MAX_ID, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = string2ull(dash === -1 ? s : s.slice(0, dash));
  if (ms === null) throw INVALID_ID;
  if (dash === -1) return { id: idOf(ms, missingSeq), seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowStar && rest === '*') return { id: idOf(ms, 0n), seqGiven: false };
  const seq = string2ull(rest);
  if (seq === null) throw INVALID_ID;
  return { id: idOf(ms, seq), seqGiven: true };
}

/** An interval bound: `(id` exclusive (strict), else `-`, `+` or an ID; `missingSeq` for a bare ms. */
function intervalId(b: Buffer, missingSeq: bigint, start: boolean): bigint {
  if (b.length > 1 && b[0] === 0x28) {
    let id = parseId(b.subarray(1), missingSeq, true).id;
    if (start) {
      if (id === MAX_ID) throw err('ERR invalid start ID for the interval');
      id++;
    } else {
      if (id === 0n) throw err('ERR invalid end ID for the interval');
      id--;
    }
    return id;
  }
  return parseId(b, missingSeq, false).id;
}

function streamAt(c: Client, key: Buffer): Stream | undefined {
  return c.db.getStream(k(key));
}

/** [id, [field, value, ...]] — or [id, null array] for a pending entry that was deleted. */
function entryReply(e: StreamEntry | null, id: bigint): unknown[] {
  return [Buffer.from(formatId(id)), e === null ? NULL_ARRAY : e.fields];
}

interface TrimArgs {
  strategy: TrimStrategy | null;
  approx: boolean;
  limit: number;
  noMkstream: boolean;
  /** XADD: the ID argument's index and its parse; -1 for `*`. */
  idAt: number;
  id: ParsedId | null;
}

/** streamParseAddOrTrimArgsOrReply: options from argv[2]; for XADD up to and including the ID. */
function parseAddOrTrim(argv: Buffer[], xadd: boolean): TrimArgs {
  const out: TrimArgs = { strategy: null, approx: false, limit: 0, noMkstream: false, idAt: -1, id: null };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const a = argv[i] as Buffer;
    const more = argv.length - 1 - i;
    if (xadd && a.length === 1 && a[0] === 0x2a) break;
    if ((is(a, 'maxlen') || is(a, 'minid')) && more > 0) {
      if (out.strategy !== null) throw err('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      out.approx = false;
      const next = argv[i + 1] as Buffer;
      if (more >= 2 && next.length === 1 && next[0] === 0x7e) {
        out.approx = true;
        i++;
      } else if (more >= 2 && next.length === 1 && next[0] === 0x3d) i++;
      const arg = argv[i + 1] as Buffer;
      if (is(a, 'maxlen')) {
        const maxlen = intArg(arg);
        if (maxlen < 0) throw err('ERR The MAXLEN argument must be >= 0.');
        out.strategy = { kind: 'maxlen', maxlen };
      } else out.strategy = { kind: 'minid', minid: parseId(arg, 0n, true).id };
      i++;
    } else if (is(a, 'limit') && more > 0) {
      const limit = intArg(argv[i + 1] as Buffer);
      if (limit < 0) throw err('ERR The LIMIT argument must be >= 0.');
      out.limit = limit;
      limitGiven = true;
      i++;
    } else if (xadd && is(a, 'nomkstream')) out.noMkstream = true;
    else if (xadd) {
      out.id = parseId(a, 0n, true, true);
      break;
    } else throw SYNTAX;
  }
  out.idAt = i;
  if (limitGiven && out.limit !== 0 && out.strategy === null) throw err('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && out.strategy === null) throw err('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (limitGiven) {
    if (!out.approx) throw err('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else out.limit = out.approx ? 10000 : 0;
  return out;
}

function xadd(c: Client, argv: Buffer[]): unknown {
  const args = parseAddOrTrim(argv, true);
  const fieldAt = args.idAt + 1;
  const nfields = argv.length - fieldAt;
  if (nfields < 2 || nfields % 2 === 1) throw wrongArity('xadd');
  if (args.id !== null && args.id.seqGiven && args.id.id === 0n) throw err('ERR The ID specified in XADD must be greater than 0-0');
  const key = k(argv[1] as Buffer);
  let s = c.db.getStream(key);
  if (s === undefined) {
    if (args.noMkstream) return null;
    s = c.db.create(key, { type: 'stream', value: new Stream() });
  }
  if (s.lastId === MAX_ID) throw err('ERR The stream has exhausted the last possible ID, unable to add more items');
  const last = s.lastId;
  let id: bigint;
  if (args.id === null) {
    const now = BigInt(Date.now());
    id = now > msOf(last) ? idOf(now, 0n) : last + 1n;
  } else if (!args.id.seqGiven) {
    const ms = msOf(args.id.id);
    if (ms === msOf(last)) {
      if (seqOf(last) === U64_MAX) throw err('ERR The ID specified in XADD is equal or smaller than the target stream top item');
      id = last + 1n;
    } else if (ms > msOf(last)) id = idOf(ms, 0n);
    else throw err('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  } else {
    id = args.id.id;
    if (id <= last) throw err('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  }
  s.append(id, argv.slice(fieldAt).map((b) => Buffer.from(b)));
  if (args.strategy !== null) s.trim(args.strategy, args.approx, args.limit);
  c.db.touch(key);
  return Buffer.from(formatId(id));
}

/** XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n] */
function xrange(c: Client, argv: Buffer[], rev: boolean): unknown {
  const start = intervalId(argv[rev ? 3 : 2] as Buffer, 0n, true);
  const end = intervalId(argv[rev ? 2 : 3] as Buffer, U64_MAX, false);
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (is(argv[j] as Buffer, 'count') && j + 1 < argv.length) {
      count = Math.max(0, intArg(argv[++j] as Buffer));
    } else throw SYNTAX;
  }
  const s = streamAt(c, argv[1] as Buffer);
  if (s === undefined) return [];
  if (count === 0) return NULL_ARRAY;
  return s.range(start, end, count === -1 ? 0 : count, rev).map((e) => entryReply(e, e.id));
}

function xlen(c: Client, argv: Buffer[]): unknown {
  return streamAt(c, argv[1] as Buffer)?.length ?? 0;
}

function xdel(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const s = c.db.getStream(key);
  if (s === undefined) return 0;
  // All IDs are checked before any is deleted: the command is all or nothing.
  const ids = argv.slice(2).map((b) => parseId(b, 0n, true).id);
  let n = 0;
  for (const id of ids) if (s.delete(id)) n++;
  if (n > 0) c.db.touch(key);
  return n;
}

function xtrim(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const s = c.db.getStream(key);
  if (s === undefined) return 0;
  const args = parseAddOrTrim(argv, false);
  const n = s.trim(args.strategy as TrimStrategy, args.approx, args.limit);
  if (n > 0) c.db.touch(key);
  return n;
}

function noGroup(key: Buffer, group: Buffer, tail: string): Error {
  return err(`NOGROUP No such key '${key.toString('latin1')}' or consumer group '${group.toString('latin1')}'${tail}`);
}

function consumerOf(g: ConsumerGroup, name: string, create: boolean): Consumer | undefined {
  let consumer = g.consumers.get(name);
  if (consumer === undefined && create) g.consumers.set(name, (consumer = { name, seenTime: Date.now(), pending: new Map() }));
  return consumer;
}

/** XREAD / XREADGROUP without blocking: what is there now, or a null array. */
function xread(c: Client, argv: Buffer[], group: boolean): unknown {
  const name = group ? 'xreadgroup' : 'xread';
  let count = 0;
  let streamsAt = 0;
  let nkeys = 0;
  let groupName: Buffer | null = null;
  let consumerName: Buffer | null = null;
  let noack = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as Buffer;
    const more = argv.length - i - 1;
    if (is(a, 'block') && more > 0) {
      const t = parseInt64(argv[++i] as Buffer);
      if (t === null) throw err('ERR timeout is not an integer or out of range');
      if (t < 0n) throw err('ERR timeout is negative');
      throw err(`ERR mini-redis does not support ${name.toUpperCase()} BLOCK yet`);
    } else if (is(a, 'count') && more > 0) count = Math.max(0, intArg(argv[++i] as Buffer));
    else if (is(a, 'streams') && more > 0) {
      streamsAt = i + 1;
      const n = argv.length - streamsAt;
      if (n % 2 !== 0) throw err(`ERR Unbalanced ${name.toUpperCase()} list of streams: for each stream key an ID or '$' must be specified.`);
      nkeys = n / 2;
      break;
    } else if (is(a, 'group') && more >= 2) {
      if (!group) throw err('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      groupName = argv[i + 1] as Buffer;
      consumerName = argv[i + 2] as Buffer;
      i += 2;
    } else if (is(a, 'noack')) {
      if (!group) throw err('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      noack = true;
    } else throw SYNTAX;
  }
  if (streamsAt === 0) throw SYNTAX;
  if (group && groupName === null) throw err('ERR Missing GROUP option for XREADGROUP');
  const ids: bigint[] = [];
  const groups: ConsumerGroup[] = [];
  for (let i = 0; i < nkeys; i++) {
    const key = argv[streamsAt + i] as Buffer;
    const idArg = argv[streamsAt + nkeys + i] as Buffer;
    const e = c.db.lookup(k(key));
    if (e !== undefined && e.type !== 'stream') throw WRONGTYPE;
    const s = e?.type === 'stream' ? e.value : undefined;
    if (groupName !== null) {
      const g = s?.groups.get(k(groupName));
      if (g === undefined) throw noGroup(key, groupName, ' in XREADGROUP with GROUP option');
      groups.push(g);
    }
    const text = idArg.toString('latin1');
    if (text === '$') {
      if (group) {
        throw err(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
      }
      ids.push(s?.lastId ?? 0n);
    } else if (text === '>') {
      if (!group) throw err('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      ids.push(MAX_ID);
    } else ids.push(parseId(idArg, 0n, true).id);
  }
  const out = new Map<Buffer, unknown>();
  for (let i = 0; i < nkeys; i++) {
    const key = argv[streamsAt + i] as Buffer;
    const s = c.db.getStream(k(key));
    if (s === undefined) continue;
    const g = groups[i];
    let gt = ids[i] as bigint;
    const lastValid = s.length > 0 ? (s.entries[s.length - 1] as StreamEntry).id : 0n;
    if (g !== undefined) {
      const consumer = consumerOf(g, k(consumerName as Buffer), true) as Consumer;
      consumer.seenTime = Date.now();
      if (gt !== MAX_ID) {
        out.set(key, history(s, consumer, gt, count));
        continue;
      }
      if (s.length === 0 || lastValid <= g.lastId) continue;
      gt = g.lastId;
      out.set(key, deliver(s, g, consumer, gt, count, noack));
    } else if (s.length > 0 && lastValid > gt) {
      out.set(key, s.range(gt + 1n, MAX_ID, count, false).map((e) => entryReply(e, e.id)));
    }
  }
  if (out.size === 0) return NULL_ARRAY;
  // RESP3: a map of key → entries; RESP2: [[key, entries], ...].
  return c.protocol === 3 ? out : [...out].map(([key, entries]) => [key, entries]);
}

/** New entries for a group: the group moves on, each entry becomes pending for `consumer` (unless NOACK). */
function deliver(s: Stream, g: ConsumerGroup, consumer: Consumer, after: bigint, count: number, noack: boolean): unknown[] {
  const now = Date.now();
  const entries = s.range(after + 1n, MAX_ID, count, false);
  for (const e of entries) {
    if (e.id > g.lastId) {
      g.lastId = e.id;
      if (g.entriesRead !== null) g.entriesRead++;
    }
    if (noack) continue;
    const old = g.pel.get(e.id);
    if (old !== undefined) g.consumers.get(old.consumer)?.pending.delete(e.id);
    const p = { consumer: consumer.name, deliveryTime: now, deliveryCount: 1 };
    g.pel.set(e.id, p);
    consumer.pending.set(e.id, p);
  }
  return entries.map((e) => entryReply(e, e.id));
}

/** XREADGROUP with an explicit ID: the consumer's own pending entries after it (deleted ones as nil). */
function history(s: Stream, consumer: Consumer, after: bigint, count: number): unknown[] {
  const now = Date.now();
  const ids = [...consumer.pending.keys()].filter((id) => id > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: unknown[] = [];
  for (const id of count === 0 ? ids : ids.slice(0, count)) {
    const i = s.lowerBound(id);
    const e = i < s.length && (s.entries[i] as StreamEntry).id === id ? (s.entries[i] as StreamEntry) : null;
    const p = consumer.pending.get(id);
    if (p !== undefined && e !== null) {
      p.deliveryTime = now;
      p.deliveryCount++;
    }
    out.push(entryReply(e, id));
  }
  return out;
}

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
    if (s === undefined) s = c.db.create(k(key), { type: 'stream', value: new Stream() });
    if (s.groups.has(name)) throw err('BUSYGROUP Consumer Group name already exists');
    s.groups.set(name, new ConsumerGroup(id, entriesRead));
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
    return OK;
  }
  if (sub === 'destroy') {
    if (g === undefined) return 0;
    stream.groups.delete(name);
    return 1;
  }
  const consumerName = k(argv[4] as Buffer);
  if (sub === 'createconsumer') {
    if (group.consumers.has(consumerName)) return 0;
    consumerOf(group, consumerName, true);
    return 1;
  }
  const consumer = group.consumers.get(consumerName);
  if (consumer === undefined) return 0;
  const pending = consumer.pending.size;
  for (const id of consumer.pending.keys()) group.pel.delete(id);
  group.consumers.delete(consumerName);
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

export const streamCommands: Command[] = [
  command('xadd', -5, 'write denyoom fast', xadd),
  command('xrange', -4, 'readonly', (c, argv) => xrange(c, argv, false)),
  command('xrevrange', -4, 'readonly', (c, argv) => xrange(c, argv, true)),
  command('xlen', 2, 'readonly fast', xlen),
  command('xdel', -3, 'write fast', xdel),
  command('xtrim', -4, 'write', xtrim),
  command('xread', -4, 'readonly', (c, argv) => xread(c, argv, false), [0, 0, 0]),
  command('xreadgroup', -7, 'write', (c, argv) => xread(c, argv, true), [0, 0, 0]),
  command('xgroup', -2, 'write', xgroup, [2, 2, 1]),
  command('xack', -4, 'write fast', xack),
  command('xpending', -3, 'readonly', xpending),
];
