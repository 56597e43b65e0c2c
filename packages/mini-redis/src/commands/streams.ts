/**
 * Stream commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XREAD and
 * XREADGROUP, with BLOCK on the reactor (blocking.ts). Consumer-group management:
 * stream-groups.ts; ID parsing: stream-args.ts; the structure: stream.ts.
 */
import { intArg, parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { blockOrServe, NOT_READY } from '../blocking.js';
import { NOTIFY_STREAM } from '../notify.js';
import { err, NULL_ARRAY, SYNTAX, WRONGTYPE, wrongArity } from '../reply.js';
import { formatId, idOf, MAX_ID, msOf, seqOf, Stream, type Consumer, type ConsumerGroup, type StreamEntry, type TrimStrategy } from '../stream.js';
import { consumerOf, deliver, entryReply, history, intervalId, noGroup, parseId, streamAt, U64_MAX, type ParsedId } from './stream-args.js';
import { is, k } from './util.js';


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
    s = c.db.create(key, { type: 'stream', lru: 0, value: new Stream() });
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
  // A stream someone blocks on (XREAD BLOCK) is ready again: keys are
  // otherwise only signalled when created (see blocking.ts).
  if (c.db.blockedOn.size !== 0 && c.db.blockedOn.has(key)) c.db.onReady?.(c.db, key);
  c.db.notify(NOTIFY_STREAM, 'xadd', key);
  if (args.strategy !== null && s.trim(args.strategy, args.approx, args.limit) > 0) c.db.notify(NOTIFY_STREAM, 'xtrim', key);
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
  if (n > 0) {
    c.db.touch(key);
    c.db.notify(NOTIFY_STREAM, 'xdel', key);
  }
  return n;
}

function xtrim(c: Client, argv: Buffer[]): unknown {
  const key = k(argv[1] as Buffer);
  const s = c.db.getStream(key);
  if (s === undefined) return 0;
  const args = parseAddOrTrim(argv, false);
  const n = s.trim(args.strategy as TrimStrategy, args.approx, args.limit);
  if (n > 0) {
    c.db.touch(key);
    c.db.notify(NOTIFY_STREAM, 'xtrim', key);
  }
  return n;
}

/** XREAD / XREADGROUP without blocking: what is there now, or a null array. */
function xread(c: Client, argv: Buffer[], group: boolean): unknown {
  const name = group ? 'xreadgroup' : 'xread';
  let count = 0;
  /** BLOCK's milliseconds (0: forever), -1 without BLOCK. */
  let timeout = -1;
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
      // Past ~24.8 days setTimeout cannot count: such a client waits "forever" in practice.
      timeout = t > 2n ** 31n - 1n ? 2 ** 31 - 1 : Number(t);
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
      // The consumer is created (and seen) only when it is served, as in Redis.
      if (gt === MAX_ID && (s.length === 0 || lastValid <= g.lastId)) continue;
      const consumer = consumerOf(g, k(consumerName as Buffer), true, { db: c.db, key: k(key) }) as Consumer;
      consumer.seenTime = Date.now();
      if (gt !== MAX_ID) {
        out.set(key, history(s, consumer, gt, count));
        continue;
      }
      gt = g.lastId;
      out.set(key, deliver(s, g, consumer, gt, count, noack));
    } else if (s.length > 0 && lastValid > gt) {
      out.set(key, s.range(gt + 1n, MAX_ID, count, false).map((e) => entryReply(e, e.id)));
    }
  }
  if (out.size !== 0) return readReply(c, out);
  if (timeout === -1) return NULL_ARRAY;
  // Nothing to read now: park on the keys (blocking.ts). The first XADD
  // to one of them that gives this client something serves it.
  const keyArgs = argv.slice(streamsAt, streamsAt + nkeys);
  const serve = (cl: Client, key: string): unknown => {
    const i = keyArgs.findIndex((b) => k(b) === key);
    const s = cl.db.getStream(key);
    if (i === -1 || s === undefined || s.length === 0) return NOT_READY;
    const lastValid = (s.entries[s.length - 1] as StreamEntry).id;
    let entries: unknown[];
    if (groupName !== null) {
      const g = s.groups.get(k(groupName));
      if (g === undefined) throw err('NOGROUP the consumer group this client was blocked on no longer exists');
      if (lastValid <= g.lastId) return NOT_READY;
      entries = deliver(s, g, consumerOf(g, k(consumerName as Buffer), true, { db: cl.db, key }) as Consumer, g.lastId, count, noack);
    } else {
      const after = ids[i] as bigint;
      if (lastValid <= after) return NOT_READY;
      entries = s.range(after + 1n, MAX_ID, count, false).map((e) => entryReply(e, e.id));
    }
    return readReply(cl, new Map([[keyArgs[i] as Buffer, entries]]));
  };
  return blockOrServe(c, 'stream', keyArgs.map(k), timeout, serve, NULL_ARRAY);
}

/** RESP3: a map of key → entries; RESP2: [[key, entries], ...]. */
function readReply(c: Client, out: Map<Buffer, unknown>): unknown {
  return c.protocol === 3 ? out : [...out].map(([key, entries]) => [key, entries]);
}

export const streamCommands: Command[] = [
  command('xadd', -5, 'write denyoom fast', xadd),
  command('xrange', -4, 'readonly', (c, argv) => xrange(c, argv, false)),
  command('xrevrange', -4, 'readonly', (c, argv) => xrange(c, argv, true)),
  command('xlen', 2, 'readonly fast', xlen),
  command('xdel', -3, 'write fast', xdel),
  command('xtrim', -4, 'write', xtrim),
  command('xread', -4, 'readonly blocking', (c, argv) => xread(c, argv, false), [0, 0, 0]),
  command('xreadgroup', -7, 'write blocking', (c, argv) => xread(c, argv, true), [0, 0, 0]),
];
