/**
 * Reading a reply without knowing which builder made it (builders.ts).
 *
 * The hiredis context must look inside a few replies — an error during the
 * handshake, a pub/sub message, MONITOR's `OK` — whether they are
 * hiredis-shaped `RedisReply` objects or native JS values (the promise
 * client's choice); the promise client reads pub/sub and script replies the
 * same way. These functions understand both, so each caller has one code
 * path; a custom builder is read as whichever of the two it resembles.
 */
import { ReplyError } from './errors.js';
import {
  REDIS_REPLY_ARRAY,
  REDIS_REPLY_ERROR,
  REDIS_REPLY_INTEGER,
  REDIS_REPLY_PUSH,
  REDIS_REPLY_STATUS,
  REDIS_REPLY_STRING,
  REDIS_REPLY_VERB,
  type RedisReply,
} from './reply.js';
import { PushFrame } from './values.js';

function asHiredis(r: unknown): RedisReply | null {
  if (typeof r === 'object' && r !== null && typeof (r as RedisReply).type === 'number' && 'element' in r) {
    return r as RedisReply;
  }
  return null;
}

/** The server's error text when `r` is an error reply, else null. */
export function errorText(r: unknown): string | null {
  if (r instanceof ReplyError) return r.message;
  const h = asHiredis(r);
  return h !== null && h.type === REDIS_REPLY_ERROR ? (h.str ?? '') : null;
}

/** True for a RESP3 push frame (`>`). Runs for every reply: cheapest tests first. */
export function isPush(r: unknown): boolean {
  if (typeof r !== 'object' || r === null) return false;
  if ((r as { type?: unknown }).type === REDIS_REPLY_PUSH) return 'element' in r;
  return r instanceof PushFrame;
}

/** The elements of an array or push reply, else null. */
export function itemsOf(r: unknown): readonly unknown[] | null {
  if (Array.isArray(r)) return r;
  if (r instanceof PushFrame) return r.items;
  const h = asHiredis(r);
  if (h !== null && (h.type === REDIS_REPLY_ARRAY || h.type === REDIS_REPLY_PUSH)) return h.element;
  return null;
}

/** The text of a string, status or verbatim reply, else null. */
export function textOf(r: unknown): string | null {
  if (typeof r === 'string') return r;
  if (Buffer.isBuffer(r)) return r.toString('utf8');
  const h = asHiredis(r);
  if (h === null) return null;
  if (h.type === REDIS_REPLY_STRING || h.type === REDIS_REPLY_STATUS || h.type === REDIS_REPLY_VERB) {
    return h.str ?? (h.buf ? h.buf.toString('utf8') : null);
  }
  return null;
}

/** The value of an integer reply, else null. */
export function integerOf(r: unknown): number | null {
  if (typeof r === 'number') return r;
  if (typeof r === 'bigint') return Number(r);
  const h = asHiredis(r);
  return h !== null && h.type === REDIS_REPLY_INTEGER ? Number(h.integer) : null;
}
