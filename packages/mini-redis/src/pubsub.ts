/**
 * The pub/sub registry: channel → subscribers and pattern → subscribers,
 * as Redis's `pubsub_channels` / `pubsub_patterns`. PUBLISH encodes each
 * message once per protocol and hands the same bytes to every subscriber.
 */
import { encodeReply, PushFrame } from '@reactor-ts/resp';
import type { Client } from './client.js';
import { globMatch } from './glob.js';

const MESSAGE = Buffer.from('message');
const PMESSAGE = Buffer.from('pmessage');

export class PubSub {
  private readonly channels = new Map<string, Set<Client>>();
  private readonly patterns = new Map<string, Set<Client>>();

  /** True when the client was not subscribed to `channel` yet. */
  subscribe(c: Client, channel: string): boolean {
    if (c.channels.has(channel)) return false;
    c.channels.add(channel);
    add(this.channels, channel, c);
    return true;
  }

  unsubscribe(c: Client, channel: string): boolean {
    if (!c.channels.delete(channel)) return false;
    remove(this.channels, channel, c);
    return true;
  }

  psubscribe(c: Client, pattern: string): boolean {
    if (c.patterns.has(pattern)) return false;
    c.patterns.add(pattern);
    add(this.patterns, pattern, c);
    return true;
  }

  punsubscribe(c: Client, pattern: string): boolean {
    if (!c.patterns.delete(pattern)) return false;
    remove(this.patterns, pattern, c);
    return true;
  }

  /** Drops every subscription of a client that is going away. */
  forget(c: Client): void {
    for (const ch of c.channels) remove(this.channels, ch, c);
    for (const p of c.patterns) remove(this.patterns, p, c);
    c.channels.clear();
    c.patterns.clear();
  }

  /** Delivers `message`; returns how many clients received it. */
  publish(channel: Buffer, message: Buffer): number {
    const name = channel.toString('latin1');
    let receivers = 0;
    const direct = this.channels.get(name);
    if (direct !== undefined) {
      const wire = new Wire([MESSAGE, channel, message]);
      for (const c of direct) {
        c.sink.raw(wire.get(c.protocol));
        receivers++;
      }
    }
    for (const [pattern, subs] of this.patterns) {
      if (!globMatch(pattern, name)) continue;
      const wire = new Wire([PMESSAGE, Buffer.from(pattern, 'latin1'), channel, message]);
      for (const c of subs) {
        c.sink.raw(wire.get(c.protocol));
        receivers++;
      }
    }
    return receivers;
  }

  /** Channels with at least one subscriber (PUBSUB CHANNELS), latin1. */
  channelNames(): IterableIterator<string> {
    return this.channels.keys();
  }

  /** Subscribers of one channel, patterns not counted (PUBSUB NUMSUB). */
  subscriberCount(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  get patternCount(): number {
    return this.patterns.size;
  }
}

/** One push message, encoded lazily and at most once per protocol. */
class Wire {
  private resp2: Buffer | null = null;
  private resp3: Buffer | null = null;
  constructor(private readonly items: Buffer[]) {}
  get(protocol: 2 | 3): Buffer {
    if (protocol === 3) return (this.resp3 ??= encodeReply(new PushFrame(this.items), { protocol: 3 }));
    return (this.resp2 ??= encodeReply(this.items, { protocol: 2 }));
  }
}

function add(map: Map<string, Set<Client>>, name: string, c: Client): void {
  let set = map.get(name);
  if (set === undefined) map.set(name, (set = new Set()));
  set.add(c);
}

function remove(map: Map<string, Set<Client>>, name: string, c: Client): void {
  const set = map.get(name);
  if (set === undefined) return;
  set.delete(c);
  if (set.size === 0) map.delete(name);
}
