/**
 * Running one request, with Redis's checks in Redis's order
 * (`processCommand`): lookup and arity, authentication, the RESP2
 * subscribed-mode restriction, then MULTI queueing, then the call itself.
 * A rejection inside MULTI flags the transaction so EXEC aborts.
 */
import { ReplyError } from '@reactor-ts/resp';
import type { Client } from './client.js';
import type { Command } from './command.js';
import { err, NO_REPLY, NOAUTH, QUEUED, unknownCommand, wrongArity } from './reply.js';

/** What a RESP2 client may send while subscribed. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);
/** Run at once even inside MULTI. */
const MULTI_CONTROL = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

export function processCommand(c: Client, argv: Buffer[]): void {
  if (argv.length === 0 || c.closing) return;
  const cmd = c.server.lookup.find(argv[0] as Buffer);
  if (cmd === undefined) return reject(c, unknownCommand(argv));
  const name = cmd.name;
  if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
    return reject(c, wrongArity(cmd.name));
  }
  if (!c.authenticated && !cmd.noAuth) return reject(c, NOAUTH);
  if (c.protocol === 2 && c.subscriptions > 0 && !PUBSUB_ALLOWED.has(name)) {
    return reject(
      c,
      err(`ERR Can't execute '${cmd.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`),
    );
  }
  if (c.multi !== null && !MULTI_CONTROL.has(name)) {
    c.multi.push({ cmd, argv });
    c.send(QUEUED);
    return;
  }
  const reply = call(c, cmd, argv);
  if (reply !== NO_REPLY) c.send(reply);
}

/** Runs the handler; a thrown ReplyError becomes the reply. */
export function call(c: Client, cmd: Command, argv: Buffer[]): unknown {
  c.server.stats.commands++;
  try {
    return cmd.handler(c, argv);
  } catch (e) {
    if (e instanceof ReplyError) return e;
    throw e;
  }
}

function reject(c: Client, error: ReplyError): void {
  if (c.multi !== null) c.multiError = true;
  c.send(error);
}
