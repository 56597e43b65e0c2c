/**
 * hiredis-shaped replies for the callback API.
 *
 * The numbering is hiredis's (`read.h`), so code ported from C can switch on
 * the same constants. A RESP2 server only ever produces STRING, ARRAY,
 * INTEGER, NIL, STATUS and ERROR; the rest arrive after `HELLO 3`.
 */

export const REDIS_REPLY_STRING = 1;
export const REDIS_REPLY_ARRAY = 2;
export const REDIS_REPLY_INTEGER = 3;
export const REDIS_REPLY_NIL = 4;
export const REDIS_REPLY_STATUS = 5;
export const REDIS_REPLY_ERROR = 6;
export const REDIS_REPLY_DOUBLE = 7;
export const REDIS_REPLY_BOOL = 8;
export const REDIS_REPLY_MAP = 9;
export const REDIS_REPLY_SET = 10;
export const REDIS_REPLY_ATTR = 11;
export const REDIS_REPLY_PUSH = 12;
export const REDIS_REPLY_BIGNUM = 13;
export const REDIS_REPLY_VERB = 14;

/**
 * One reply as hiredis's `redisReply` struct.
 *
 * Which fields mean something depends on `type`, exactly as in C:
 * - STRING, STATUS, ERROR, BIGNUM: `str` (BIGNUM: the decimal digits).
 * - VERB: `str` is the text after the `xxx:` prefix, `vtype` the format.
 * - DOUBLE: `dval`, and `str` the number as the server wrote it.
 * - INTEGER: `integer` (a bigint when outside the safe integer range).
 * - BOOL: `integer` is 1 or 0.
 * - ARRAY, SET, PUSH: `elements` and `element`; MAP and ATTR: the same,
 *   keys and values interleaved (`element.length === 2 * pairs`).
 */
export interface RedisReply {
  type: number;
  integer: number | bigint;
  dval: number;
  str: string | null;
  /** The raw bytes of `str`, only when the reader was asked for buffers. */
  buf: Buffer | null;
  /** The three-letter format of a VERB reply (`txt`, `mkd`), else ''. */
  vtype: string;
  elements: number;
  element: RedisReply[];
  /** The RESP3 attributes (`|`, an ATTR reply) that preceded this reply, if any. */
  attributes?: RedisReply;
}
