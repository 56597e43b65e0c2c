/**
 * resp: RespReader beside redis-parser 3 (what ioredis 5 used), node-redis
 * 6's RESP decoder (`@redis/client`) and ioredis 6's, in the same run.
 *
 * Corpora (full size; --quick uses a tenth): 100k integers, 100k `+OK`,
 * 10k 1 KiB bulks, 100 1 MiB bulks, 10k LRANGE-like arrays of 100 ten-byte
 * bulks, 10k nested arrays. Each is fed in 16 KiB chunks (as a socket
 * delivers it) and whole, with strings and with Buffers. One call parses the
 * whole corpus with a long-lived parser, as one connection would; the rate
 * is replies per second. Every implementation's reply count is checked
 * before timing.
 *
 * Run: npx tsx --conditions=source bench/src/main.ts resp [--quick]
 */
// The module's Buffer, not the global one (a getter on globalThis): no
// contender, the naive ones included, pays a getter call per Buffer.x.
import { Buffer, isAscii } from 'node:buffer';
import { bufferView } from '@reactor-ts/buffer';
import { NEED_MORE, RespReader } from '@reactor-ts/resp';
import { IoredisDecoder, NodeRedisDecoder, RedisParser } from './lib/peer-parsers.js';
import { runCpuWorkloads, type CpuWorkload, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';

const CHUNK = 16 * 1024;
const CRLF_BYTES = Buffer.from('\r\n');

interface Corpus {
  name: string;
  replies: number;
  bytes: Buffer;
}

function bulk(s: string | Buffer): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

/** The corpora, or those `want` names. */
function corpora(scale: number, want: (name: string) => boolean = () => true): Corpus[] {
  const n = (k: number) => Math.max(1, Math.round(k * scale));
  const out: Corpus[] = [];
  const build = (name: string, count: number, one: (i: number) => string | Buffer) => {
    if (!want(name)) return;
    const parts: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const p = one(i);
      parts.push(typeof p === 'string' ? Buffer.from(p) : p);
    }
    out.push({ name, replies: count, bytes: Buffer.concat(parts) });
  };
  build('100k integers', n(100_000), (i) => `:${(i * 7919) % 10_000_000}\r\n`);
  build('100k +OK', n(100_000), () => '+OK\r\n');
  const kib = 'x'.repeat(1024);
  build('10k 1 KiB bulks', n(10_000), () => bulk(kib));
  const mib = Buffer.alloc(1024 * 1024, 0x61);
  const mibHead = Buffer.from(`$${mib.length}\r\n`);
  const crlf = Buffer.from('\r\n');
  build('100 1 MiB bulks', n(100), () => Buffer.concat([mibHead, mib, crlf]));
  const lrange = `*100\r\n${Array.from({ length: 100 }, (_, k) => bulk(`item:${String(k).padStart(5, '0')}`)).join('')}`;
  build('10k LRANGE 100 x 10 B', n(10_000), () => lrange);
  const nested = `*3\r\n*2\r\n:1\r\n${bulk('hello')}*1\r\n*2\r\n+OK\r\n:2\r\n*2\r\n${bulk('abc')}*0\r\n`;
  build('10k nested arrays', n(10_000), () => nested);
  return out;
}

function split(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

/** Defeats dead-code elimination. */
let sink = 0;

type Runner = () => number;

function ours(chunks: Buffer[], buffers: boolean): Runner {
  const r = new RespReader({ returnBuffers: buffers });
  return () => {
    let n = 0;
    for (let i = 0; i < chunks.length; i++) {
      r.feed(chunks[i]!);
      for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) n++;
    }
    return n;
  };
}

function redisParser(chunks: Buffer[], buffers: boolean): Runner {
  let n = 0;
  const p = new RedisParser({
    returnReply: () => void n++,
    returnError: () => void n++,
    returnFatalError: (err) => {
      throw err;
    },
    returnBuffers: buffers,
  });
  return () => {
    n = 0;
    for (let i = 0; i < chunks.length; i++) p.execute(chunks[i]!);
    return n;
  };
}

function nodeRedis(chunks: Buffer[], buffers: boolean, Decoder = NodeRedisDecoder): Runner {
  let n = 0;
  // node-redis asks for the mapping per value; a constant object, as its client keeps.
  const mapping: Record<number, unknown> = buffers ? { 36: Buffer, 43: Buffer } : {};
  const d = new Decoder({
    onReply: () => void n++,
    onErrorReply: () => void n++,
    onPush: () => void n++,
    getTypeMapping: () => mapping,
  });
  return () => {
    n = 0;
    for (let i = 0; i < chunks.length; i++) d.write(chunks[i]!);
    return n;
  };
}

// The floor's ops, four numbers each: [kind, a, b, c].
const F_INT = 0; // a: the value
const F_STR = 1; // a: chunk index, b..c: the bytes in that chunk
const F_SPAN = 2; // a..b: the bytes in the whole corpus (they span chunks)
const F_ARR = 3; // a: element count; the elements' ops follow
const F_SLICE = 64 * 1024;

/** Buffer's own decoders without toString's checks (present on every Node Buffer, absent from @types/node). */
const utf8Slice = (b: Buffer, s: number, e: number): string => (b as unknown as { utf8Slice(s: number, e: number): string }).utf8Slice(s, e);
const latin1Slice = (b: Buffer, s: number, e: number): string => (b as unknown as { latin1Slice(s: number, e: number): string }).latin1Slice(s, e);

/**
 * SHORT_TEXT[n](b, s): ASCII bytes b[s..s+n) as one String.fromCharCode call
 * of n arguments, or null if one is not ASCII: the cheapest way to make a
 * short string (the reader's utf8.ts has the same table written out). Made
 * with Function so that each length is a call of fixed arity.
 */
const SHORT = 16;
const SHORT_TEXT = Array.from({ length: SHORT + 1 }, (_, n) => {
  const bytes = Array.from({ length: n }, (_, k) => `b[s + ${k}]`);
  const body = n === 0 ? "return '';" : `return (${bytes.join(' | ')}) < 0x80 ? f(${bytes.join(', ')}) : null;`;
  return new Function('f', 'b', 's', body).bind(null, String.fromCharCode) as (b: Buffer, s: number) => string | null;
});

/**
 * The cheapest route to the string of b[s..e) (`ascii`: the bytes are known
 * to be ASCII): the table for short ones; a Latin-1 copy for ASCII, which
 * skips V8's UTF-8 decoder; else Buffer's UTF-8 decoder. Big strings as the
 * reader makes them, a rope of 64 KiB flat pieces.
 */
function floorText(b: Buffer, s: number, e: number, ascii: boolean): string {
  if (e - s <= SHORT) return SHORT_TEXT[e - s]!(b, s) ?? utf8Slice(b, s, e);
  const slice = ascii ? latin1Slice : utf8Slice;
  if (e - s <= F_SLICE) return slice(b, s, e);
  // (The corpora are ASCII, so no cut splits a character.)
  let out = '';
  for (; e - s > F_SLICE; s += F_SLICE) out += slice(b, s, s + F_SLICE);
  return out + slice(b, s, e);
}

/**
 * The floor: no parser at all, only what the replies must contain. Where
 * every value lies is worked out once before timing (a plain recursive walk
 * of the corpus, which holds only `+ : $ *`); a call then makes one Buffer
 * view (as `bufferView`, the cheapest Node has) or string per string that
 * lies inside one chunk, a fresh copy of one that spans chunks, an array per
 * aggregate, and hands integers over as they were read. Strings come the
 * cheapest way there is (floorText): each chunk is checked for ASCII once per
 * call (`isAscii`, as a decoder must know it), and a string that spans chunks
 * is a rope of its pieces, each made in place, rather than a copy decoded
 * (a piece in a chunk that is not ASCII takes the copy). No CRLF scan, no
 * digits, no checks, no partial state: any parser costs at least this, so
 * floor ÷ redis-parser is the most a parser can gain on that shape here.
 */
function floor(c: Corpus, chunks: Buffer[], buffers: boolean): Runner {
  const chunkSize = chunks[0]!.length;
  const ops: number[] = [];
  const b = c.bytes;
  const lineEnd = (i: number): number => b.indexOf(CRLF_BYTES, i);
  const walk = (i: number): number => {
    const t = b[i]!;
    const cr = lineEnd(i);
    if (t === 0x3a) {
      ops.push(F_INT, Number(b.toString('latin1', i + 1, cr)), 0, 0);
      return cr + 2;
    }
    if (t === 0x2b) {
      str(i + 1, cr);
      return cr + 2;
    }
    const n = Number(b.toString('latin1', i + 1, cr));
    if (t === 0x24) {
      str(cr + 2, cr + 2 + n);
      return cr + 2 + n + 2;
    }
    if (t !== 0x2a) throw new Error(`floor: unexpected type byte ${t}`);
    ops.push(F_ARR, n, 0, 0);
    let at = cr + 2;
    for (let k = 0; k < n; k++) at = walk(at);
    return at;
  };
  const str = (s: number, e: number): void => {
    const k = Math.floor(s / chunkSize);
    if (e <= (k + 1) * chunkSize) ops.push(F_STR, k, s - k * chunkSize, e - k * chunkSize);
    else ops.push(F_SPAN, s, e, 0);
  };
  for (let i = 0, r = 0; r < c.replies; r++) i = walk(i);
  const code = Float64Array.from(ops);
  const mem = chunks.map((ch) => ch.buffer);
  const memOff = chunks.map((ch) => ch.byteOffset);
  let scratch = Buffer.alloc(0);
  let at = 0;
  // Per call: 0 not checked yet, 1 ASCII, 2 not.
  const asciiChunk = new Uint8Array(chunks.length);
  const ascii = (k: number): boolean => {
    if (asciiChunk[k] === 0) asciiChunk[k] = isAscii(chunks[k]!) ? 1 : 2;
    return asciiChunk[k] === 1;
  };
  const build = (): unknown => {
    const kind = code[at]!;
    const a = code[at + 1]!;
    const bb = code[at + 2]!;
    const cc = code[at + 3]!;
    at += 4;
    if (kind === F_INT) return a;
    if (kind === F_STR) {
      if (buffers) return bufferView(mem[a]!, memOff[a]! + bb, cc - bb);
      return floorText(chunks[a]!, bb, cc, cc - bb > SHORT && ascii(a));
    }
    if (kind === F_SPAN) {
      const n = bb - a;
      if (!buffers) {
        // A rope of the pieces, each in place, when every chunk it touches is ASCII.
        let all = true;
        for (let k = Math.floor(a / chunkSize); k * chunkSize < bb; k++) all &&= ascii(k);
        if (all) {
          let out = '';
          for (let p = a; p < bb; ) {
            const k = Math.floor(p / chunkSize);
            const to = Math.min(bb, (k + 1) * chunkSize);
            out += floorText(chunks[k]!, p - k * chunkSize, to - k * chunkSize, true);
            p = to;
          }
          return out;
        }
      }
      // The bytes of a value split across chunks must be gathered somewhere.
      let dst: Buffer;
      if (buffers) dst = Buffer.allocUnsafe(n);
      else {
        if (scratch.length < n) scratch = Buffer.allocUnsafe(n);
        dst = scratch;
      }
      for (let p = a, d = 0; p < bb; ) {
        const k = Math.floor(p / chunkSize);
        const take = Math.min(bb, (k + 1) * chunkSize) - p;
        chunks[k]!.copy(dst, d, p - k * chunkSize, p - k * chunkSize + take);
        p += take;
        d += take;
      }
      return buffers ? dst : floorText(dst, 0, n, false);
    }
    const items = new Array<unknown>(a);
    for (let k = 0; k < a; k++) items[k] = build();
    return items;
  };
  return () => {
    at = 0;
    asciiChunk.fill(0);
    let n = 0;
    for (let r = 0; r < c.replies; r++) if (build() !== undefined) n++;
    return n;
  };
}

/**
 * Every (corpus, feed, mode) workload of the suite, or only the one named
 * `only` (the instructions suite counts them one per process, under callgrind).
 */
export function respWorkloads(scale: number, only?: string): CpuWorkload[] {
  const workloads: CpuWorkload[] = [];
  for (const c of corpora(scale, (name) => only === undefined || only.startsWith(`${name}, `))) {
    for (const feed of ['16 KiB chunks', 'whole'] as const) {
      const chunks = feed === 'whole' ? [c.bytes] : split(c.bytes, CHUNK);
      for (const buffers of [false, true]) {
        if (only !== undefined && only !== `${c.name}, ${feed}, ${buffers ? 'Buffer' : 'string'}`) continue;
        const impls: Record<string, Runner> = {
          'reactor-ts': ours(chunks, buffers),
          'redis-parser': redisParser(chunks, buffers),
          'node-redis': nodeRedis(chunks, buffers),
          'ioredis 6': nodeRedis(chunks, buffers, IoredisDecoder),
          floor: floor(c, chunks, buffers),
        };
        for (const [name, run] of Object.entries(impls)) {
          const got = run();
          if (got !== c.replies) throw new Error(`${name} read ${got} replies of ${c.replies} (${c.name}, ${feed})`);
        }
        workloads.push({
          name: `${c.name}, ${feed}, ${buffers ? 'Buffer' : 'string'}`,
          unit: 'replies/s',
          perCall: c.replies,
          impls: Object.fromEntries(Object.entries(impls).map(([k, run]) => [k, () => void (sink += run())])),
        });
      }
    }
  }
  return workloads;
}

export const suite: Suite = {
  name: 'resp',
  description: 'RespReader vs redis-parser 3, node-redis 6 and ioredis 6 RESP decoders (replies/s)',
  async run(opts: RunOptions): Promise<SuiteResult> {
    const scale = opts.quick ? 0.1 : 1;
    const workloads = respWorkloads(scale);
    const notes: string[] = ['targets (issue 19): reactor-ts >= 1.5x redis-parser and >= 2x node-redis 6 on every corpus, in both modes.'];
    for (const c of corpora(scale)) {
      notes.push(`${c.name}: ${(c.bytes.length / 1e6).toFixed(2)} MB per pass, ${c.bytes.length / c.replies} B per reply`);
    }
    const result = await runCpuWorkloads('resp', 'reactor-ts', workloads, opts, opts.quick ? {} : { rounds: 3, timeMs: 300 });
    if (sink === -1) console.log(sink);
    result.notes = notes;
    return result;
  },
};
