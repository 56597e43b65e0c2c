/**
 * XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP, in Redis 7.0's
 * field order. Two fields describe Redis's radix tree rather than the data:
 * `radix-tree-keys` is the number of 100-entry nodes the entries would fill
 * there (stream.ts models them), and `radix-tree-nodes`, the count of the
 * tree's inner nodes, is reported as the same number (mini-redis has no
 * radix tree; Redis's count is larger).
 */
import { SimpleString } from '@reactor-ts/resp';
import { intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { err, unknownSubcommand, WRONGTYPE, wrongArity } from '../reply.js';
import { formatId, type ConsumerGroup, type Stream } from '../stream.js';
import { entryReply } from './stream-args.js';
import { bytes, is, k } from './util.js';

const b = (s: string): Buffer => Buffer.from(s);
const id = (x: bigint): Buffer => Buffer.from(formatId(x));

function streamFor(c: Client, key: Buffer): Stream {
  const e = c.db.lookup(k(key));
  if (e === undefined) throw err('ERR no such key');
  if (e.type !== 'stream') throw WRONGTYPE;
  return e.value;
}

function groupInfo(s: Stream, name: string, g: ConsumerGroup): Map<Buffer, unknown> {
  const lag = s.lagOf(g);
  return new Map<Buffer, unknown>([
    [b('name'), bytes(name)],
    [b('consumers'), g.consumers.size],
    [b('pending'), g.pel.size],
    [b('last-delivered-id'), id(g.lastId)],
    [b('entries-read'), g.entriesRead === null ? null : Number(g.entriesRead)],
    [b('lag'), lag === null ? null : Number(lag)],
  ]);
}

function streamInfo(s: Stream, full: boolean, count: number): Map<Buffer, unknown> {
  const m = new Map<Buffer, unknown>([
    [b('length'), s.length],
    [b('radix-tree-keys'), s.nodeCount],
    [b('radix-tree-nodes'), s.nodeCount],
    [b('last-generated-id'), id(s.lastId)],
    [b('max-deleted-entry-id'), id(s.maxDeletedId)],
    [b('entries-added'), Number(s.entriesAdded)],
    [b('recorded-first-entry-id'), id(s.firstId)],
  ]);
  const sorted = [...s.groups].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  if (!full) {
    const first = s.entries[0];
    const last = s.entries[s.length - 1];
    m.set(b('groups'), s.groups.size);
    m.set(b('first-entry'), first === undefined ? null : entryReply(first, first.id));
    m.set(b('last-entry'), last === undefined ? null : entryReply(last, last.id));
    return m;
  }
  const entries = s.range(0n, (1n << 128n) - 1n, count, false);
  m.set(b('entries'), entries.map((e) => entryReply(e, e.id)));
  const limit = (ids: bigint[]): bigint[] => (count === 0 ? ids : ids.slice(0, count));
  m.set(
    b('groups'),
    sorted.map(([name, g]) => {
      const lag = s.lagOf(g);
      const pel = limit(g.pendingIds()).map((pid) => {
        const p = g.pel.get(pid) as { consumer: string; deliveryTime: number; deliveryCount: number };
        return [id(pid), bytes(p.consumer), p.deliveryTime, p.deliveryCount];
      });
      const consumers = [...g.consumers.values()]
        .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
        .map((cons) => {
          const ids = limit([...cons.pending.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
          return new Map<Buffer, unknown>([
            [b('name'), bytes(cons.name)],
            [b('seen-time'), cons.seenTime],
            [b('pel-count'), cons.pending.size],
            [b('pending'), ids.map((pid) => {
              const p = cons.pending.get(pid) as { deliveryTime: number; deliveryCount: number };
              return [id(pid), p.deliveryTime, p.deliveryCount];
            })],
          ]);
        });
      return new Map<Buffer, unknown>([
        [b('name'), bytes(name)],
        [b('last-delivered-id'), id(g.lastId)],
        [b('entries-read'), g.entriesRead === null ? null : Number(g.entriesRead)],
        [b('lag'), lag === null ? null : Number(lag)],
        [b('pel-count'), g.pel.size],
        [b('pending'), pel],
        [b('consumers'), consumers],
      ]);
    }),
  );
  return m;
}

const HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
].map((l) => new SimpleString(l));

const ARITY: Record<string, number> = { stream: -3, groups: 3, consumers: 4, help: 2 };

function xinfo(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  const arity = ARITY[sub];
  if (arity === undefined) throw unknownSubcommand(argv[1] as Buffer, 'xinfo');
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) throw wrongArity(`xinfo|${sub}`);
  if (sub === 'help') return HELP;
  const s = streamFor(c, argv[2] as Buffer);
  if (sub === 'groups') {
    return [...s.groups].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([name, g]) => groupInfo(s, name, g));
  }
  if (sub === 'consumers') {
    const gname = k(argv[3] as Buffer);
    const g = s.groups.get(gname);
    if (g === undefined) {
      throw err(`NOGROUP No such consumer group '${gname}' for key name '${(argv[2] as Buffer).toString('latin1')}'`);
    }
    const now = Date.now();
    return [...g.consumers.values()]
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      .map(
        (cons) =>
          new Map<Buffer, unknown>([
            [b('name'), bytes(cons.name)],
            [b('pending'), cons.pending.size],
            [b('idle'), Math.max(0, now - cons.seenTime)],
          ]),
      );
  }
  let full = false;
  let count = 10;
  if (argv.length > 3) {
    const syntax = err(
      `ERR unknown subcommand or wrong number of arguments for '${(argv[1] as Buffer).toString('latin1').slice(0, 128)}'. Try XINFO HELP.`,
    );
    if (!is(argv[3] as Buffer, 'full')) throw syntax;
    full = true;
    if (argv.length === 6 && is(argv[4] as Buffer, 'count')) count = Math.max(0, intArg(argv[5] as Buffer));
    else if (argv.length !== 4) throw syntax;
  }
  return streamInfo(s, full, count);
}

export const streamInfoCommands: Command[] = [{ ...command('xinfo', -2, 'readonly', xinfo, [2, 2, 1]), subcommands: Object.keys(ARITY) }];
