/**
 * PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARDCHANNELS / SHARDNUMSUB against
 * redis-server 7.0: subscribers on other connections, the same questions
 * asked of both servers in RESP2 and RESP3, replies compared byte for byte
 * (CHANNELS, whose order is Redis's hash table's, compared sorted).
 */
import { decodeReply, RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

type Ask = { cmd: string[]; sorted?: true };

const questions: Ask[] = [
  { cmd: ['pubsub', 'channels'], sorted: true },
  { cmd: ['pubsub', 'channels', 'news.*'], sorted: true },
  { cmd: ['pubsub', 'channels', 'news.*', 'ignored'], sorted: true },
  { cmd: ['pubsub', 'channels', 'nomatch*'] },
  { cmd: ['pubsub', 'numsub'] },
  { cmd: ['pubsub', 'numsub', 'news.tech', 'news.art', 'none', 'news.tech'] },
  { cmd: ['pubsub', 'numpat'] },
  { cmd: ['pubsub', 'numpat', 'x'] },
  { cmd: ['pubsub', 'shardchannels'] },
  { cmd: ['pubsub', 'shardchannels', '*'] },
  { cmd: ['pubsub', 'ShardChannels', '*', 'x'] },
  { cmd: ['pubsub', 'CHANNELS', '*', 'x'] },
  { cmd: ['pubsub', 'shardnumsub', 'a', 'b'] },
  { cmd: ['pubsub', 'shardnumsub'] },
  { cmd: ['pubsub', 'bogus'] },
  { cmd: ['pubsub'] },
];

async function transcript(port: number, protocol: 2 | 3): Promise<string[]> {
  const subs = await Promise.all([0, 1, 2].map(() => RespConnection.open(port)));
  const ask = await RespConnection.open(port);
  try {
    await subs[0]!.command('subscribe', 'news.tech', 'news.art', 'weather');
    await subs[0]!.reply();
    await subs[0]!.reply();
    await subs[1]!.command('subscribe', 'news.tech');
    await subs[2]!.command('psubscribe', 'news.*', 'w*');
    await subs[2]!.reply();
    await subs[1]!.command('psubscribe', 'news.*');
    if (protocol === 3) await ask.command('hello', '3');
    const out: string[] = [];
    for (const q of questions) {
      const r = await ask.command(...q.cmd);
      if (q.sorted !== true) out.push(r);
      else {
        const v = decodeReply(r);
        out.push(Array.isArray(v) ? JSON.stringify(v.map(String).sort()) : r);
      }
    }
    return out;
  } finally {
    for (const s of subs) s.close();
    ask.close();
  }
}

describe('PUBSUB introspection like redis-server 7.0', () => {
  const servers = withBothServers();

  for (const protocol of [2, 3] as const) {
    it(`RESP${protocol}`, async () => {
      const expected = await transcript(servers.redis.port, protocol);
      const got = await transcript(servers.mini.port, protocol);
      expect(got.map((r, i) => ({ q: questions[i]!.cmd.join(' '), r }))).toEqual(expected.map((r, i) => ({ q: questions[i]!.cmd.join(' '), r })));
    });
  }
});
