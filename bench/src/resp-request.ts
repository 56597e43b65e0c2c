/**
 * resp-request: the server side, RequestParser reading pipelined commands,
 * beside redis-parser 3 and node-redis 6's RESP decoder reading the same
 * bytes. A multibulk request is a RESP array of bulk strings, so both peers
 * can parse it (asked for Buffers, as a server wants); neither knows inline
 * commands or Redis's request limits, which RequestParser also checks.
 *
 * The peers hand out views into the fed chunks, so `reactor-ts` runs with
 * `{ copy: false }`; `reactor-ts copy` is the default, where every argument is
 * copied out (what a server that keeps keys and values wants).
 *
 * Run: npx tsx --conditions=source bench/src/main.ts resp-request [--quick]
 */
import { encodeCommand, RequestParser } from '@reactor-ts/resp';
import { NodeRedisDecoder, RedisParser } from './lib/peer-parsers.js';
import { runCpuWorkloads, type CpuWorkload, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';

const CHUNK = 16 * 1024;

function chunked(commands: Array<Array<string | Buffer>>): Buffer[] {
  return split(Buffer.concat(commands.map((c) => encodeCommand(c))));
}

function split(all: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += CHUNK) out.push(all.subarray(i, i + CHUNK));
  return out;
}

/** One timed call of ours: a fresh RequestParser reads every chunk; the command count is checked. */
function parseAll(chunks: Buffer[], count: number, copy: boolean): () => void {
  return () => {
    const p = new RequestParser({ copy });
    let n = 0;
    for (const c of chunks) {
      p.feed(c);
      while (p.next() !== null) n++;
    }
    if (n !== count) throw new Error(`RequestParser read ${n} of ${count}`);
  };
}

/** RequestParser alone: inline requests are RESP to neither peer. */
function inlineWorkload(name: string, lines: string[]): CpuWorkload {
  const chunks = split(Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1'));
  const count = lines.length;
  const ours = (copy: boolean) => parseAll(chunks, count, copy);
  return { name, unit: 'cmds/s', perCall: count, impls: { 'reactor-ts': ours(false), 'reactor-ts copy': ours(true) } };
}

function workload(name: string, commands: Array<Array<string | Buffer>>): CpuWorkload {
  const chunks = chunked(commands);
  const count = commands.length;
  const ours = (copy: boolean) => parseAll(chunks, count, copy);
  const parser = new RedisParser({
    returnReply: () => undefined,
    returnError: (e) => {
      throw e;
    },
    returnFatalError: (e) => {
      throw e;
    },
    returnBuffers: true,
  });
  const mapping: Record<number, unknown> = { 36: Buffer };
  const decoder = new NodeRedisDecoder({
    onReply: () => undefined,
    onErrorReply: (e) => {
      throw e;
    },
    onPush: () => undefined,
    getTypeMapping: () => mapping,
  });
  return {
    name,
    unit: 'cmds/s',
    perCall: count,
    impls: {
      'reactor-ts': ours(false),
      'reactor-ts copy': ours(true),
      'redis-parser': () => {
        for (const c of chunks) parser.execute(c);
      },
      'node-redis': () => {
        for (const c of chunks) decoder.write(c);
      },
    },
  };
}

export const suite: Suite = {
  name: 'resp-request',
  description: 'RequestParser vs redis-parser and node-redis decoder on pipelined commands, 16 KiB chunks (cmds/s)',
  async run(opts: RunOptions): Promise<SuiteResult> {
    const scale = opts.quick ? 0.1 : 1;
    const n = (k: number): number => Math.max(1, Math.round(k * scale));
    const v16 = 'v'.repeat(16);
    const workloads = [
      workload('SET key:<n> <16 B> x100k', Array.from({ length: n(100_000) }, (_, i) => ['SET', `key:${i}`, v16])),
      workload(
        'MSET 10 pairs x10k',
        Array.from({ length: n(10_000) }, (_, i) => ['MSET', ...Array.from({ length: 20 }, (_, k) => `k:${i}:${k}`)]),
      ),
      workload('PING (multibulk) x100k', Array.from({ length: n(100_000) }, () => ['PING'])),
      inlineWorkload('PING (inline) x100k', Array.from({ length: n(100_000) }, () => 'PING')),
      inlineWorkload('SET key:<n> <16 B> (inline) x100k', Array.from({ length: n(100_000) }, (_, i) => `SET key:${i} ${v16}`)),
      workload('SET key <16 KiB> x1k', Array.from({ length: n(1000) }, (_, i) => ['SET', `key:${i}`, Buffer.alloc(16384, i)])),
    ];
    const result = await runCpuWorkloads('resp-request', 'reactor-ts', workloads, opts);
    result.notes = [
      "redis-parser and node-redis hand out views into the fed chunks, as 'reactor-ts' ({ copy: false }) does;",
      "'reactor-ts copy' (the default) copies every argument out of the chunks.",
      'The inline workloads (what redis-benchmark PING_INLINE and telnet send) run RequestParser alone: neither peer parses inline requests.',
    ];
    return result;
  },
};
