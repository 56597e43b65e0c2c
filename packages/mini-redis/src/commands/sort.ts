/**
 * SORT / SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...]
 * [ASC|DESC] [ALPHA] [STORE destination], as Redis's sortCommandGeneric:
 * numeric by default (strtod, ties broken by the elements' bytes), ALPHA by
 * bytes; BY and GET patterns substitute the element for the first `*`, and
 * `->field` reads a hash field; a BY pattern without `*` means "do not
 * sort" (lists and sorted sets keep their order, a set is sorted ALPHA when
 * STOREd, as Redis does for consistency); `GET #` is the element itself.
 */
import { intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { newList, type Database } from '../db.js';
import { intsetOrder, isIntset } from '../encoding.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../notify.js';
import { err, SYNTAX, WRONGTYPE } from '../reply.js';
import { bytes, is, k } from './util.js';

/** One element being sorted: its bytes, and what it sorts by. */
interface Item {
  value: string;
  score: number;
  /** ALPHA with BY: the looked-up text, null when the key (or field) is missing. */
  cmp: string | null;
}

/**
 * Redis's lookupKeyByPattern: the string at the pattern with `*` replaced by
 * `subst` (or a hash field after `->`), `#` alone for `subst` itself; null
 * when missing, of another type, or the pattern has no `*`.
 */
function byPattern(db: Database, pattern: string, subst: string): string | null {
  if (pattern === '#') return subst;
  const star = pattern.indexOf('*');
  if (star === -1) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow !== -1 && arrow + 2 < pattern.length;
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const e = db.lookup(key);
  if (e === undefined) return null;
  if (hasField) {
    if (e.type !== 'hash') return null;
    const v = e.value.get(pattern.slice(arrow + 2));
    return v === undefined ? null : k(v);
  }
  return e.type === 'string' ? k(e.value) : null;
}

const SPACE = /^[ \t\n\v\f\r]*/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX = /^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?\d+)?$/;
const INF_NAN = /^[+-]?(inf|infinity|nan)$/i;

/** strtod over the whole text with Redis's checks: null when it is not a number (or NaN, or out of range). */
function strtod(text: string): number | null {
  const s = text.replace(SPACE, '');
  if (INF_NAN.test(s)) return /nan/i.test(s) ? null : s[0] === '-' ? -Infinity : Infinity;
  let v: number;
  if (DECIMAL.test(s)) v = Number(s);
  else if (HEX.test(s)) {
    const m = HEX.exec(s) as RegExpExecArray;
    const [int, frac = ''] = (m[1] as string).split('.');
    const digits = (int ?? '') + frac;
    v = Number.parseInt(digits || '0', 16) * 2 ** (Number(m[2]?.slice(1) ?? '0') - 4 * frac.length);
    if (s[0] === '-') v = -v;
  } else return null;
  // ERANGE: overflow to infinity, or a non-zero value that underflowed to zero.
  if (!Number.isFinite(v)) return null;
  if (v === 0 && /[1-9a-fA-F]/.test(s.replace(/[eEpP].*$/, '').replace(/^[+-]?0[xX]/, ''))) return null;
  return v;
}

function sortGeneric(c: Client, argv: Buffer[], readonly: boolean): unknown {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: string | null = null;
  let store: Buffer | null = null;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j] as Buffer;
    const left = argv.length - j - 1;
    if (is(a, 'asc')) desc = false;
    else if (is(a, 'desc')) desc = true;
    else if (is(a, 'alpha')) alpha = true;
    else if (is(a, 'limit') && left >= 2) {
      limitStart = intArg(argv[j + 1] as Buffer);
      limitCount = intArg(argv[j + 2] as Buffer);
      j += 2;
    } else if (!readonly && is(a, 'store') && left >= 1) store = argv[++j] as Buffer;
    else if (is(a, 'by') && left >= 1) {
      sortby = k(argv[++j] as Buffer);
      if (!sortby.includes('*')) dontsort = true;
    } else if (is(a, 'get') && left >= 1) gets.push(k(argv[++j] as Buffer));
    else throw SYNTAX;
  }
  const db = c.db;
  const e = db.lookup(k(argv[1] as Buffer));
  if (e !== undefined && e.type !== 'set' && e.type !== 'list' && e.type !== 'zset') throw WRONGTYPE;
  // A set has no order of its own: sorted ALPHA when stored, so every run stores the same list.
  if (dontsort && e?.type === 'set' && store !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  let values: string[];
  if (e === undefined) values = [];
  else if (e.type === 'list') values = e.value.slice(0, e.value.length - 1).map(k);
  else if (e.type === 'set') values = isIntset(e.value.values(), e.value.size, c.server.config.limits) ? intsetOrder(e.value.values()) : [...e.value.values()];
  else if (e.type === 'zset') values = e.value.range(0, e.value.size - 1).map((m) => m.member);
  else values = [];
  // With nothing to sort, DESC walks a list or sorted set from its end.
  if (dontsort && desc && e !== undefined && e.type !== 'set') values.reverse();
  const n = values.length;
  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? n - 1 : start + limitCount - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  const items: Item[] = values.map((value) => ({ value, score: 0, cmp: null }));
  if (!dontsort) {
    let badScore = false;
    for (const it of items) {
      const by = sortby === null ? it.value : byPattern(db, sortby, it.value);
      if (by === null) continue;
      if (alpha) {
        if (sortby !== null) it.cmp = by;
      } else {
        const v = strtod(by);
        if (v === null) badScore = true;
        else it.score = v;
      }
    }
    if (badScore) throw err("ERR One or more scores can't be converted into double");
    const byBytes = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
    items.sort((x, y) => {
      let cmp: number;
      if (!alpha) cmp = x.score > y.score ? 1 : x.score < y.score ? -1 : byBytes(x.value, y.value);
      else if (sortby !== null) cmp = x.cmp === null || y.cmp === null ? (x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1) : byBytes(x.cmp, y.cmp);
      else cmp = byBytes(x.value, y.value);
      return desc ? -cmp : cmp;
    });
  }
  const picked = start <= end ? items.slice(start, end + 1) : [];
  if (store === null) {
    const out: Array<Buffer | null> = [];
    for (const it of picked) {
      if (gets.length === 0) out.push(bytes(it.value));
      for (const g of gets) {
        const v = byPattern(db, g, it.value);
        out.push(v === null ? null : bytes(v));
      }
    }
    return out;
  }
  const list = newList();
  for (const it of picked) {
    if (gets.length === 0) list.value.pushBack(bytes(it.value));
    for (const g of gets) list.value.pushBack(bytes(byPattern(db, g, it.value) ?? ''));
  }
  const dest = k(store);
  if (list.value.length > 0) {
    db.set(dest, list);
    db.notify(NOTIFY_LIST, 'sortstore', dest);
  } else if (db.delete(dest)) db.notify(NOTIFY_GENERIC, 'del', dest);
  return list.value.length;
}

export const sortCommands: Command[] = [
  command('sort', -2, 'write denyoom', (c, argv) => sortGeneric(c, argv, false)),
  command('sort_ro', -2, 'readonly', (c, argv) => sortGeneric(c, argv, true)),
];
