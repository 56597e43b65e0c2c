/** DUMP and RESTORE, on the RDB value format of rdb.ts. */
import { parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { BadPayload, dumpEntry, restoreEntry, verifyPayload } from '../rdb.js';
import { NOTIFY_GENERIC } from '../notify.js';
import { err, NOT_INTEGER, OK, SYNTAX } from '../reply.js';
import { is, k } from './util.js';

function dump(c: Client, argv: Buffer[]): unknown {
  const e = c.db.lookup(k(argv[1] as Buffer));
  if (e === undefined) return null;
  const payload = dumpEntry(e);
  if (payload === null) throw err('ERR mini-redis cannot DUMP a stream');
  return payload;
}

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ n], with Redis's checks in its order. */
function restore(c: Client, argv: Buffer[]): unknown {
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const a = argv[j] as Buffer;
    const more = j + 1 < argv.length;
    if (is(a, 'replace')) replace = true;
    else if (is(a, 'absttl')) absttl = true;
    else if (is(a, 'idletime') && more && freq === -1n) {
      const v = parseInt64(argv[++j] as Buffer);
      if (v === null) throw NOT_INTEGER;
      if (v < 0n) throw err('ERR Invalid IDLETIME value, must be >= 0');
      idle = v;
    } else if (is(a, 'freq') && more && idle === -1n) {
      const v = parseInt64(argv[++j] as Buffer);
      if (v === null) throw NOT_INTEGER;
      if (v < 0n || v > 255n) throw err('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = v;
    } else throw SYNTAX;
  }
  const key = k(argv[1] as Buffer);
  if (!replace && c.db.lookup(key) !== undefined) throw err('BUSYKEY Target key name already exists.');
  let ttl = parseInt64(argv[2] as Buffer);
  if (ttl === null) throw NOT_INTEGER;
  if (ttl < 0n) throw err('ERR Invalid TTL value, must be >= 0');
  const payload = argv[3] as Buffer;
  if (!verifyPayload(payload)) throw err('ERR DUMP payload version or checksum are wrong');
  let entry;
  try {
    entry = restoreEntry(payload);
  } catch (e) {
    if (e instanceof BadPayload || e instanceof RangeError) throw err('ERR Bad data format');
    throw e;
  }
  const deleted = replace && c.db.delete(key);
  const now = BigInt(Date.now());
  if (ttl !== 0n && !absttl) ttl += now;
  // A deadline already past: nothing is created (and a replaced key stays deleted).
  if (ttl !== 0n && ttl <= now) {
    if (deleted) c.db.notify(NOTIFY_GENERIC, 'del', key);
    return OK;
  }
  c.db.set(key, entry);
  if (ttl !== 0n) c.db.setExpire(key, Number(ttl), ttl);
  c.db.notify(NOTIFY_GENERIC, 'restore', key);
  return OK;
}

export const dumpCommands: Command[] = [
  command('dump', 2, 'readonly', dump),
  command('restore', -4, 'write denyoom', restore),
];
