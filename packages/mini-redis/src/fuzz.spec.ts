/**
 * Any request, however odd, gets replies (or blocks, for BLPOP and friends)
 * and never an exception: random
 * command names (known ones, in random case, and unknown ones) with random
 * arguments (numbers, option words, glob patterns, binary) run through the
 * dispatcher on clients that share one keyspace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Client, type ReplySink } from './client.js';
import { buildCommandTable } from './command-table.js';
import { processCommand } from './dispatch.js';
import { createState } from './state.js';
import { ReplyBatch } from './wire.js';

const table = buildCommandTable();
const names = [...table.keys()].filter((n) => n !== 'quit');

const arg = fc.oneof(
  fc.constantFrom('k', 'k2', 'l', 's', 'h', 'z', 'ch', '*', 'k?', '[a-', '\\'),
  fc.constantFrom('0', '1', '-1', '2', '100', '-100', '9223372036854775807', '-9223372036854775808', '1.5', 'inf', '-inf', '(1', '[a', '+', '-', 'nan'),
  fc.constantFrom('NX', 'XX', 'GT', 'LT', 'CH', 'INCR', 'EX', 'PX', 'KEEPTTL', 'GET', 'WITHSCORES', 'BYSCORE', 'BYLEX', 'REV', 'LIMIT', 'AUTH', 'SETNAME', 'COUNT', 'INFO', 'DOCS', 'ASYNC', '3', '2'),
  fc.string({ maxLength: 6 }),
  fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a).toString('latin1')),
);

const request = fc.tuple(
  fc.oneof(fc.constantFrom(...names), fc.constantFrom(...names).map((n) => n.toUpperCase()), fc.string({ maxLength: 5 })),
  fc.array(arg, { maxLength: 7 }),
  fc.integer({ min: 0, max: 1 }),
);

describe('dispatcher under random requests', () => {
  it('every request is answered and nothing throws', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 60 }), (requests) => {
        const state = createState({ commands: table });
        const replies: unknown[] = [];
        // Every reply must also encode, in the protocol the client speaks then.
        const batch = new ReplyBatch(() => {});
        const sink: ReplySink = {
          reply: (v, protocol) => {
            replies.push(v);
            batch.reply(v, protocol);
            batch.flush();
          },
          raw: (b) => replies.push(b),
          closeAfterReply: () => {},
        };
        const clients = [new Client(state, 1, sink), new Client(state, 2, sink)];
        for (const [name, args, who] of requests) {
          const before = replies.length;
          const argv = [name, ...args].map((s) => Buffer.from(s, 'latin1'));
          const client = clients[who]!;
          processCommand(client, argv);
          // A blocking command (BLPOP k 0 on an empty k) is answered later, not now:
          // that counts as answered; the client is then released, as a disconnect would.
          if (client.blocked !== null) state.blocking.forget(client);
          else expect(replies.length).toBeGreaterThan(before);
        }
      }),
      { numRuns: 300 },
    );
  });
});
