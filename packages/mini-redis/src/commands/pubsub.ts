/**
 * SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, PUBLISH. Each
 * (un)subscription is confirmed with its own reply, a push frame for RESP3
 * clients and a plain array for RESP2 ones, as Redis does.
 */
import { PushFrame } from '@reactor-ts/resp';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { NO_REPLY } from '../reply.js';
import { bytes, k } from './util.js';

function confirm(c: Client, kind: string, name: Buffer | null): void {
  const items = [Buffer.from(kind), name, c.subscriptions];
  c.send(c.protocol === 3 ? new PushFrame(items) : items);
}

function subscribe(c: Client, argv: Buffer[]): unknown {
  for (let i = 1; i < argv.length; i++) {
    c.server.pubsub.subscribe(c, k(argv[i] as Buffer));
    confirm(c, 'subscribe', argv[i] as Buffer);
  }
  return NO_REPLY;
}

function psubscribe(c: Client, argv: Buffer[]): unknown {
  for (let i = 1; i < argv.length; i++) {
    c.server.pubsub.psubscribe(c, k(argv[i] as Buffer));
    confirm(c, 'psubscribe', argv[i] as Buffer);
  }
  return NO_REPLY;
}

/** With no names: everything, or a single reply with a null name when there was nothing. */
function unsubscribe(c: Client, argv: Buffer[], patterns: boolean): unknown {
  const kind = patterns ? 'punsubscribe' : 'unsubscribe';
  const registry = c.server.pubsub;
  const names = argv.length > 1 ? argv.slice(1) : [...(patterns ? c.patterns : c.channels)].map(bytes);
  if (names.length === 0) {
    confirm(c, kind, null);
    return NO_REPLY;
  }
  for (const name of names) {
    if (patterns) registry.punsubscribe(c, k(name));
    else registry.unsubscribe(c, k(name));
    confirm(c, kind, name);
  }
  return NO_REPLY;
}

function publish(c: Client, argv: Buffer[]): unknown {
  return c.server.pubsub.publish(argv[1] as Buffer, argv[2] as Buffer);
}

export const pubsubCommands: Command[] = [
  command('subscribe', -2, 'pubsub noscript loading stale', subscribe, [0, 0, 0]),
  command('psubscribe', -2, 'pubsub noscript loading stale', psubscribe, [0, 0, 0]),
  command('unsubscribe', -1, 'pubsub noscript loading stale', (c, argv) => unsubscribe(c, argv, false), [0, 0, 0]),
  command('punsubscribe', -1, 'pubsub noscript loading stale', (c, argv) => unsubscribe(c, argv, true), [0, 0, 0]),
  command('publish', 3, 'pubsub loading stale fast', publish, [0, 0, 0]),
];
