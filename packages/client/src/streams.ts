/**
 * A consumer-group reader: an async iterator over a stream's entries for one
 * consumer of a group, that first takes over entries other consumers left
 * pending longer than `claimIdleMs` (XAUTOCLAIM: a consumer that crashed
 * before XACK), then reads new ones (XREADGROUP ... >). An entry stays
 * pending until `entry.ack()`; one never acked is claimed again by some
 * consumer after `claimIdleMs`, so processing is at least once, and exactly
 * once for entries acked before their claim time runs out.
 *
 * XREADGROUP BLOCK holds its connection for up to `blockMs`: give the reader
 * a client of its own (`client.duplicate()`), not one shared with other work.
 * Breaking out of the loop stops after the current read.
 */
import type { CommandArgument } from '@reactor-ts/resp';
import type { CommandMethods } from './commands.js';
import type { RedisKey, RedisString } from './types.js';

export interface StreamGroupReaderOptions {
  stream: RedisKey;
  group: string;
  consumer: string;
  /** Take over entries pending (unacknowledged) for longer than this, ms. Default 30,000. */
  claimIdleMs?: number;
  /** Entries per read. Default 10. */
  count?: number;
  /** How long one XREADGROUP waits for new entries, ms. Default 1,000. */
  blockMs?: number;
  /** Create the group (at the stream's start, MKSTREAM) if it does not exist. Default true. */
  create?: boolean;
}

/** One entry handed to a consumer. */
export interface StreamGroupEntry {
  readonly id: string;
  /** Field/value pairs in the order they were added. */
  readonly fields: Array<[RedisString, RedisString]>;
  /** True when this consumer took it over from another (XAUTOCLAIM). */
  readonly claimed: boolean;
  /** XACK: done with it; resolves with 1 (0 if it was acked already). */
  ack(): Promise<number>;
}

type Send = (argv: CommandArgument[]) => Promise<unknown>;

function entriesOf(raw: unknown): Array<[string, Array<[RedisString, RedisString]> | null]> {
  if (!Array.isArray(raw)) return [];
  return raw.map((e: unknown) => {
    const [id, flat] = e as [unknown, unknown];
    if (!Array.isArray(flat)) return [String(id), null];
    const pairs: Array<[RedisString, RedisString]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] as RedisString, flat[i + 1] as RedisString]);
    return [String(id), pairs];
  });
}

/** XREADGROUP's reply (RESP2: [[stream, entries]]; RESP3: Map stream → entries) → the entries of our one stream. */
function readReply(raw: unknown): unknown {
  if (raw === null || raw === undefined) return [];
  if (raw instanceof Map) return [...raw.values()][0] ?? [];
  if (Array.isArray(raw) && Array.isArray(raw[0])) return (raw[0] as unknown[])[1] ?? [];
  return [];
}

/** Entries for `opts.consumer`, claimed ones first; see the file comment. */
export async function* streamGroupReader(client: CommandMethods, opts: StreamGroupReaderOptions): AsyncGenerator<StreamGroupEntry> {
  const send: Send = (argv) => client.command(...argv);
  const { stream, group, consumer } = opts;
  const claimIdleMs = opts.claimIdleMs ?? 30_000;
  const count = opts.count ?? 10;
  const blockMs = opts.blockMs ?? 1_000;
  if (opts.create !== false) {
    await send(['XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM']).catch((e: unknown) => {
      if (!(e instanceof Error) || !e.message.startsWith('BUSYGROUP')) throw e;
    });
  }
  const make = (id: string, fields: Array<[RedisString, RedisString]>, claimed: boolean): StreamGroupEntry => ({
    id,
    fields,
    claimed,
    ack: () => send(['XACK', stream, group, id]) as Promise<number>,
  });
  let cursor = '0-0';
  for (;;) {
    // Entries others left pending too long: one XAUTOCLAIM page per round.
    const claim = (await send(['XAUTOCLAIM', stream, group, consumer, claimIdleMs, cursor, 'COUNT', count])) as unknown[];
    cursor = String(claim[0]);
    for (const [id, fields] of entriesOf(claim[1])) {
      if (fields === null) continue; // deleted meanwhile (XDEL): nothing to process
      yield make(id, fields, true);
    }
    const fresh = await send(['XREADGROUP', 'GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, '>']);
    for (const [id, fields] of entriesOf(readReply(fresh))) yield make(id, fields ?? [], false);
  }
}
