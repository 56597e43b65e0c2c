/** MULTI, EXEC, DISCARD, WATCH, UNWATCH. */
import { ReplyError } from '@reactor-ts/resp';
import type { Client, QueuedCommand } from '../client.js';
import { command, type Command } from '../command.js';
import { call } from '../dispatch.js';
import { err, NO_REPLY, NULL_ARRAY, OK } from '../reply.js';
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
  return runQueue(c, queue, 0, []);
}

/**
 * Runs queue[from...] and returns the replies, or NO_REPLY when a script in
 * it became busy and paused for the reactor (scripting.ts): the rest of the
 * queue then runs when that script ends, and the transaction's reply is sent
 * then. Other clients get BUSY meanwhile, as in Redis, so it stays atomic.
 */
function runQueue(c: Client, queue: QueuedCommand[], from: number, replies: unknown[]): unknown {
  // A transaction never blocks: BLPOP and friends answer at once (Redis's CLIENT_DENY_BLOCKING).
  c.denyBlocking = true;
  try {
    for (let i = from; i < queue.length; i++) {
      const q = queue[i] as QueuedCommand;
      const reply = call(c, q.cmd, q.argv);
      const paused = reply === NO_REPLY ? c.server.scripting.takePaused(c) : null;
      if (paused !== null) {
        paused.onDone = (scriptReply) => {
          replies.push(scriptReply);
          const rest = runQueue(c, queue, i + 1, replies);
          if (rest !== NO_REPLY && !c.closing) c.send(rest);
        };
        return NO_REPLY;
      }
      replies.push(reply);
    }
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
