/** MULTI, EXEC, DISCARD, WATCH, UNWATCH. */
import { ReplyError } from '@reactor-ts/resp';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { call } from '../dispatch.js';
import { err, NULL_ARRAY, OK } from '../reply.js';
import { k } from './util.js';

const EXECABORT = new ReplyError('EXECABORT Transaction discarded because of previous errors.');

function multi(c: Client): unknown {
  if (c.multi !== null) throw err('ERR MULTI calls can not be nested');
  c.multi = [];
  c.multiError = false;
  return OK;
}

function endTransaction(c: Client): void {
  c.multi = null;
  c.multiError = false;
  c.unwatchAll();
}

/**
 * Runs the queue in order, or refuses: EXECABORT when a command was
 * rejected while queueing, a null array when a watched key changed.
 */
function exec(c: Client): unknown {
  const queue = c.multi;
  if (queue === null) throw err('ERR EXEC without MULTI');
  const aborted = c.multiError;
  const dirty = c.dirtyCas || c.watched.some(({ db, key }) => db.expiredSinceWatch(key, c));
  endTransaction(c);
  if (aborted) return EXECABORT;
  if (dirty) return NULL_ARRAY;
  const replies: unknown[] = [];
  // A transaction never blocks: BLPOP and friends answer at once (Redis's CLIENT_DENY_BLOCKING).
  c.denyBlocking = true;
  try {
    for (const q of queue) replies.push(call(c, q.cmd, q.argv));
  } finally {
    c.denyBlocking = false;
  }
  return replies;
}

function discard(c: Client): unknown {
  if (c.multi === null) throw err('ERR DISCARD without MULTI');
  endTransaction(c);
  return OK;
}

function watch(c: Client, argv: Buffer[]): unknown {
  if (c.multi !== null) throw err('ERR WATCH inside MULTI is not allowed');
  for (let i = 1; i < argv.length; i++) {
    const key = k(argv[i] as Buffer);
    if (c.watched.some((w) => w.db === c.db && w.key === key)) continue;
    c.watched.push({ db: c.db, key });
    c.db.watch(key, c);
  }
  return OK;
}

function unwatch(c: Client): unknown {
  c.unwatchAll();
  return OK;
}

export const transactionCommands: Command[] = [
  command('multi', 1, 'noscript loading stale fast', multi),
  command('exec', 1, 'noscript loading stale skip_slowlog', exec),
  command('discard', 1, 'noscript loading stale fast', discard),
  command('watch', -2, 'noscript loading stale fast', watch, [1, -1, 1]),
  command('unwatch', 1, 'noscript loading stale fast', unwatch),
];
