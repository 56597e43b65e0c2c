/**
 * Scripts over maxmemory, against redis-server 7.0 (RESP2 and RESP3).
 * `CONFIG SET maxmemory 1` after writing a key puts both servers over the
 * limit whatever either counts as its own memory, and the default
 * noeviction policy keeps them there: every outcome below is deterministic.
 *
 * What Redis 7.0 does, and these scripts pin:
 * - EVAL without a shebang keeps EVAL's flags (no denyoom), so it starts;
 *   its first write, if denyoom, fails with -OOM (redis.call raises it,
 *   redis.pcall returns it); a write without denyoom (DEL, EXPIRE) first
 *   makes the script dirty and later denyoom writes run.
 * - A script with a `#!lua` shebang, and every function, declares its
 *   flags: without allow-oom or no-writes it is a denyoom command and
 *   EVAL / EVALSHA / EVAL_RO / FCALL / FCALL_RO are refused before running;
 *   allow-oom writes freely; no-writes reads, and its writes are refused as
 *   read-only, not as OOM.
 * - Inside MULTI every command is refused over maxmemory, scripts too.
 */
import { createHash } from 'node:crypto';
import { differential, type Script } from '../test/differential.js';

const SET = "return redis.call('set', KEYS[1], 'v')";
const SET_SHA = createHash('sha1').update(SET).digest('hex');
const unlimit: Script = [['config', 'set', 'maxmemory', 0]];
const limit: Script = [['set', 'a', '1'], ['config', 'set', 'maxmemory', 1]];
/** After the limit is lifted: which of the writes happened. */
const outcome: Script = [['config', 'set', 'maxmemory', 0], ['mget', 'a', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'cnt'], ['llen', 'l']];

differential('scripts over maxmemory like redis-server 7.0', {
  'EVAL without a shebang: the first denyoom write fails, a dirty script goes on': [
    ...unlimit,
    ...limit,
    ['eval', SET, 1, 'k1'],
    ['eval', "return redis.pcall('set', KEYS[1], 'v')", 1, 'k1'],
    ['eval', "local r = redis.pcall('set', KEYS[1], 'v'); return {r['err'], redis.call('get', 'a')}", 1, 'k1'],
    ['eval', "redis.call('del', 'nosuch'); return redis.call('set', KEYS[1], 'v')", 1, 'k2'],
    ['eval', "redis.call('expire', 'a', 1000); return redis.call('set', KEYS[1], 'v')", 1, 'k3'],
    ['eval', "redis.call('get', 'a'); return redis.call('set', KEYS[1], 'v')", 1, 'k4'],
    ['eval', "return redis.call('incr', 'cnt')", 0],
    ['eval', "return redis.call('lpush', 'l', 'x')", 0],
    ['eval', "return redis.call('get', 'a')", 0],
    ['eval_ro', "return redis.call('get', 'a')", 0],
    ['eval', "return redis.call('persist', 'a')", 0],
    ['script', 'load', SET],
    ['evalsha', SET_SHA, 1, 'k5'],
    ['evalsha', SET_SHA.toUpperCase(), 1, 'k5'],
    ...outcome,
  ],
  'EVALSHA of a cached script without a shebang: the same per-write check': [
    ...unlimit,
    ['script', 'flush'],
    ['script', 'load', SET],
    ...limit,
    ['evalsha', SET_SHA, 1, 'k1'],
    ['evalsha', 'ffffffffffffffffffffffffffffffffffffffff', 1, 'k1'],
    ['script', 'load', "return redis.call('set', KEYS[1], 'w')"],
    ...outcome,
  ],
  'a #!lua shebang declares flags: refused unless allow-oom or no-writes': [
    ...unlimit,
    ['script', 'flush'],
    ...limit,
    ['eval', "#!lua\nreturn redis.call('get', 'a')", 0],
    ['eval', "#!lua\nreturn 1", 0],
    ['eval_ro', "#!lua\nreturn redis.call('get', 'a')", 0],
    ['eval', "#!lua flags=no-writes\nreturn redis.call('get', 'a')", 0],
    ['eval_ro', "#!lua flags=no-writes\nreturn redis.call('get', 'a')", 0],
    ['eval', "#!lua flags=no-writes\nreturn redis.call('set', 'k1', 'v')", 0],
    ['eval', "#!lua flags=allow-oom\nreturn redis.call('set', 'k2', 'v')", 0],
    ['eval', "#!lua flags=allow-oom,no-writes\nreturn redis.call('get', 'a')", 0],
    ['eval', "#!lua flags=allow-stale\nreturn redis.call('get', 'a')", 0],
    ['eval', "#!lua flags=bogus\nreturn 1", 0],
    ['script', 'load', "#!lua\nreturn redis.call('set', 'k3', 'v')"],
    ['script', 'load', "#!lua flags=allow-oom\nreturn redis.call('set', 'k4', 'v')"],
    ['evalsha', '8efec11c9e7b4af8b6035b36c5bacc7eff818490', 0],
    ['evalsha', '9322bd746d79bdbb42921035f3d441ef6cc595e4', 0],
    ['evalsha_ro', '9322bd746d79bdbb42921035f3d441ef6cc595e4', 0],
    ...outcome,
  ],
  'functions declare flags: FCALL refused unless allow-oom or no-writes': [
    ...unlimit,
    ['function', 'flush'],
    [
      'function',
      'load',
      [
        '#!lua name=oomlib',
        "redis.register_function('plain', function(keys) return redis.call('set', keys[1], 'v') end)",
        "redis.register_function{function_name='roomy', callback=function(keys) return redis.call('set', keys[1], 'v') end, flags={'allow-oom'}}",
        "redis.register_function{function_name='reader', callback=function() return redis.call('get', 'a') end, flags={'no-writes'}}",
        "redis.register_function{function_name='sneaky', callback=function(keys) return redis.call('set', keys[1], 'v') end, flags={'no-writes'}}",
      ].join('\n'),
    ],
    ...limit,
    ['fcall', 'plain', 1, 'k1'],
    ['fcall_ro', 'plain', 1, 'k1'],
    ['fcall', 'roomy', 1, 'k2'],
    ['fcall', 'reader', 0],
    ['fcall_ro', 'reader', 0],
    ['fcall', 'sneaky', 1, 'k3'],
    ['fcall', 'nosuch', 0],
    ['function', 'delete', 'oomlib'],
    ...outcome,
    ['function', 'flush'],
  ],
  'inside MULTI over maxmemory: scripts are refused like any command': [
    ...unlimit,
    ...limit,
    ['multi'],
    ['eval', "return redis.call('get', 'a')", 0],
    ['eval', "#!lua flags=allow-oom\nreturn 1", 0],
    ['exec'],
    ...outcome,
  ],
  'EVAL_RO of a script that declares flags without no-writes is refused, OOM or not': [
    ...unlimit,
    ['eval_ro', "#!lua flags=allow-oom\nreturn 1", 0],
    ['eval_ro', "#!lua\nreturn 1", 0],
    ['eval_ro', "#!lua flags=no-writes\nreturn 1", 0],
    ['eval_ro', 'return 1', 0],
  ],
  'over maxmemory, then under it again: the same scripts run': [
    ...unlimit,
    ...limit,
    ['eval', SET, 1, 'k1'],
    ['config', 'set', 'maxmemory', 0],
    ['eval', SET, 1, 'k1'],
    ['eval', "#!lua\nreturn redis.call('set', 'k2', 'v')", 0],
    ...outcome,
  ],
});
