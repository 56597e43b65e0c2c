/**
 * @reactor-ts/resp — the Redis protocol, RESP2 and RESP3, with no I/O.
 *
 * Layout
 * - reader.ts          RespReader: streaming, resumable reply parser (+ NEED_MORE)
 * - reader-limits.ts   RespReaderOptions, DEFAULT_LIMITS and their checks
 * - type-bytes.ts      RespType (the type bytes; exported via builders), CR, LF, signs, digits (internal)
 * - builders.ts        reply builders: native JS values, hiredis-shaped RedisReply
 * - reply-view.ts      textOf / integerOf / itemsOf / errorText / isPush: reading a reply of either shape
 * - reply.ts           RedisReply and the REDIS_REPLY_* constants
 * - values.ts          value classes for RESP3 types with no plain JS equivalent
 * - errors.ts          ProtocolError (broken stream) and ReplyError (error reply)
 * - encoder.ts         encodeCommand / appendCommand / formatCommand (client → server)
 * - encode-reply.ts    encodeReply / encodeReplyInto (server → client)
 * - request-parser.ts  RequestParser + RequestError: multibulk and inline requests, server side
 * - utf8.ts            UTF-8 decoding helpers for the reader (internal)
 * - format-double.ts   formatG17: %.17g as Redis 7.0 prints doubles
 * - format.ts          formatCommand's format compiler and printf-style numbers (internal)
 * - bytes.ts           UTF-8 length and decimal helpers shared by the encoders (internal)
 * - request-queue.ts   ByteQueue: the request parser's chunk FIFO (internal)
 * - split-args.ts      sdssplitargs: inline request splitting (internal)
 */
export * from './errors.js';
export * from './values.js';
export * from './reply.js';
export * from './builders.js';
export * from './reply-view.js';
export * from './reader.js';
export * from './encoder.js';
export * from './encode-reply.js';
export * from './request-parser.js';
