/**
 * Value classes shared by the reader's native builder and `encodeReply`.
 *
 * The native builder maps RESP onto plain JS values wherever one exists
 * (string, number, bigint, boolean, null, Array, Map, Set, ReplyError). A few
 * RESP3 types carry information no plain value can hold; they get a small
 * class here so a reply decoded and encoded again is the same bytes, and so a
 * server can ask for a specific wire type (`+OK` rather than `$2\r\nOK`).
 *
 * Native mapping (reader → JS), and the inverse used by `encodeReply`:
 *
 *   +simple        string (Buffer in buffer mode)   ← SimpleString
 *   $bulk          string | Buffer                  ← string | Buffer
 *   :integer       number (bigint or string past 2^53, by option) ← safe integer number
 *   ,double        number (Infinity, -Infinity, NaN) ← RespDouble | non-integer number
 *   #boolean       boolean                          ← boolean
 *   (big number    bigint                           ← bigint beyond int64 (within: `:`)
 *   _ $-1 *-1      null                             ← null | undefined; NULL_ARRAY for `*-1`
 *   -error !blob   ReplyError                       ← ReplyError
 *   *array         Array                            ← Array
 *   %map           Map                              ← Map (or a plain object)
 *   ~set           Set                              ← Set
 *   =verbatim      VerbatimString                   ← VerbatimString
 *   >push          PushFrame                        ← PushFrame
 *   |attributes    WithAttributes wrapping the reply it annotates ← WithAttributes
 *
 * Under `protocol: 2` the encoder degrades RESP3-only types the way Redis
 * does for a RESP2 client: maps and sets become flat arrays, doubles and
 * verbatim strings bulk strings, booleans integers, null `$-1`, attributes
 * are dropped and push frames become arrays.
 *
 * Two asymmetries remain, both because RESP has more spellings than JS has
 * values: `*-1` reads back as `null` (not NULL_ARRAY), and an integer sent
 * from a bigint reads back as a number when it fits in 2^53.
 */

/**
 * The RESP2 null array, `*-1` (`_` in RESP3), which Redis sends where an
 * array is missing rather than a string: EXEC aborted by WATCH, BLPOP timing
 * out, LPOP key count on no key. A plain `null` is sent `$-1` in RESP2;
 * clients treat the two alike, but a server matching Redis byte for byte
 * needs both. The reader returns `null` for either.
 */
export const NULL_ARRAY: unique symbol = Symbol('resp.null-array');

/** A string to be sent as a RESP simple string (`+OK`) rather than a bulk. */
export class SimpleString {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A RESP3 double (`,`); a plain non-integer number is encoded the same way. */
export class RespDouble {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

/** A RESP3 verbatim string (`=`): the text and its three-letter format. */
export class VerbatimString {
  constructor(
    /** Three bytes such as `txt` or `mkd`. */
    readonly format: string,
    /** The text after the `xxx:` prefix. */
    readonly value: string | Buffer,
  ) {}
  toString(): string {
    return this.value.toString();
  }
}

/**
 * A RESP3 push frame (`>`): out-of-band data such as pub/sub messages and
 * client-side caching invalidations, never the answer to a command.
 */
export class PushFrame {
  constructor(readonly items: unknown[]) {}
  /** The first element, e.g. `message`, `pmessage`, `invalidate`. */
  get kind(): string {
    const k = this.items[0];
    return k === undefined || k === null ? '' : String(k);
  }
}

/** A reply together with the RESP3 attributes (`|`) that preceded it. */
export class WithAttributes {
  constructor(
    readonly value: unknown,
    readonly attributes: Map<unknown, unknown>,
  ) {}
}
