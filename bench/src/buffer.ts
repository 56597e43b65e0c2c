/**
 * buffer: ChainBuffer beside bl 7 (BufferList) and a naive Buffer.concat
 * queue, on the two jobs a connection's queues do.
 *
 * - line: a stream of chunks of 1–512 random bytes (fixed-seed PRNG, CRLFs at
 *   random spots, ~1 per 80 bytes) arrives by reference, as socket data does;
 *   after each chunk, search "\r\n" and drain through it until none is left
 *   (the article's buffer_search + buffer_drain); a second workload also
 *   hands each line out as a Buffer (readLine). A full run pushes well over
 *   1,000,000 chunks through each contender. Every contender resumes its
 *   CRLF scan where the last one stopped, so none rescans a partial line.
 * - write queue: 200 small replies (strings and Buffers, 5 B – 1 KiB) are
 *   queued, then sent in writev-sized batches (at most 64 KiB: peek, "write",
 *   drain), as the reactor does once per turn.
 *
 * - long lines: the same with chunks of 1 B – 16 KiB and a CRLF every 32 KiB
 *   on average.
 *
 * Targets (issue 19): ChainBuffer >= 3x bl and >= 2x the concat queue on short
 * lines, keeping its lead on long ones; >= 1x every peer on every workload.
 *
 * Run: npx tsx --conditions=source bench/src/main.ts buffer [--quick]
 */
// The module's Buffer, not the global one (a getter on globalThis): no
// contender, the naive ones included, pays a getter call per Buffer.x.
import { Buffer } from 'node:buffer';
import { ChainBuffer } from '@reactor-ts/buffer';
import { BufferList as BlBufferList } from 'bl';
import { runCpuWorkloads, type CpuWorkload, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';
import { rng } from '@reactor-ts/test-utils';

/** The part of bl's BufferList these workloads use. */
interface BufferList {
  length: number;
  append(buf: Buffer | string): unknown;
  indexOf(search: Buffer, offset?: number): number;
  slice(start?: number, end?: number): Buffer;
  consume(bytes: number): unknown;
  getBuffers(): Buffer[];
}
// bl 7 is ESM with an exports map: its BufferList comes from the package's index.
const BufferListCtor = BlBufferList as unknown as new () => BufferList;

const CRLF = Buffer.from('\r\n');
const WRITEV_MAX = 64 * 1024;
/** Defeats dead-code elimination: every result feeds this. */
let sink = 0;


/**
 * Consecutive slices of 1–`maxChunk` bytes of one random byte stream with a
 * CRLF after every `lineEvery` bytes on average (at random spots).
 */
function lineChunks(count: number, seed: number, maxChunk = 512, lineEvery = 80): Buffer[] {
  const rnd = rng(seed);
  const lens = Array.from({ length: count }, () => 1 + Math.floor(rnd() * maxChunk));
  const total = lens.reduce((a, b) => a + b, 0);
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < total; i++) {
    if (i + 1 < total && rnd() < 1 / lineEvery) {
      bytes[i++] = 13;
      bytes[i] = 10;
    } else {
      bytes[i] = Math.floor(rnd() * 256);
    }
  }
  const out: Buffer[] = [];
  for (let i = 0, at = 0; i < count; at += lens[i]!, i++) out.push(bytes.subarray(at, at + lens[i]!));
  return out;
}

type LineMode = 'drain' | 'take';

/**
 * mode 'drain': search CRLF and drain through it (the article's
 * buffer_search + buffer_drain). mode 'take': also hand each line out as a
 * Buffer (ChainBuffer.readLine; bl.slice; a subarray of the concat queue).
 */
function lineWorkload(chunks: Buffer[], batch: number, mode: LineMode, label = ''): CpuWorkload {
  const cursor = { chain: 0, chainCopy: 0, bl: 0, naive: 0 };
  const next = (k: keyof typeof cursor): Buffer => {
    const c = chunks[cursor[k]]!;
    cursor[k] = (cursor[k] + 1) % chunks.length;
    return c;
  };
  const take = mode === 'take';

  const chain = new ChainBuffer();
  let chainScan = 0;
  const chainCopy = new ChainBuffer();
  let chainCopyScan = 0;
  /** Every complete line of cb: readLine, or search + drain resuming at *scan. */
  const lines = (cb: ChainBuffer, scan: number): number => {
    if (take) {
      for (let line = cb.readLine(); line !== null; line = cb.readLine()) sink += line.length;
      return 0;
    }
    for (;;) {
      const at = cb.search(CRLF, scan);
      if (at < 0) return cb.length > 0 ? cb.length - 1 : 0;
      sink += at;
      cb.drain(at + 2);
      scan = 0;
    }
  };

  const bl = new BufferListCtor();
  let blScan = 0;
  let naive: Buffer = Buffer.alloc(0);
  let naiveScan = 0;
  return {
    name: (take ? 'line: readLine (each line as a Buffer)' : 'line: search CRLF + drain') + label,
    unit: 'chunks/s',
    perCall: batch,
    impls: {
      ChainBuffer: () => {
        for (let k = 0; k < batch; k++) {
          chain.addReference(next('chain'));
          chainScan = lines(chain, chainScan);
        }
      },
      'ChainBuffer (add copies)': () => {
        for (let k = 0; k < batch; k++) {
          chainCopy.add(next('chainCopy'));
          chainCopyScan = lines(chainCopy, chainCopyScan);
        }
      },
      bl: () => {
        for (let k = 0; k < batch; k++) {
          bl.append(next('bl'));
          for (;;) {
            const at = bl.indexOf(CRLF, blScan);
            if (at < 0) {
              blScan = bl.length > 0 ? bl.length - 1 : 0;
              break;
            }
            sink += take ? bl.slice(0, at).length : at;
            bl.consume(at + 2);
            blScan = 0;
          }
        }
      },
      'Buffer.concat': () => {
        for (let k = 0; k < batch; k++) {
          const c = next('naive');
          naive = naive.length === 0 ? c : Buffer.concat([naive, c]);
          for (;;) {
            const at = naive.indexOf(CRLF, naiveScan);
            if (at < 0) {
              naiveScan = naive.length > 0 ? naive.length - 1 : 0;
              break;
            }
            sink += take ? naive.subarray(0, at).length : at;
            naive = naive.subarray(at + 2);
            naiveScan = 0;
          }
        }
      },
    },
  };
}

/** Replies of the sizes a Redis-like server sends, some as strings, some as Buffers. */
function replies(count: number, seed: number): Array<string | Buffer> {
  const rnd = rng(seed);
  const bulk = (n: number): Buffer => Buffer.from(`$${n}\r\n${'x'.repeat(n)}\r\n`);
  const kinds: Array<() => string | Buffer> = [
    () => '+OK\r\n',
    () => `:${Math.floor(rnd() * 1e6)}\r\n`,
    () => `$11\r\nhello world\r\n`,
    () => bulk(16 + Math.floor(rnd() * 100)),
    () => bulk(1000),
  ];
  return Array.from({ length: count }, () => kinds[Math.floor(rnd() * kinds.length)]!());
}

/** One writev: take buffers in order up to WRITEV_MAX bytes; returns the bytes "written". */
function writev(bufs: Buffer[]): number {
  let n = 0;
  for (let i = 0; i < bufs.length && n < WRITEV_MAX; i++) n += bufs[i]!.length;
  return n < WRITEV_MAX ? n : WRITEV_MAX;
}

function writeQueueWorkload(name: string, batch: Array<string | Buffer>): CpuWorkload {
  const chain = new ChainBuffer();
  const chainRef = new ChainBuffer();
  const bl = new BufferListCtor();
  let parts: Buffer[] = [];
  return {
    name,
    unit: 'replies/s',
    perCall: batch.length,
    impls: {
      ChainBuffer: () => {
        for (const r of batch) chain.add(r);
        while (chain.length > 0) {
          const n = writev(chain.peek());
          sink += n;
          chain.drain(n);
        }
      },
      'ChainBuffer (Buffers by reference)': () => {
        for (const r of batch) {
          if (typeof r === 'string') chainRef.add(r);
          else chainRef.addReference(r);
        }
        while (chainRef.length > 0) {
          const n = writev(chainRef.peek());
          sink += n;
          chainRef.drain(n);
        }
      },
      bl: () => {
        for (const r of batch) bl.append(r);
        while (bl.length > 0) {
          const n = writev(bl.getBuffers());
          sink += n;
          bl.consume(n);
        }
      },
      'Buffer.concat': () => {
        for (const r of batch) parts.push(typeof r === 'string' ? Buffer.from(r) : r);
        let out = Buffer.concat(parts);
        parts = [];
        while (out.length > 0) {
          const n = out.length < WRITEV_MAX ? out.length : WRITEV_MAX;
          sink += n;
          out = out.subarray(n);
        }
      },
    },
  };
}

/** The line workloads, also counted by the instructions suite (callgrind). */
export function lineWorkloads(quick: boolean): CpuWorkload[] {
  const chunks = lineChunks(quick ? 20_000 : 200_000, 0x5eed);
  // Long lines: 1 B – 16 KiB chunks, a line every 32 KiB on average (up to a few
  // hundred KiB), where a scan that restarts or a queue that recopies shows.
  const long = lineChunks(quick ? 400 : 4000, 0x10c, 16 * 1024, 32 * 1024);
  return [
    lineWorkload(chunks, 1000, 'drain'),
    lineWorkload(chunks, 1000, 'take'),
    lineWorkload(long, 100, 'drain', ', long lines'),
    lineWorkload(long, 100, 'take', ', long lines'),
  ];
}

export const suite: Suite = {
  name: 'buffer',
  description: 'ChainBuffer vs bl 7 BufferList and a naive Buffer.concat queue (line reading, write queue)',
  async run(opts: RunOptions): Promise<SuiteResult> {
    const mixed = replies(200, 42);
    const buffersOnly = mixed.map((r) => (typeof r === 'string' ? Buffer.from(r) : r));
    const workloads = [
      ...lineWorkloads(opts.quick),
      writeQueueWorkload('write queue (200 replies, strings + Buffers)', mixed),
      writeQueueWorkload('write queue (200 replies, Buffers)', buffersOnly),
    ];
    const result = await runCpuWorkloads('buffer', 'ChainBuffer', workloads, opts);
    if (sink === -1) console.log(sink);
    result.notes = [
      'targets (issue 19): ChainBuffer >= 3x bl and >= 2x Buffer.concat on short lines, its lead kept on long lines; >= 1x every peer on every workload.',
      "line: chunks arrive by reference (addReference; bl.append; concat); '(add copies)' copies them in.",
      'readLine returns a view when the line lies in one chunk (which it then never reuses), else a copy; bl.slice likewise;',
      'the concat queue always returns a view (it copied every chunk on arrival instead).',
      'write queue: ChainBuffer.add copies every reply (the caller may reuse its Buffer); bl and the concat',
      "queue keep references until the flush; '(Buffers by reference)' uses addReference for Buffers.",
    ];
    return result;
  },
};
