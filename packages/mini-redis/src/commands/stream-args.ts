/**
 * Stream IDs as Redis's t_stream.c parses them (strict and interval forms,
 * `ms-*`, strtoull's leniency), entry replies, and the consumer lookups the
 * stream and group commands share.
 */
import { parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import type { Database } from '../db.js';
import { NOTIFY_STREAM } from '../notify.js';
import { err, NULL_ARRAY } from '../reply.js';
import { idOf, formatId, MAX_ID, type Consumer, type ConsumerGroup, type Stream, type StreamEntry } from '../stream.js';
import { k } from './util.js';

export const U64 = 1n << 64n;
export const U64_MAX = U64 - 1n;
export const INVALID_ID = err('ERR Invalid stream ID specified as stream command argument');

/** Redis's string2ull: a canonical non-negative int64, or whatever strtoull accepts whole. */
export function string2ull(s: string): bigint | null {
  const canonical = parseInt64(Buffer.from(s, 'latin1'));
  if (canonical !== null) return canonical < 0n ? null : canonical;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2] as string);
  if (v > U64_MAX) return null;
  return m[1] === '-' ? (U64 - v) % U64 : v;
}

export interface ParsedId {
  id: bigint;
  /** False for `ms-*` (XADD picks the sequence). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: `ms`, `ms-seq`, `-`, `+` (not when strict),
 * `ms-*` (only when `allowStar`); a missing seq is `missingSeq`.
 */
export function parseId(b: Buffer, missingSeq: bigint, strict: boolean, allowStar = false): ParsedId {
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
export function intervalId(b: Buffer, missingSeq: bigint, start: boolean): bigint {
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

export function streamAt(c: Client, key: Buffer): Stream | undefined {
  return c.db.getStream(k(key));
}

/** [id, [field, value, ...]] — or [id, null array] for a pending entry that was deleted. */
export function entryReply(e: StreamEntry | null, id: bigint): unknown[] {
  return [Buffer.from(formatId(id)), e === null ? NULL_ARRAY : e.fields];
}

export function noGroup(key: Buffer, group: Buffer, tail: string): Error {
  return err(`NOGROUP No such key '${key.toString('latin1')}' or consumer group '${group.toString('latin1')}'${tail}`);
}

export function consumerOf(g: ConsumerGroup, name: string, create: boolean, at?: { db: Database; key: string }): Consumer | undefined {
  let consumer = g.consumers.get(name);
  if (consumer === undefined && create) {
    g.consumers.set(name, (consumer = { name, seenTime: Date.now(), pending: new Map() }));
    // streamCreateConsumer announces it (XREADGROUP, XCLAIM, XAUTOCLAIM, XGROUP CREATECONSUMER).
    at?.db.notify(NOTIFY_STREAM, 'xgroup-createconsumer', at.key);
  }
  return consumer;
}

/** New entries for a group: the group moves on, each entry becomes pending for `consumer` (unless NOACK). */
export function deliver(s: Stream, g: ConsumerGroup, consumer: Consumer, after: bigint, count: number, noack: boolean): unknown[] {
  const now = Date.now();
  const entries = s.range(after + 1n, MAX_ID, count, false);
  for (const e of entries) {
    if (e.id > g.lastId) {
      g.lastId = e.id;
      // Redis keeps the logical read counter exact while no deleted entry lies ahead, else re-estimates it.
      if (g.entriesRead !== null && !s.hasTombstonesFrom(e.id)) g.entriesRead++;
      else if (s.entriesAdded !== 0n) g.entriesRead = s.entriesBefore(e.id);
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
export function history(s: Stream, consumer: Consumer, after: bigint, count: number): unknown[] {
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

