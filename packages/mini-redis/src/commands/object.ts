/**
 * OBJECT ENCODING / REFCOUNT / FREQ / IDLETIME / HELP, with Redis 7.0's
 * encoding names (see encoding.ts for how they are derived).
 */
import { SimpleString } from '@reactor-ts/resp';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { encodingOf, refcountOf } from '../encoding.js';
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
  const e = c.db.lookup(k(argv[2] as Buffer));
  if (e === undefined) return null;
  if (sub === 'encoding') return Buffer.from(encodingOf(e, c.server.config.limits));
  if (sub === 'refcount') return refcountOf(e);
  if (sub === 'freq') {
    // maxmemory-policy is noeviction here, never an LFU one: Redis's answer then.
    throw err(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  throw err('ERR mini-redis does not track access times: OBJECT IDLETIME is not supported');
}

export const objectCommands: Command[] = [command('object', -2, 'readonly', object, [2, 2, 1])];
