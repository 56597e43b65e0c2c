/**
 * The RESP parsers of the peers, for the resp and resp-request suites:
 * redis-parser 3 (what ioredis 5 used), node-redis 6's decoder and ioredis
 * 6's (its own port of node-redis's, built/resp/decoder.js). None ships types
 * for these entry points; the shapes used here are declared.
 */
import { createRequire } from 'node:module';

export interface RedisParserOptions {
  returnReply(reply: unknown): void;
  returnError(err: Error): void;
  returnFatalError?(err: Error): void;
  returnBuffers?: boolean;
  stringNumbers?: boolean;
}
export type RedisParserCtor = new (opts: RedisParserOptions) => { execute(chunk: Buffer): void };

export interface NodeRedisDecoderOptions {
  onReply(reply: unknown): void;
  onErrorReply(err: Error): void;
  onPush(push: unknown[]): void;
  getTypeMapping(): Record<number, unknown>;
}
export type NodeRedisDecoderCtor = new (opts: NodeRedisDecoderOptions) => { write(chunk: Buffer): void };

const require = createRequire(import.meta.url);
export const RedisParser = require('redis-parser') as RedisParserCtor;
// @redis/client has no exports map, so the decoder's file can be required directly.
export const NodeRedisDecoder = (
  require('@redis/client/dist/lib/RESP/decoder.js') as { Decoder: NodeRedisDecoderCtor }
).Decoder;
// Nor has ioredis; its decoder takes the same options as node-redis's.
export const IoredisDecoder = (require('ioredis/built/resp/decoder.js') as { Decoder: NodeRedisDecoderCtor }).Decoder;
