/**
 * The argument and reply types of the typed command methods
 * (methods.generated.ts). Keys are strings or Buffers; values may also be
 * numbers, bigints or Uint8Arrays (sent as their decimal text or bytes).
 */
import type { CommandArgument } from '@reactor-ts/resp';

/** A key: UTF-8 text or raw bytes. */
export type RedisKey = string | Buffer;
/** Any argument value (strings and patterns in the command docs). */
export type RedisArgument = CommandArgument;
/** An integer argument (counts, offsets, milliseconds, unix times). */
export type RedisInteger = number | bigint;
/** A double argument: a number, or text Redis parses (`+inf`, `-inf`, `(1.5` for exclusive bounds). */
export type RedisDouble = number | string;
/** A string reply: UTF-8 text, or a Buffer with `returnBuffers`. */
export type RedisString = string | Buffer;
