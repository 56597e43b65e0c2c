/**
 * OBJECT ENCODING / REFCOUNT / FREQ / IDLETIME / HELP, with Redis 7.0's
 * encoding names (see encoding.ts for how they are derived).
 */
import { SimpleString } from '@reactor-ts/resp';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { encodingOf, refcountOf } from '../encoding.js';
import { LFU_INIT_VAL, lfuDecayed, minutes } from '../memory.js';
import { err, unknownSubcommand, wrongArity } from '../reply.js';
import { k } from './util.js';

const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
].map((l) => new SimpleString(l));

function object(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  if (sub === 'help') {
    if (argv.length !== 2) throw wrongArity('object|help');
    return HELP;
  }
  if (sub !== 'encoding' && sub !== 'refcount' && sub !== 'freq' && sub !== 'idletime') throw unknownSubcommand(argv[1] as Buffer, 'object');
  if (argv.length !== 3) throw wrongArity(`object|${sub}`);
  // LOOKUP_NOTOUCH: asking about a key's idle time must not reset it.
  const e = c.db.peek(k(argv[2] as Buffer));
  if (e === undefined) return null;
  if (sub === 'encoding') return Buffer.from(encodingOf(e, c.server.config.limits));
  if (sub === 'refcount') return refcountOf(e);
  const lfu = c.server.config.maxmemoryPolicy.endsWith('-lfu');
  const now = c.server.store.shared.clock.now;
  if (sub === 'freq') {
    if (!lfu) {
      throw err(
        'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      );
    }
    return lfuDecayed(e.lfu ?? LFU_INIT_VAL, e.ldt ?? minutes(now), minutes(now));
  }
  if (lfu) {
    throw err(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  // Seconds since the last access, on the clock read once per connection read.
  return Math.max(0, Math.floor((Date.now() - (e.lru ?? now)) / 1000));
}

export const objectCommands: Command[] = [{ ...command('object', -2, 'readonly', object, [2, 2, 1]), subcommands: ['encoding', 'freq', 'help', 'idletime', 'refcount'] }];
