/**
 * The blocking list commands when they need not block (data present, or
 * inside MULTI/EXEC, where they never block) and their argument errors,
 * against redis-server 7.0 byte for byte in RESP2 and RESP3 (harness:
 * ../test/differential.ts). blocking.spec.ts has the cases that do block.
 */
import { differential, type Script } from '../test/differential.js';

const scripts: Record<string, Script> = {
  'BLPOP / BRPOP served at once': [
    ['rpush', 'b', '1', '2', '3'],
    ['blpop', 'a', 'b', '0'],
    ['brpop', 'a', 'b', '0'],
    ['blpop', 'b', '1.5'],
    ['exists', 'b'],
    ['rpush', 'a', 'x'],
    ['rpush', 'b', 'y'],
    ['brpop', 'b', 'a', '0'],
    ['blpop', 'a', 'a', '0'],
    ['set', 's', 'v'],
    ['blpop', 's', '0'],
    ['blpop', 'nosuch', 's', '0'],
    ['blpop', 'b', 'bad'],
    ['blpop', 'b', '-1'],
    ['blpop', 'b', 'inf'],
    ['blpop', 'b', '-inf'],
    ['blpop', 'b', 'nan'],
    ['blpop', 'b', '1e20'],
    ['blpop', 'b', ''],
    ['blpop', 'b'],
  ],
  'BLMOVE / BRPOPLPUSH served at once': [
    ['rpush', 'src', 'a', 'b', 'c'],
    ['blmove', 'src', 'dst', 'left', 'right', '0'],
    ['brpoplpush', 'src', 'dst', '0'],
    ['lrange', 'dst', '0', '-1'],
    ['blmove', 'src', 'src', 'right', 'left', '0'],
    ['blmove', 'src', 'dst', 'middle', 'right', '0'],
    ['blmove', 'src', 'dst', 'left', 'right', 'bad'],
    ['blmove', 'src', 'dst', 'left', 'middle', 'bad'],
    ['brpoplpush', 'src', 'dst', '-1'],
    ['set', 's', 'v'],
    ['blmove', 'src', 's', 'left', 'left', '0'],
    ['lrange', 'src', '0', '-1'],
    ['brpoplpush', 's', 'dst', '0'],
  ],
  'BLMPOP served at once, and its argument order': [
    ['rpush', 'b', '1', '2', '3'],
    ['blmpop', '0', '2', 'a', 'b', 'left'],
    ['blmpop', '0', '2', 'a', 'b', 'right', 'count', '5'],
    ['exists', 'b'],
    ['blmpop', 'bad', '0', 'a', 'left'],
    ['blmpop', 'bad', '1', 'a', 'middle'],
    ['blmpop', 'bad', '1', 'a', 'left', 'count', '0'],
    ['blmpop', '-1', '1', 'a', 'left'],
    ['blmpop', '0', '5', 'a', 'left'],
    ['set', 's', 'v'],
    ['blmpop', '0', '1', 's', 'left'],
    ['blmpop', '0', '1', 'a'],
  ],
  'inside MULTI/EXEC nothing blocks': [
    ['multi'],
    ['blpop', 'nosuch', '0'],
    ['brpop', 'nosuch', '0'],
    ['blmove', 'nosuch', 'd', 'left', 'left', '0'],
    ['brpoplpush', 'nosuch', 'd', '0'],
    ['blmpop', '0', '1', 'nosuch', 'left'],
    ['rpush', 'l', 'x'],
    ['blpop', 'l', '0'],
    ['exec'],
  ],
};

differential('blocking list commands like redis-server 7.0 (no wait)', scripts);
