import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ChainBuffer, BufferOverflowError } from './index.js';

// Random operation sequences against a plain-Buffer reference model. Small
// chunk sizes and CR/LF-heavy bytes force separators, lines and pullups to
// straddle chunks. Every view the buffer hands out is snapshotted and checked
// again later in the run: pooling must never rewrite bytes a caller can see.

const byte = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(13, 10, 97) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
const bytes = fc.array(byte, { maxLength: 24 }).map((a) => Buffer.from(a));
// A position as a fraction of the current length (fc.double clusters at 0).
const frac = fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 100 }).map((x) => x / 100));

type Op =
  | { op: 'add'; data: Buffer }
  | { op: 'addString'; data: string }
  | { op: 'addReference'; data: Buffer }
  | { op: 'drain' | 'remove' | 'pullup' | 'byteAt'; at: number }
  | { op: 'search'; sep: Buffer | string | { slice: number; len: number }; from: number }
  | { op: 'readLine' | 'peek' | 'clear' | 'bad' }
  | { op: 'writeAtMost'; max: number | undefined }
  | { op: 'reserve'; data: Buffer; extra: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: bytes.map((data) => ({ op: 'add' as const, data })) },
  { weight: 2, arbitrary: fc.oneof(fc.string(), fc.string({ unit: 'binary' })).map((data) => ({ op: 'addString' as const, data })) },
  { weight: 4, arbitrary: bytes.map((data) => ({ op: 'addReference' as const, data })) },
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constantFrom('drain' as const, 'remove' as const, 'pullup' as const, 'byteAt' as const), at: frac }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('search' as const),
      sep: fc.oneof(
        fc.constantFrom('\r\n', '\r', 'a', 'aa\r', '\r\n\r\n'),
        fc.array(fc.constantFrom(13, 10, 97), { minLength: 1, maxLength: 5 }).map((a) => Buffer.from(a)),
        fc.record({ slice: frac, len: fc.integer({ min: 1, max: 12 }) }),
      ),
      from: fc.integer({ min: 0, max: 50 }),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ op: 'readLine' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'peek' as const }) },
  { weight: 1, arbitrary: fc.constantFrom({ op: 'clear' as const }, { op: 'bad' as const }) },
  { weight: 2, arbitrary: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }).map((max) => ({ op: 'writeAtMost' as const, max })) },
  // reserve room for data plus some, write data in place, commit its length
  { weight: 3, arbitrary: fc.record({ op: fc.constant('reserve' as const), data: bytes, extra: fc.integer({ min: 0, max: 30 }) }) },
);

const configArb = fc.record({
  chunkSize: fc.integer({ min: 1, max: 24 }),
  poolSize: fc.integer({ min: 0, max: 4 }),
  maxSize: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
});

function run(config: { chunkSize: number; poolSize: number; maxSize: number | undefined }, ops: Op[]): void {
  const cb = new ChainBuffer(config);
  const limit = config.maxSize ?? Infinity;
  let model = Buffer.alloc(0);
  const handedOut: Array<{ view: Buffer; copy: Buffer }> = [];
  const keep = (view: Buffer): Buffer => {
    handedOut.push({ view, copy: Buffer.from(view) });
    return view;
  };
  const pick = (at: number): number => Math.min(model.length, Math.floor(at * (model.length + 1)));

  const checkViews = (): void => {
    for (const h of handedOut) expect(h.view.equals(h.copy)).toBe(true);
  };
  for (const [k, step] of ops.entries()) {
    switch (step.op) {
      case 'add':
      case 'addString':
      case 'addReference': {
        const data = typeof step.data === 'string' ? Buffer.from(step.data) : step.data;
        const call = (): void =>
          step.op === 'addReference' ? cb.addReference(step.data as Buffer) : cb.add(step.data);
        if (model.length + data.length > limit) {
          expect(call).toThrow(BufferOverflowError);
        } else {
          call();
          model = Buffer.concat([model, data]);
        }
        break;
      }
      case 'drain':
        cb.drain(pick(step.at));
        model = model.subarray(pick(step.at));
        break;
      case 'remove': {
        const n = pick(step.at);
        expect(keep(cb.remove(n)).equals(model.subarray(0, n))).toBe(true);
        model = model.subarray(n);
        break;
      }
      case 'pullup': {
        const n = pick(step.at);
        expect(keep(cb.pullup(n)).equals(model.subarray(0, n))).toBe(true);
        break;
      }
      case 'byteAt':
        if (model.length > 0) {
          const i = Math.min(model.length - 1, pick(step.at));
          expect(cb.byteAt(i)).toBe(model[i]);
        }
        break;
      case 'search': {
        let sep = step.sep;
        if (typeof sep === 'object' && !Buffer.isBuffer(sep)) {
          const start = pick(sep.slice);
          sep = model.subarray(start, start + sep.len);
          if (sep.length === 0) break;
        }
        expect(cb.search(sep, step.from)).toBe(model.indexOf(sep, step.from) >= step.from ? model.indexOf(sep, step.from) : -1);
        break;
      }
      case 'readLine': {
        const at = model.indexOf('\r\n');
        const line = cb.readLine();
        if (line !== null) keep(line);
        if (at < 0) {
          expect(line).toBeNull();
        } else {
          expect(line?.equals(model.subarray(0, at))).toBe(true);
          model = model.subarray(at + 2);
        }
        break;
      }
      case 'peek': {
        const views = cb.peek().map(keep);
        expect(views.every((v) => v.length > 0)).toBe(true);
        expect(Buffer.concat(views).equals(model)).toBe(true);
        break;
      }
      case 'reserve': {
        const room = step.data.length + step.extra;
        if (room === 0) break;
        if (model.length + room > limit) {
          expect(() => cb.reserve(room)).toThrow(BufferOverflowError);
          break;
        }
        const buf = cb.reserve(room);
        const at = cb.reservedOffset;
        expect(buf.length - at).toBeGreaterThanOrEqual(room);
        // Garbage in the unused part must never become readable.
        buf.fill(0xee, at, at + room);
        step.data.copy(buf, at);
        cb.commit(step.data.length);
        model = Buffer.concat([model, step.data]);
        break;
      }
      case 'writeAtMost': {
        const w = keep(cb.writeAtMost(step.max));
        expect(w.length <= (step.max ?? Infinity)).toBe(true);
        expect(w.length > 0 || model.length === 0 || step.max === 0).toBe(true);
        expect(w.equals(model.subarray(0, w.length))).toBe(true);
        break;
      }
      case 'clear':
        cb.clear();
        model = Buffer.alloc(0);
        break;
      case 'bad':
        expect(() => cb.drain(model.length + 1)).toThrow(RangeError);
        expect(() => cb.remove(-1)).toThrow(RangeError);
        expect(() => cb.pullup(model.length + 1)).toThrow(RangeError);
        break;
    }
    expect(cb.length).toBe(model.length);
    // Only appends write memory; checking after every fourth step keeps the
    // run linear enough while a rewritten view still cannot slip through.
    if (k % 4 === 3) checkViews();
  }
  checkViews();
  expect(Buffer.concat(cb.peek()).equals(model)).toBe(true);
}

describe('ChainBuffer against a plain Buffer model', () => {
  it('agrees on every operation sequence, and handed-out views never change', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { maxLength: 80, size: 'max' }), (config, ops) => run(config, ops)),
      { numRuns: 500 },
    );
  });

  it('agrees with the default chunk size too', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80, size: 'max' }), (ops) => run({ chunkSize: 16384, poolSize: 2, maxSize: undefined }, ops)),
      { numRuns: 150 },
    );
  });
});

// Socket-sized reads (up to 1.5 KiB, so some are linked and some copied)
// of binary data with CRLFs and lone CRs/LFs: readLine and search('\r\n')
// must agree with indexOf over the concatenation, whichever path (one-byte
// scan, the native two-byte search after lone CRs, a CR straddling reads,
// a straddling line coalesced) finds the line.
describe('ChainBuffer line reading over large reads', () => {
  const lineByte = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 255 }) },
    { weight: 1, arbitrary: fc.constantFrom(13, 10) },
  );
  const read = fc.oneof(
    fc.array(lineByte, { maxLength: 40 }),
    fc.array(lineByte, { minLength: 200, maxLength: 1500 }),
  ).map((a) => Buffer.from(a));
  const scenario = fc.record({
    reads: fc.array(fc.record({ data: read, byRef: fc.boolean(), take: fc.boolean() }), { maxLength: 40 }),
    chunkSize: fc.constantFrom(64, 1024, 16384),
  });

  it('finds every line exactly where indexOf over the whole stream does', () => {
    fc.assert(
      fc.property(scenario, ({ reads, chunkSize }) => {
        const cb = new ChainBuffer({ chunkSize });
        let model = Buffer.alloc(0);
        const held: Array<[Buffer, Buffer]> = [];
        for (const { data, byRef, take } of reads) {
          if (byRef) cb.addReference(Buffer.from(data));
          else cb.add(data);
          model = Buffer.concat([model, data]);
          for (;;) {
            const at = model.indexOf('\r\n');
            expect(cb.search('\r\n')).toBe(at);
            if (at < 0) {
              expect(cb.readLine()).toBeNull();
              break;
            }
            if (take) {
              const line = cb.readLine();
              expect(line).not.toBeNull();
              expect(Buffer.compare(line!, model.subarray(0, at))).toBe(0);
              held.push([line!, Buffer.from(model.subarray(0, at))]);
            } else {
              cb.drain(at + 2);
            }
            model = model.subarray(at + 2);
            expect(cb.length).toBe(model.length);
          }
        }
        // Lines handed out earlier are never rewritten by later reads.
        for (const [line, copy] of held) expect(Buffer.compare(line, copy)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
