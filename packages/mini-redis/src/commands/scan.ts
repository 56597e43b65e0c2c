/**
 * SCAN, HSCAN, SSCAN, ZSCAN.
 *
 * Redis's cursor is a position in its hash table (reverse-binary order),
 * which no other store can reproduce. Here a cursor names a live iterator
 * over the JS Map being scanned, kept in a small per-server registry. A JS
 * Map iterator sees deletions and insertions made while it is paused, so
 * SCAN keeps Redis's guarantees: an element present for the whole scan is
 * returned, and returned once; one added or removed during it may or may
 * not be. Cursor numbers are fresh per page. The registry holds at most
 * MAX_CURSORS iterators (oldest dropped first); a cursor it does not know
 * (dropped, or never issued) starts the scan again from the beginning,
 * so the caller still sees every element, perhaps twice (which SCAN allows).
 *
 * As in Redis, a small hash or sorted set (listpack) and an integer set
 * (intset) are returned whole in one page, cursor 0, in their encoding's
 * order, whatever COUNT says.
 */
import { encodeReply, RespDouble } from '@reactor-ts/resp';
import { intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { intsetOrder, isIntset, isSmallHash, isSmallZset } from '../encoding.js';
import { globMatch } from '../glob.js';
import { err, SYNTAX } from '../reply.js';
import type { ServerState } from '../state.js';
import { bytes, is, k } from './util.js';

const MAX_CURSORS = 1024;
const U64 = 2n ** 64n;

interface Cursor {
  /** The collection iterated: a cursor is only resumed on the same one. */
  source: object;
  iter: Iterator<string>;
}

interface Registry {
  next: number;
  live: Map<string, Cursor>;
}

const registries = new WeakMap<ServerState, Registry>();

function registry(server: ServerState): Registry {
  let r = registries.get(server);
  if (r === undefined) registries.set(server, (r = { next: 1, live: new Map() }));
  return r;
}

/** Redis's parseScanCursorOrReply: strtoul over the whole argument (so "-1" and "+5" pass). */
function cursorArg(b: Buffer): string {
  const s = b.toString('latin1');
  if (!/^[+-]?\d+$/.test(s)) throw err('ERR invalid cursor');
  let v = BigInt(s);
  if (v >= U64 || v <= -U64) throw err('ERR invalid cursor');
  if (v < 0n) v += U64;
  return v.toString();
}

interface ScanOptions {
  count: number;
  pattern: string | null;
  type: string | null;
}

function scanOptions(argv: Buffer[], from: number, allowType: boolean): ScanOptions {
  const o: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < argv.length; i++) {
    const a = argv[i] as Buffer;
    const more = i + 1 < argv.length;
    if (is(a, 'count') && more) {
      o.count = intArg(argv[i + 1] as Buffer);
      if (o.count < 1) throw SYNTAX;
    } else if (is(a, 'match') && more) {
      const p = k(argv[i + 1] as Buffer);
      o.pattern = p === '*' ? null : p;
    } else if (is(a, 'type') && allowType && more) o.type = (argv[i + 1] as Buffer).toString('latin1').toLowerCase();
    else throw SYNTAX;
    i++;
  }
  return o;
}

/** Up to `count` names from the cursor's iterator; the next cursor ('0' when the scan is done). */
function page(c: Client, cursor: string, source: object, start: () => Iterator<string>, count: number): [string, string[]] {
  const reg = registry(c.server);
  let cur = cursor === '0' ? undefined : reg.live.get(cursor);
  reg.live.delete(cursor);
  if (cur === undefined || cur.source !== source) cur = { source, iter: start() };
  const out: string[] = [];
  while (out.length < count) {
    const step = cur.iter.next();
    if (step.done === true) return ['0', out];
    out.push(step.value);
  }
  const id = String(reg.next++);
  reg.live.set(id, cur);
  if (reg.live.size > MAX_CURSORS) reg.live.delete(reg.live.keys().next().value as string);
  return [id, out];
}

const TYPE_NAMES: Record<string, string> = { string: 'string', list: 'list', set: 'set', hash: 'hash', zset: 'zset', stream: 'stream' };

/** SCAN cursor [MATCH pattern] [COUNT n] [TYPE type] */
function scan(c: Client, argv: Buffer[]): unknown {
  const cursor = cursorArg(argv[1] as Buffer);
  const o = scanOptions(argv, 2, true);
  const db = c.db;
  const [next, names] = page(c, cursor, db.data, () => db.data.keys(), o.count);
  const out: Buffer[] = [];
  for (const key of names) {
    if (o.pattern !== null && !globMatch(o.pattern, key)) continue;
    const e = db.lookup(key);
    if (e === undefined) continue;
    if (o.type !== null && TYPE_NAMES[e.type] !== o.type) continue;
    out.push(bytes(key));
  }
  return [Buffer.from(next), out];
}

const EMPTY_SCAN = [Buffer.from('0'), []];

/** A score as ZSCAN sends it: text, %.17g as Redis 7.0 prints doubles. */
function scoreText(x: number): Buffer {
  const enc = encodeReply(new RespDouble(x === 0 ? 0 : x), { protocol: 2, doubleFormat: 'redis' });
  return enc.subarray(enc.indexOf('\r\n') + 2, enc.length - 2);
}

function hscan(c: Client, argv: Buffer[]): unknown {
  const cursor = cursorArg(argv[2] as Buffer);
  const hash = c.db.getHash(k(argv[1] as Buffer));
  if (hash === undefined) return EMPTY_SCAN;
  const o = scanOptions(argv, 3, false);
  const small = isSmallHash(hash, c.server.config.limits);
  const [next, fields] = small ? ['0', [...hash.keys()]] : page(c, cursor, hash, () => hash.keys(), o.count);
  const out: Buffer[] = [];
  for (const f of fields) {
    const v = hash.get(f);
    if (v === undefined || (o.pattern !== null && !globMatch(o.pattern, f))) continue;
    out.push(bytes(f), v);
  }
  return [Buffer.from(next), out];
}

function sscan(c: Client, argv: Buffer[]): unknown {
  const cursor = cursorArg(argv[2] as Buffer);
  const set = c.db.getSet(k(argv[1] as Buffer));
  if (set === undefined) return EMPTY_SCAN;
  const o = scanOptions(argv, 3, false);
  const small = isIntset(set.values(), set.size, c.server.config.limits);
  const [next, members] = small ? ['0', intsetOrder(set.values())] : page(c, cursor, set, () => set.values(), o.count);
  const out: Buffer[] = [];
  for (const m of members) if (set.has(m) && (o.pattern === null || globMatch(o.pattern, m))) out.push(bytes(m));
  return [Buffer.from(next), out];
}

function zscan(c: Client, argv: Buffer[]): unknown {
  const cursor = cursorArg(argv[2] as Buffer);
  const zset = c.db.getZset(k(argv[1] as Buffer));
  if (zset === undefined) return EMPTY_SCAN;
  const o = scanOptions(argv, 3, false);
  const all = (): string[] => zset.range(0, zset.size - 1).map((m) => m.member);
  const small = isSmallZset(all(), zset.size, c.server.config.limits);
  // A big sorted set is iterated over a snapshot of its members: its array
  // moves on every insert, so a live index would skip or repeat members.
  const [next, members] = small ? ['0', all()] : page(c, cursor, zset, () => all()[Symbol.iterator](), o.count);
  const out: Buffer[] = [];
  for (const m of members) {
    const s = zset.score(m);
    if (s === undefined || (o.pattern !== null && !globMatch(o.pattern, m))) continue;
    out.push(bytes(m), scoreText(s));
  }
  return [Buffer.from(next), out];
}

export const scanCommands: Command[] = [
  command('scan', -2, 'readonly', scan, [0, 0, 0]),
  command('hscan', -3, 'readonly', hscan),
  command('sscan', -3, 'readonly', sscan),
  command('zscan', -3, 'readonly', zscan),
];
