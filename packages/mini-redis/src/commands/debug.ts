/**
 * DEBUG, the parts that make sense here: SLEEP (the whole server stops for
 * that long, as Redis's does: the thread waits, so the reactor dispatches
 * nothing meanwhile) and OBJECT (Redis's one-line description of a value;
 * `Value at:` shows no real address, there is none, and `serializedlength`
 * is Redis's for strings up to 20 bytes, else the length of mini-redis's
 * own RDB encoding of the value: plain encodings, no LZF). mini-redis
 * is a server for tests, so DEBUG is on, as with `enable-debug-command yes`.
 */
import { SimpleString } from '@reactor-ts/resp';
import { parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { encodingOf, refcountOf } from '../encoding.js';
import { dumpEntry } from '../rdb.js';
import { err, OK } from '../reply.js';
import { k } from './util.js';

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'OBJECT <key>',
  '    Show low-level info about the <key> and associated value.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
].map((l) => new SimpleString(l));

/** strtod's reading: the longest numeric prefix, 0 when there is none (DEBUG SLEEP abc sleeps 0). */
function strtod(b: Buffer): number {
  const v = Number.parseFloat(b.toString('latin1'));
  return Number.isFinite(v) ? v : 0;
}

/** Blocks the thread for `ms` (Atomics.wait on a private cell nobody notifies). */
function sleepThread(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * rdbSaveStringObject's length: an integer of up to 11 characters that fits
 * 32 bits is saved as 1 + 1/2/4 bytes, anything else as a length prefix and
 * the bytes. (Redis would LZF-compress a string over 20 bytes when that
 * saves space; mini-redis has no LZF compressor, so such a string reports
 * its uncompressed length.)
 */
function stringSerializedLength(v: Buffer): number {
  const n = v.length <= 11 ? parseInt64(v) : null;
  if (n !== null) {
    if (n >= -128n && n <= 127n) return 2;
    if (n >= -32768n && n <= 32767n) return 3;
    if (n >= -(2n ** 31n) && n < 2n ** 31n) return 5;
  }
  const len = v.length;
  const prefix = len < 64 ? 1 : len < 16384 ? 2 : len <= 0xffffffff ? 5 : 9;
  return prefix + len;
}

function debugObject(c: Client, key: string): unknown {
  const e = c.db.peek(key);
  if (e === undefined) throw err('ERR no such key');
  const enc = encodingOf(e, c.server.config.limits);
  let serialized: number;
  if (e.type === 'string') serialized = stringSerializedLength(e.value);
  else {
    // The RDB payload without its type byte, 2-byte version and 8-byte CRC.
    const payload = dumpEntry(e);
    serialized = payload === null ? 0 : payload.length - 11;
  }
  const lruMs = e.lru ?? c.server.store.shared.clock.now;
  const idle = Math.max(0, Math.floor((Date.now() - lruMs) / 1000));
  let line = `Value at:0x0 refcount:${refcountOf(e)} encoding:${enc} serializedlength:${serialized} lru:${Math.floor(lruMs / 1000) & 0xffffff} lru_seconds_idle:${idle}`;
  if (e.type === 'list') {
    let bytes = 0;
    for (let i = 0; i < e.value.length; i++) bytes += (e.value.at(i) as Buffer).length + 2;
    // One quicklist node per list here (no 8 KiB node split is modelled).
    line += ` ql_nodes:1 ql_avg_node:${e.value.length.toFixed(2)} ql_listpack_max:${c.server.config.listMaxListpackSize} ql_compressed:0 ql_uncompressed_size:${bytes + 7}`;
  }
  return new SimpleString(line);
}

function debug(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  if (sub === 'help' && argv.length === 2) return HELP;
  if (sub === 'sleep' && argv.length === 3) {
    sleepThread(strtod(argv[2] as Buffer) * 1000);
    return OK;
  }
  if (sub === 'object' && argv.length === 3) return debugObject(c, k(argv[2] as Buffer));
  throw err(`ERR unknown subcommand or wrong number of arguments for '${(argv[1] as Buffer).toString('latin1')}'. Try DEBUG HELP.`);
}

export const debugCommands: Command[] = [command('debug', -2, 'admin noscript loading stale', debug)];
