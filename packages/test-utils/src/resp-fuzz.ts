/**
 * The RESP reply fuzz, shared by resp's bounded spec (reader.fuzz.spec.ts),
 * its long run (packages/resp/scripts/fuzz-long.ts) and reliability's
 * fuzz.spec.ts; its generator and mutations (fuzz-random.ts) also drive reliability's request fuzz.
 *
 * Inputs are valid RESP3 streams, mutated (truncation, bit flips, swapped
 * type bytes, huge and negative lengths, deep nesting, inserted garbage) or
 * plain random bytes, fed in random chunks to readers of every flavour. Each
 * run must end in values, NEED_MORE or a ProtocolError — nothing else — and
 * feeding the same bytes whole must agree on the values decoded before the
 * end. Deterministic for a given seed.
 *
 * Like the rest of test-utils it imports nothing of the project: the reader
 * under test comes in as a `RespKit` (the classes of @reactor-ts/resp and
 * @reactor-ts/buffer), so test-utils stays below every package it tests.
 */

import { int, mutate, pick, rng, type MutationVocabulary } from './fuzz-random.js';


/** Reader options as the fuzz uses them (a subset of RespReaderOptions). */
export interface FuzzReaderOptions<B = never> {
  builder?: 'hiredis' | B;
  returnBuffers?: boolean;
  largeIntegers?: 'bigint' | 'string';
  maxBulkLength?: number;
  maxLineLength?: number;
  maxDepth?: number;
  maxAggregateLength?: number;
}

/** What the fuzz needs of a chain buffer (ChainBuffer). */
export interface FuzzChain {
  readonly length: number;
  add(bytes: Buffer): void;
  peek(): Buffer[];
  drain(n: number): void;
}

/** What the fuzz needs of a reader (RespReader). */
export interface FuzzReader {
  feed(bytes: Buffer): void;
  feedFrom(chain: FuzzChain): void;
  getReply(): unknown;
  getReplyFrom(chain: FuzzChain): unknown;
}

/** The implementation under test: pass `{ RespReader, NativeBuilder, NEED_MORE, ProtocolError, ChainBuffer }`. */
export interface RespKit<B> {
  RespReader: new (opts: FuzzReaderOptions<B>) => FuzzReader;
  NativeBuilder: new (opts: { stringMode: 'string' | 'buffer'; largeIntegers: 'bigint' | 'string' }) => B;
  NEED_MORE: symbol;
  ProtocolError: new (...args: never[]) => { offset: number };
  ChainBuffer: new (opts: { chunkSize: number }) => FuzzChain;
}

const TYPES = '+-:$*_,#(!=%~|>';

/** The reply side's mutations: RESP3 type bytes and headers past the reader's limits. */
const REPLY_VOCABULARY: MutationVocabulary = {
  typeBytes: TYPES.split('').map((c) => c.charCodeAt(0)),
  hugeLengths: ['$99999999999\r\n', '*4294967296\r\n', '%3000000000\r\n', '$536870913\r\n', '*99999999999999999999999\r\n'],
  badLengths: ['$-2\r\n', '*-5\r\n', '%-1\r\n', '$-1x\r\n', '=-1\r\n'],
  // deep nesting; now and then around the default limit of 1024
  nesting(r) {
    const depth = r() < 0.05 ? 1000 + int(r, 50) : 1 + int(r, 20);
    return pick(r, ['*1\r\n', '|1\r\n+a\r\n+b\r\n*1\r\n', '>1\r\n', '%1\r\n:1\r\n']).repeat(depth);
  },
};

/** One random, well-formed RESP3 item. */
function validItem(r: () => number, depth: number): string {
  const t = pick(r, TYPES.split(''));
  const word = () => pick(r, ['', 'OK', 'hello world', 'é', 'x'.repeat(int(r, 40)), String(int(r, 1e6))]);
  switch (t) {
    case '+':
    case '-':
      return `${t}${word()}\r\n`;
    case ':':
      return `:${pick(r, ['0', '-1', '42', '9007199254740993', '-9223372036854775808', String(int(r, 1e9))])}\r\n`;
    case '$':
    case '!': {
      if (t === '$' && r() < 0.1) return '$-1\r\n';
      const w = word();
      return `${t}${Buffer.byteLength(w)}\r\n${w}\r\n`;
    }
    case '=': {
      const w = `txt:${word()}`;
      return `=${Buffer.byteLength(w)}\r\n${w}\r\n`;
    }
    case '_':
      return '_\r\n';
    case ',':
      return `,${pick(r, ['1.5', '-0.25', 'inf', '-inf', 'nan', '1e10', String(r())])}\r\n`;
    case '#':
      return `#${pick(r, ['t', 'f'])}\r\n`;
    case '(':
      return `(${pick(r, ['', '-'])}${String(int(r, 1e9))}${String(int(r, 1e9))}\r\n`;
    default: {
      if (depth > 4) return ':1\r\n';
      if (t === '*' && r() < 0.1) return '*-1\r\n';
      const n = int(r, 4);
      const slots = t === '%' || t === '|' ? 2 * n : n;
      let s = `${t}${n}\r\n`;
      for (let i = 0; i < slots; i++) s += validItem(r, depth + 1);
      if (t === '|') s += validItem(r, depth + 1);
      return s;
    }
  }
}

/** Apply one mutation to `b`. */
/** One fuzz input. */
export function makeReplyInput(r: () => number): Buffer {
  if (r() < 0.1) return Buffer.from(Array.from({ length: int(r, 64) }, () => int(r, 256)));
  let s = '';
  const n = 1 + int(r, 4);
  for (let i = 0; i < n; i++) s += validItem(r, 0);
  let b: Buffer = Buffer.from(s);
  const muts = r() < 0.15 ? 0 : 1 + int(r, 3);
  for (let i = 0; i < muts; i++) b = mutate(r, b, REPLY_VOCABULARY);
  return b;
}

const FLAVOURS: FuzzReaderOptions[] = [
  {},
  { returnBuffers: true },
  { builder: 'hiredis' },
  { largeIntegers: 'string' },
  { maxBulkLength: 16, maxLineLength: 24, maxDepth: 6, maxAggregateLength: 3 },
];

export interface Outcome {
  values: unknown[];
  end: 'need-more' | 'protocol-error';
  /** The ProtocolError's offset, or -1. */
  offset: number;
}

/**
 * Run one input through a reader, in chunks. Throws if anything but a
 * ProtocolError escapes, or if the reader fails to refuse input afterwards.
 */
export function runOnce<B>(kit: RespKit<B>, input: Buffer, chunks: number[], opts: FuzzReaderOptions<B>, how: 'feed' | 'chain' | 'feedFrom'): Outcome {
  const reader = new kit.RespReader(opts);
  const values: unknown[] = [];
  const chain = how === 'chain';
  const buf = how !== 'feed' ? new kit.ChainBuffer({ chunkSize: 61 }) : null;
  let at = 0;
  try {
    for (const len of [...chunks, input.length]) {
      const piece = input.subarray(at, at + len);
      at += piece.length;
      if (buf !== null) buf.add(piece);
      else reader.feed(piece);
      if (buf !== null && !chain) reader.feedFrom(buf);
      for (;;) {
        const v = chain && buf !== null ? reader.getReplyFrom(buf) : reader.getReply();
        if (v === kit.NEED_MORE) break;
        values.push(v);
      }
      if (at >= input.length) break;
    }
  } catch (err) {
    if (!(err instanceof kit.ProtocolError)) throw err;
    if (!(err.offset >= 0 && err.offset <= input.length)) throw new Error(`offset ${err.offset} outside input of ${input.length}`);
    let again: unknown;
    try {
      reader.getReply();
    } catch (e) {
      again = e;
    }
    if (again !== err) throw new Error('reader did not refuse input after a ProtocolError');
    return { values, end: 'protocol-error', offset: err.offset };
  }
  return { values, end: 'need-more', offset: -1 };
}

/**
 * A canonical text of a decoded value: errors by message (not stack), and
 * iterative, because fuzzed replies nest a thousand deep.
 */
function show(root: unknown): string {
  const out: string[] = [];
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v instanceof Token) out.push(v.text);
    else if (v instanceof Error) out.push(`error(${v.message})`);
    else if (Buffer.isBuffer(v)) out.push(`buf(${v.toString('hex')})`);
    else if (Array.isArray(v)) pushAll(todo, '[', v, ']');
    else if (v instanceof Map) pushAll(todo, 'map{', [...v].flat(), '}');
    else if (v instanceof Set) pushAll(todo, 'set{', [...v], '}');
    else if (typeof v === 'object' && v !== null) {
      pushAll(todo, `${v.constructor.name}{`, Object.entries(v).flatMap(([k, x]) => [new Token(k), x]), '}');
    } else if (typeof v === 'number' && Object.is(v, -0)) out.push('-0');
    else out.push(`${typeof v}:${String(v)}`);
  }
  return out.join(' ');
}
class Token {
  constructor(readonly text: string) {}
}
function pushAll(todo: unknown[], open: string, items: unknown[], close: string): void {
  todo.push(new Token(close));
  for (let i = items.length - 1; i >= 0; i--) todo.push(items[i]);
  todo.push(new Token(open));
}

/** Random chunk lengths for `n` bytes: byte by byte, a few cuts, or none. */
export function chunking(r: () => number, n: number): number[] {
  const mode = int(r, 4);
  if (mode === 0 || n === 0) return [];
  // Byte by byte is the harshest split; keep it to inputs of modest size.
  if (mode === 1 && n <= 2048) return Array.from({ length: n }, () => 1);
  const out: number[] = [];
  for (let left = n; left > 0; ) {
    const len = 1 + int(r, Math.min(left, mode === 2 ? 8 : 64));
    out.push(len);
    left -= len;
  }
  return out;
}

export interface FuzzStats {
  inputs: number;
  values: number;
  needMore: number;
  protocolErrors: number;
}

/**
 * Fuzz `count` inputs from `seed`. Throws (with the input in hex) on the
 * first outcome that breaks the contract.
 */
export function fuzzReplies<B>(kit: RespKit<B>, count: number, seed: number): FuzzStats {
  const r = rng(seed);
  const stats: FuzzStats = { inputs: 0, values: 0, needMore: 0, protocolErrors: 0 };
  for (let i = 0; i < count; i++) {
    const input = makeReplyInput(r);
    const opts = pick(r, FLAVOURS);
    const x = r();
    const how = x < 0.2 ? 'chain' : x < 0.4 ? 'feedFrom' : 'feed';
    try {
      const whole = runOnce(kit, input, [], opts, 'feed');
      const split = runOnce(kit, input, chunking(r, input.length), opts, how);
      // Whatever the chunking, the same complete replies come out first,
      // and a stream the whole-input reader accepts is never refused.
      const n = Math.min(whole.values.length, split.values.length);
      for (let k = 0; k < n; k++) {
        if (show(whole.values[k]) !== show(split.values[k])) throw new Error(`reply ${k} differs when chunked`);
      }
      if (whole.end === 'need-more' && split.end === 'protocol-error') throw new Error('chunked input refused, whole input accepted');
      if (whole.end === 'need-more' && whole.values.length !== split.values.length) throw new Error('chunked input decoded a different number of replies');
      if (opts.builder === undefined) {
        // Differential check of the reader's native fast paths: the same
        // builder passed as a custom object takes only the general paths.
        const general = new kit.NativeBuilder({ stringMode: opts.returnBuffers ? 'buffer' : 'string', largeIntegers: opts.largeIntegers ?? 'bigint' });
        const slow = runOnce(kit, input, [], { ...opts, builder: general, returnBuffers: undefined }, 'feed');
        if (slow.end !== whole.end || slow.offset !== whole.offset || slow.values.length !== whole.values.length) {
          throw new Error(`fast paths disagree with the general path: ${whole.end}@${whole.offset} vs ${slow.end}@${slow.offset}`);
        }
        for (let k = 0; k < slow.values.length; k++) {
          if (show(whole.values[k]) !== show(slow.values[k])) throw new Error(`reply ${k} differs between fast and general paths`);
        }
      }
      stats.inputs++;
      stats.values += whole.values.length;
      if (whole.end === 'need-more') stats.needMore++;
      else stats.protocolErrors++;
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      e.message = `fuzz input #${i} (seed ${seed}, ${JSON.stringify(opts)}, ${how}): ${input.toString('hex')}: ${e.message}`;
      throw e;
    }
  }
  return stats;
}
