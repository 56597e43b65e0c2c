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
import { NEED_MORE, RespReader } from '@reactor-ts/resp';
import { IoredisDecoder, NodeRedisDecoder, RedisParser } from './lib/peer-parsers.js';
import { runCpuWorkloads, type CpuWorkload, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';

const CHUNK = 16 * 1024;

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
