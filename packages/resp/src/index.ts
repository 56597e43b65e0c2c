/**
 * @reactor-ts/resp — the Redis protocol, RESP2 and RESP3, with no I/O.
 *
 * Layout
 * - reader.ts          RespReader: streaming, resumable reply parser (+ NEED_MORE)
 * - builders.ts        reply builders: native JS values, hiredis-shaped RedisReply
 * - reply.ts           RedisReply and the REDIS_REPLY_* constants
 * - values.ts          value classes for RESP3 types with no plain JS equivalent
 * - errors.ts          ProtocolError (broken stream) and ReplyError (error reply)
 * - encoder.ts         encodeCommand / formatCommand (client → server)
 * - encode-reply.ts    encodeReply (server → client)
 * - request-parser.ts  RequestParser: multibulk and inline requests, server side
 */
export * from './errors.js';
export * from './values.js';
export * from './reply.js';
export * from './builders.js';
export * from './reader.js';
export * from './encoder.js';
export * from './encode-reply.js';
export * from './request-parser.js';
