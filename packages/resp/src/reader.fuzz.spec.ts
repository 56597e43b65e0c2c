/**
 * Bounded fuzz of RespReader: 100,000 mutated and random inputs, each ending
 * in values, NEED_MORE or a ProtocolError and nothing else. The long run is
 * packages/resp/scripts/fuzz-long.ts; the generator is test-utils' resp-fuzz.ts.
 */
import { ChainBuffer } from '@reactor-ts/buffer';
import { fuzzReplies, type RespKit } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { NativeBuilder } from './builders.js';
import { ProtocolError } from './errors.js';
import { NEED_MORE, RespReader } from './reader.js';

const kit: RespKit<NativeBuilder> = { RespReader, NativeBuilder, NEED_MORE, ProtocolError, ChainBuffer };

describe('RespReader fuzz', () => {
  it('100,000 inputs end in a value, NEED_MORE or ProtocolError', () => {
    let inputs = 0;
    let errors = 0;
    // Four fixed seeds: reproducible, and a failure names its seed.
    for (const seed of [1, 2, 3, 4]) {
      const s = fuzzReplies(kit, 25_000, seed);
      inputs += s.inputs;
      errors += s.protocolErrors;
    }
    expect(inputs).toBe(100_000);
    // Both outcomes are well represented, or the mutations are too weak/strong.
    expect(errors).toBeGreaterThan(10_000);
    expect(inputs - errors).toBeGreaterThan(10_000);
  });
});
