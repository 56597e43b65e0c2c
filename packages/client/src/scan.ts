/**
 * SCAN, HSCAN, SSCAN and ZSCAN as async iterators. Each step is one round
 * trip for one page (COUNT is a hint, not a size), and the iterator holds
 * only that page: memory stays bounded however large the keyspace. The
 * server's guarantee is what the iterator gives: every element present for
 * the whole iteration is yielded, and on a keyspace that does not change
 * (and is not being rehashed) exactly once; elements added or removed while
 * iterating may or may not appear. Breaking out of a `for await` stops after
 * the current page; nothing is left open on the server.
 */
import type { CommandArgument } from '@reactor-ts/resp';
import type { RedisKey, RedisString } from './types.js';

/** Options of scanIterator. */
export interface ScanIteratorOptions {
  /** MATCH: a glob pattern. */
  match?: string;
  /** COUNT: about how many elements the server looks at per page. */
  count?: number;
  /** TYPE: only keys of this type (string, list, set, zset, hash, stream). */
  type?: string;
}

/** Options of hscanIterator, sscanIterator, zscanIterator. */
export interface ElementScanOptions {
  match?: string;
  count?: number;
}

type Send = (argv: CommandArgument[]) => Promise<unknown>;

function pageOf(reply: unknown, what: string): [string, unknown[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) throw new TypeError(`${what}: unexpected reply shape`);
  return [String(reply[0]), reply[1] as unknown[]];
}

/** Pages of one SCAN-family command, from cursor 0 until the server answers cursor 0. */
async function* pages(send: Send, head: CommandArgument[], opts: ScanIteratorOptions, what: string): AsyncGenerator<unknown[]> {
  let cursor = '0';
  do {
    const argv: CommandArgument[] = [...head, cursor];
    if (opts.match !== undefined) argv.push('MATCH', opts.match);
    if (opts.count !== undefined) argv.push('COUNT', opts.count);
    if (opts.type !== undefined) argv.push('TYPE', opts.type);
    const [next, items] = pageOf(await send(argv), what);
    cursor = next;
    yield items;
  } while (cursor !== '0');
}

/** Every key (SCAN), one at a time. */
export async function* scanKeys(send: Send, opts: ScanIteratorOptions = {}): AsyncGenerator<RedisString> {
  for await (const items of pages(send, ['SCAN'], opts, 'SCAN')) yield* items as RedisString[];
}

/** Every field of a hash (HSCAN) as [field, value]. */
export async function* scanHash(send: Send, key: RedisKey, opts: ElementScanOptions = {}): AsyncGenerator<[RedisString, RedisString]> {
  for await (const items of pages(send, ['HSCAN', key], opts, 'HSCAN')) {
    for (let i = 0; i + 1 < items.length; i += 2) yield [items[i] as RedisString, items[i + 1] as RedisString];
  }
}

/** Every member of a set (SSCAN). */
export async function* scanSet(send: Send, key: RedisKey, opts: ElementScanOptions = {}): AsyncGenerator<RedisString> {
  for await (const items of pages(send, ['SSCAN', key], opts, 'SSCAN')) yield* items as RedisString[];
}

/** Every member of a sorted set (ZSCAN) as [member, score]. */
export async function* scanSortedSet(send: Send, key: RedisKey, opts: ElementScanOptions = {}): AsyncGenerator<[RedisString, number]> {
  for await (const items of pages(send, ['ZSCAN', key], opts, 'ZSCAN')) {
    for (let i = 0; i + 1 < items.length; i += 2) yield [items[i] as RedisString, Number(String(items[i + 1]))];
  }
}
