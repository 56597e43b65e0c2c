/**
 * RequestParser fuzzing: the server side of RESP, fed what a hostile or
 * broken client could send. Valid pipelines (multibulk with binary
 * arguments, inline commands with quoting) are mutated — truncation, bit
 * flips, swapped type bytes, huge and negative counts and lengths, nested
 * `*` (which a request may not have), garbage — and fed in random chunks.
 *
 * Contract checked per input: every `next()` returns a command or null, or
 * throws a RequestError, which then sticks; nothing else escapes; the bytes
 * held never exceed the bytes fed; and the commands decoded before the end
 * are the same whatever the chunking. Deterministic for a seed.
 */
import { encodeCommand, RequestError, RequestParser, type RequestParserOptions } from '@reactor-ts/resp';
import { int, mutate, pick, rng, type MutationVocabulary, type Rand } from '@reactor-ts/test-utils';

function arg(r: Rand): Buffer {
  switch (int(r, 5)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return Buffer.from(Array.from({ length: int(r, 24) }, () => int(r, 256)));
    case 2:
      return Buffer.from('x'.repeat(int(r, 300)));
    default:
      return Buffer.from(pick(r, ['GET', 'SET', 'key', 'value', '12345', 'é', 'a b', '\r\n']));
  }
}

function validCommand(r: Rand): Buffer {
  if (r() < 0.25) {
    const words = pick(r, ['PING', 'SET k v', 'ECHO "a\\x41 b"', "ECHO 'c\\'d'", 'GET  key', '', '  ']);
    return Buffer.from(`${words}${r() < 0.5 ? '\r\n' : '\n'}`);
  }
  return encodeCommand(Array.from({ length: 1 + int(r, 5) }, () => arg(r)));
}

/** The request side's mutations: the bytes of multibulk and inline requests, and headers past the parser's limits. */
const REQUEST_VOCABULARY: MutationVocabulary = {
  typeBytes: [0x2a, 0x24, 0x2b, 0x3a, 0x0d, 0x0a, 0x20, 0x22],
  hugeLengths: ['$536870913\r\n', '$1073741824\r\n', '*2147483648\r\n', '*99999999999999999999\r\n', '$536870911\r\n', '*1048576\r\n'],
  badLengths: ['$-1\r\n', '*-5\r\n', '$-2\r\n', '*-1\r\n', '$1x\r\n', '*\r\n'],
  nesting: (r) => '*1\r\n'.repeat(1 + int(r, r() < 0.05 ? 2000 : 20)),
};

function makeInput(r: Rand): Buffer {
  if (r() < 0.1) return Buffer.from(Array.from({ length: int(r, 64) }, () => int(r, 256)));
  let b: Buffer = Buffer.concat(Array.from({ length: 1 + int(r, 4) }, () => validCommand(r)));
  const muts = r() < 0.15 ? 0 : 1 + int(r, 3);
  for (let i = 0; i < muts; i++) b = mutate(r, b, REQUEST_VOCABULARY);
  return b;
}

const FLAVOURS: RequestParserOptions[] = [
  {},
  { copy: false },
  { maxBulkLength: 64, maxInlineSize: 128, maxMultibulkLength: 8 },
  { maxQueryBuffer: 512 },
];

interface Outcome {
  commands: string[];
  end: 'need-more' | 'request-error';
  message?: string;
}

function runOnce(input: Buffer, step: (left: number) => number, opts: RequestParserOptions): Outcome {
  const p = new RequestParser(opts);
  const commands: string[] = [];
  let at = 0;
  try {
    do {
      const len = Math.min(input.length - at, step(input.length - at));
      p.feed(input.subarray(at, at + len));
      at += len;
      for (let argv = p.next(); argv !== null; argv = p.next()) {
        if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => Buffer.isBuffer(a))) throw new Error('next() returned something other than a non-empty Buffer[]');
        commands.push(argv.map((a) => a.toString('hex')).join(','));
      }
      if (p.buffered > input.length) throw new Error(`parser holds ${p.buffered} bytes of ${input.length} fed`);
    } while (at < input.length);
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    let again: unknown;
    try {
      p.next();
    } catch (e) {
      again = e;
    }
    if (again !== err) throw new Error('parser did not refuse input after a RequestError');
    return { commands, end: 'request-error', message: err.message };
  }
  return { commands, end: 'need-more' };
}

export interface RequestFuzzStats {
  inputs: number;
  commands: number;
  needMore: number;
  requestErrors: number;
}

/** Fuzz `count` inputs from `seed`; throws with the input in hex on the first broken contract. */
export function fuzzRequests(count: number, seed: number): RequestFuzzStats {
  const r = rng(seed);
  const stats: RequestFuzzStats = { inputs: 0, commands: 0, needMore: 0, requestErrors: 0 };
  for (let i = 0; i < count; i++) {
    const input = makeInput(r);
    const opts = pick(r, FLAVOURS);
    const mode = int(r, 3);
    const step = mode === 0 ? () => 1 : mode === 1 ? (left: number) => 1 + int(r, Math.min(left, 16)) : (left: number) => 1 + int(r, left);
    try {
      const whole = runOnce(input, (left) => left, opts);
      const split = runOnce(input, input.length > 4096 && mode === 0 ? (left) => left : step, opts);
      const n = Math.min(whole.commands.length, split.commands.length);
      for (let k = 0; k < n; k++) if (whole.commands[k] !== split.commands[k]) throw new Error(`command ${k} differs when chunked`);
      if (whole.end !== split.end || whole.commands.length !== split.commands.length) {
        // Size limits are checked on what is held while a line or request is
        // incomplete, which depends on the chunking (as in Redis: a 100 KiB
        // inline line arriving whole is served, arriving in pieces it is
        // "too big"). Any other difference is a bug.
        const sizeLimit = (o: Outcome): boolean => o.end === 'request-error' && /too big|max query buffer/.test(o.message ?? '');
        if (!sizeLimit(split) && !sizeLimit(whole)) throw new Error(`chunked: ${split.end}/${split.commands.length}, whole: ${whole.end}/${whole.commands.length}`);
      }
      stats.inputs++;
      stats.commands += whole.commands.length;
      if (whole.end === 'need-more') stats.needMore++;
      else stats.requestErrors++;
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      e.message = `request fuzz input #${i} (seed ${seed}, ${JSON.stringify(opts)}): ${input.toString('hex')}: ${e.message}`;
      throw e;
    }
  }
  return stats;
}
