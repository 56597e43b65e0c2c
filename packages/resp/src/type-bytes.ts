/**
 * The bytes RESP is made of, named once for the reply reader, the request
 * parser and the builders: the type byte that opens every item, the line
 * terminator and the two signs a number may carry.
 */

/** RESP type bytes, as passed to `ReplyBuilder.nil` and `.aggregate`. */
export const RespType = {
  SIMPLE_STRING: 0x2b, // +
  SIMPLE_ERROR: 0x2d, // -
  INTEGER: 0x3a, // :
  BULK_STRING: 0x24, // $
  ARRAY: 0x2a, // *
  NULL: 0x5f, // _
  DOUBLE: 0x2c, // ,
  BOOLEAN: 0x23, // #
  BIG_NUMBER: 0x28, // (
  BULK_ERROR: 0x21, // !
  VERBATIM_STRING: 0x3d, // =
  MAP: 0x25, // %
  SET: 0x7e, // ~
  ATTRIBUTE: 0x7c, // |
  PUSH: 0x3e, // >
} as const;

/**
 * The other bytes of the syntax. Parsers take local copies
 * (`const { CR, LF } = Byte;`): an imported binding is read through its
 * module cell, with a hole check, on every use: in the reader's digit loop
 * that cost 35% more instructions on top-level integers (callgrind, node
 * --single-threaded, 20k `:n` replies in 16 KiB chunks: 8.7M a pass
 * imported, 6.4M with local copies).
 */
export const Byte = {
  /** Carriage return and line feed: every line ends in CR LF. */
  CR: 0x0d,
  LF: 0x0a,
  /** Signs of integers, doubles and big numbers (the same bytes as `-` errors and `+` strings). */
  MINUS: 0x2d,
  PLUS: 0x2b,
  /** Decimal digits are ZERO..NINE. */
  ZERO: 0x30,
  NINE: 0x39,
} as const;
