/**
 * Long fuzz run of the RESP reader.
 *
 *   npx tsx --conditions=source packages/resp/scripts/fuzz-long.ts [count=5000000] [seed=random]
 *
 * Runs in batches of 100,000 with consecutive seeds, printing progress; on
 * a failure prints the input (hex) and the seed to replay it, and exits 1.
 */
import { ChainBuffer } from '@reactor-ts/buffer';
import { fuzzReplies } from '@reactor-ts/test-utils';
import { NativeBuilder, NEED_MORE, ProtocolError, RespReader } from '../src/index.js';

const kit = { RespReader, NativeBuilder, NEED_MORE, ProtocolError, ChainBuffer };

const count = Number(process.argv[2] ?? 5_000_000);
const seed0 = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(seed0)) {
  console.error('usage: fuzz-long.ts [count] [seed]');
  process.exit(2);
}
const batch = 100_000;
const t0 = Date.now();
let done = 0;
let values = 0;
let errors = 0;
for (let seed = seed0; done < count; seed++) {
  const n = Math.min(batch, count - done);
  try {
    const s = fuzzReplies(kit, n, seed);
    values += s.values;
    errors += s.protocolErrors;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  done += n;
  const secs = (Date.now() - t0) / 1000;
  console.log(`${done} inputs (seeds ${seed0}..${seed}), ${values} replies, ${errors} protocol errors, ${secs.toFixed(1)} s`);
}
console.log('ok');
