/**
 * Protocol fuzzing, both directions of RESP.
 *
 * RequestParser (server side): src/request-fuzz.ts, 100,000 inputs in the
 * normal run, 1,000,000 in the long one. RespReader (client side): the
 * generator of @reactor-ts/test-utils' resp-fuzz.ts (resp's own spec runs 100,000
 * with seeds 1–4 in every `pnpm test`); here 20,000 more with other seeds, and
 * 1,000,000 in the long run. Then the memory cases: a declared length of
 * 512 MiB or 1 GiB must not be allocated on trust.
 */
import { describe, expect, it } from 'vitest';
import { ChainBuffer } from '@reactor-ts/buffer';
import { NativeBuilder, NEED_MORE, ProtocolError, RequestError, RequestParser, RespReader } from '@reactor-ts/resp';
import { fuzzReplies, type RespKit } from '@reactor-ts/test-utils';
import { record, scale, TEST_TIMEOUT } from './src/figures.js';
import { fuzzRequests } from './src/request-fuzz.js';

const BATCH = 50_000;
const kit: RespKit<NativeBuilder> = { RespReader, NativeBuilder, NEED_MORE, ProtocolError, ChainBuffer };

describe('protocol fuzzing', () => {
  it('RequestParser: every input ends in commands, null or a RequestError', () => {
    const total = scale(100_000, 1_000_000);
    const sum = { inputs: 0, commands: 0, needMore: 0, requestErrors: 0 };
    for (let seed = 1001; sum.inputs < total; seed++) {
      const s = fuzzRequests(Math.min(BATCH, total - sum.inputs), seed);
      sum.inputs += s.inputs;
      sum.commands += s.commands;
      sum.needMore += s.needMore;
      sum.requestErrors += s.requestErrors;
    }
    expect(sum.inputs).toBe(total);
    // Both ends well represented, or the mutations are too weak or too strong.
    expect(sum.requestErrors).toBeGreaterThan(total / 10);
    expect(sum.needMore).toBeGreaterThan(total / 10);
    record({ test: 'fuzz: RequestParser', inputs: sum.inputs, note: `${sum.commands} commands, ${sum.needMore} ended needing more, ${sum.requestErrors} RequestError` });
  }, TEST_TIMEOUT);

  it('RespReader: every input ends in values, NEED_MORE or a ProtocolError', () => {
    const total = scale(20_000, 1_000_000);
    const sum = { inputs: 0, values: 0, needMore: 0, protocolErrors: 0 };
    for (let seed = 2001; sum.inputs < total; seed++) {
      const s = fuzzReplies(kit, Math.min(BATCH, total - sum.inputs), seed);
      sum.inputs += s.inputs;
      sum.values += s.values;
      sum.needMore += s.needMore;
      sum.protocolErrors += s.protocolErrors;
    }
    expect(sum.inputs).toBe(total);
    expect(sum.protocolErrors).toBeGreaterThan(total / 10);
    expect(sum.needMore).toBeGreaterThan(total / 10);
    record({ test: 'fuzz: RespReader', inputs: sum.inputs, note: `${sum.values} replies, ${sum.needMore} NEED_MORE, ${sum.protocolErrors} ProtocolError (+100,000 in packages/resp)` });
  }, TEST_TIMEOUT);
});

/** External + array-buffer bytes: where a Buffer's contents live. */
function offHeap(): number {
  const m = process.memoryUsage();
  return m.arrayBuffers + m.external;
}

const MiB = 1024 * 1024;

describe('declared lengths are not allocated on trust', () => {
  it('RespReader: $536870911 followed by 1 MiB holds about 1 MiB, not 512 MiB', () => {
    const before = offHeap();
    const r = new RespReader();
    r.feed(Buffer.from('$536870911\r\n'));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 16; i++) {
      r.feed(chunk);
      expect(r.getReply()).toBe(NEED_MORE);
    }
    expect(offHeap() - before).toBeLessThan(32 * MiB);
    // and a length past the limit is refused outright
    const r2 = new RespReader();
    r2.feed(Buffer.from('$536870913\r\n'));
    expect(() => r2.getReply()).toThrow(ProtocolError);
  }, TEST_TIMEOUT);

  it('RespReader: *4294967295 elements declared, none sent, holds nothing', () => {
    const before = offHeap();
    const heap = process.memoryUsage().heapUsed;
    const r = new RespReader();
    r.feed(Buffer.from('*4294967295\r\n:1\r\n:2\r\n'));
    expect(r.getReply()).toBe(NEED_MORE);
    expect(offHeap() - before).toBeLessThan(32 * MiB);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * MiB);
  }, TEST_TIMEOUT);

  it('RequestParser: $536870911 followed by 1 MiB holds about 1 MiB; $1073741824 is refused with Redis\'s text', () => {
    const before = offHeap();
    const p = new RequestParser();
    p.feed(Buffer.from('*1\r\n$536870911\r\n'));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 16; i++) {
      p.feed(chunk);
      expect(p.next()).toBeNull();
    }
    expect(p.buffered).toBeLessThanOrEqual(16 * chunk.length);
    expect(offHeap() - before).toBeLessThan(32 * MiB);
    const q = new RequestParser();
    q.feed(Buffer.from('*1\r\n$1073741824\r\n'));
    expect(() => q.next()).toThrow(new RequestError('Protocol error: invalid bulk length'));
    const m = new RequestParser();
    m.feed(Buffer.from('*2147483647\r\n'));
    expect(m.next()).toBeNull();
    expect(offHeap() - before).toBeLessThan(32 * MiB);
  }, TEST_TIMEOUT);
});
