/**
 * Hash commands against redis-server 7.0, byte for byte, in RESP2 and RESP3
 * (harness: ../test/differential.ts). HRANDFIELD is random, so only its
 * deterministic cases are compared here (no key, count 0, a count that
 * covers the whole hash, a one-field hash, the errors); hashes.spec.ts
 * checks the random ones' shape.
 */
import { differential, type Script } from '../test/differential.js';

const scripts: Record<string, Script> = {
  'HSETNX and HSTRLEN': [
    ['hsetnx', 'h', 'f', 'v'],
    ['hsetnx', 'h', 'f', 'other'],
    ['hget', 'h', 'f'],
    ['hsetnx', 'h', 'g', ''],
    ['hstrlen', 'h', 'f'],
    ['hstrlen', 'h', 'g'],
    ['hstrlen', 'h', 'nope'],
    ['hstrlen', 'nosuch', 'f'],
    ['hset', 'h', 'n', '12345'],
    ['hstrlen', 'h', 'n'],
    ['hsetnx', 'h', 'f'],
    ['set', 's', 'v'],
    ['hsetnx', 's', 'f', 'v'],
    ['hstrlen', 's', 'f'],
    ['hgetall', 'h'],
  ],
  HINCRBYFLOAT: [
    ['hincrbyfloat', 'h', 'f', '1.5'],
    ['hincrbyfloat', 'h', 'f', '0.1'],
    ['hincrbyfloat', 'h', 'f', '-1.6'],
    ['hincrbyfloat', 'h', 'f', '10'],
    ['hincrbyfloat', 'h', 'f', '1e3'],
    ['hincrbyfloat', 'h', 'f', '5.0e3'],
    ['hincrbyfloat', 'h', 'g', '3.0000000000000001'],
    ['hincrbyfloat', 'h', 'g', '-3'],
    ['hset', 'h', 'i', '17'],
    ['hincrbyfloat', 'h', 'i', '0.25'],
    ['hset', 'h', 's', 'abc'],
    ['hincrbyfloat', 'h', 's', '1'],
    ['hincrbyfloat', 'h', 'f', 'abc'],
    ['hincrbyfloat', 'h', 'f', 'inf'],
    ['hincrbyfloat', 'h', 'f', '-inf'],
    ['hincrbyfloat', 'h', 'f', 'nan'],
    ['hincrbyfloat', 'h', 'f', ''],
    ['hincrbyfloat', 'h', 'f', ' 1'],
    ['hincrbyfloat', 'h', 'big', '1.7e308'],
    ['hincrbyfloat', 'h', 'big', '1.7e308'],
    ['hincrbyfloat', 'nosuch', 'f', 'bad'],
    ['exists', 'nosuch'],
    // The 309-byte value made Redis convert the hash to a hashtable: its order is the table's.
    { cmd: ['hgetall', 'h'], sorted: true },
    ['set', 'str', 'v'],
    ['hincrbyfloat', 'str', 'f', '1'],
    ['hincrbyfloat', 'str', 'f', 'bad'],
  ],
  'HRANDFIELD (deterministic cases)': [
    ['hrandfield', 'nosuch'],
    ['hrandfield', 'nosuch', '5'],
    ['hrandfield', 'nosuch', '-5', 'withvalues'],
    ['hrandfield', 'nosuch', '0'],
    ['hset', 'one', 'f', 'v'],
    ['hrandfield', 'one'],
    ['hrandfield', 'one', '1'],
    ['hrandfield', 'one', '-3'],
    ['hrandfield', 'one', '-3', 'withvalues'],
    ['hrandfield', 'one', '1', 'WITHVALUES'],
    ['hset', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['hrandfield', 'h', '0'],
    ['hrandfield', 'h', '3'],
    ['hrandfield', 'h', '10'],
    ['hrandfield', 'h', '10', 'withvalues'],
    ['hrandfield', 'h', '0', 'withvalues'],
    ['hrandfield', 'h', 'x'],
    ['hrandfield', 'h', '1', 'bogus'],
    ['hrandfield', 'h', '1', 'withvalues', 'extra'],
    ['hrandfield', 'h', '9223372036854775807', 'withvalues'],
    ['hrandfield', 'h', '-9223372036854775807', 'withvalues'],
    ['hrandfield', 'h', '4611686018427387903', 'withvalues'],
    ['hrandfield', 'h', '9223372036854775807'],
    ['hrandfield', 'h', '-9223372036854775808'],
    ['hrandfield', 'nosuch', 'x'],
    ['set', 's', 'v'],
    ['hrandfield', 's'],
    ['hrandfield', 's', '1'],
  ],
};

differential('hash commands like redis-server 7.0', scripts);
