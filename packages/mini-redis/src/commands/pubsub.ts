/**
 * SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, and PUBSUB
 * CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS/SHARDNUMSUB (no shard channels here:
 * SSUBSCRIBE is cluster pub/sub, so those two always answer empty). Each
 * (un)subscription is confirmed with its own reply, a push frame for RESP3
 * clients and a plain array for RESP2 ones, as Redis does.
 */
import { PushFrame } from '@reactor-ts/resp';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { globMatch } from '../glob.js';
import { err, NO_REPLY, unknownSubcommand, wrongArity } from '../reply.js';
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

/** PUBSUB <subcommand>: Redis 7.0's arities per subcommand (CHANNELS -2, NUMSUB -2, NUMPAT 2, ...). */
function pubsub(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  const registry = c.server.pubsub;
  switch (sub) {
    case 'channels':
    case 'shardchannels': {
      if (argv.length > 3) {
        const typed = (argv[1] as Buffer).toString('latin1');
        throw err(`ERR unknown subcommand or wrong number of arguments for '${typed}'. Try PUBSUB HELP.`);
      }
      if (sub === 'shardchannels') return [];
      const pattern = argv.length > 2 ? k(argv[2] as Buffer) : null;
      const out: Buffer[] = [];
      for (const ch of registry.channelNames()) if (pattern === null || globMatch(pattern, ch)) out.push(bytes(ch));
      return out;
    }
    case 'numsub':
    case 'shardnumsub': {
      const out: unknown[] = [];
      for (let i = 2; i < argv.length; i++) {
        out.push(argv[i] as Buffer, sub === 'numsub' ? registry.subscriberCount(k(argv[i] as Buffer)) : 0);
      }
      return out;
    }
    case 'numpat':
      if (argv.length !== 2) throw wrongArity('pubsub|numpat');
      return registry.patternCount;
    default:
      throw unknownSubcommand(argv[1] as Buffer, 'pubsub');
  }
}

export const pubsubCommands: Command[] = [
  { ...command('pubsub', -2, 'pubsub loading stale', pubsub, [0, 0, 0]), subcommands: ['channels', 'numpat', 'numsub', 'shardchannels', 'shardnumsub'] },
  command('subscribe', -2, 'pubsub noscript loading stale', subscribe, [0, 0, 0]),
  command('psubscribe', -2, 'pubsub noscript loading stale', psubscribe, [0, 0, 0]),
  command('unsubscribe', -1, 'pubsub noscript loading stale', (c, argv) => unsubscribe(c, argv, false), [0, 0, 0]),
  command('punsubscribe', -1, 'pubsub noscript loading stale', (c, argv) => unsubscribe(c, argv, true), [0, 0, 0]),
  command('publish', 3, 'pubsub loading stale fast', publish, [0, 0, 0]),
];
