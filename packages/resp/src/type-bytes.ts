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

/** Carriage return and line feed: every line ends in CR LF. */
export const CR = 0x0d;
export const LF = 0x0a;
/** Signs of integers, doubles and big numbers (the same bytes as `-` errors and `+` strings). */
export const MINUS = 0x2d;
export const PLUS = 0x2b;
/** Decimal digits are ZERO..NINE. */
export const ZERO = 0x30;
export const NINE = 0x39;
