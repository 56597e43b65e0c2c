/**
 * The differential harness for the command families (differential-*.spec.ts):
 * each script runs against a real redis-server 7.0 and against mini-redis,
 * once in RESP2 and once in RESP3, and every reply must be the same bytes.
 *
 * A step may be marked `sorted` when Redis's order is its hash table's
 * (SINTER, HKEYS of a big hash, SCAN pages...): both replies are then
 * decoded and compared with their top-level elements sorted. Such a step
 * still checks the reply's type, length and every element.
 */
import { decodeReply, RespConnection, startRedis, type RawValue, type RedisServer, type RedisServerOptions } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniRedis, type MiniRedis, type MiniRedisOptions } from '../src/server.js';

/** The two servers of a differential spec file; valid inside tests (set by beforeAll). */
export interface BothServers {
  readonly redis: RedisServer;
  readonly mini: MiniRedis;
}

/**
 * Starts one redis-server and one mini-redis (on free ports) before the
 * tests of the enclosing describe (or file) and stops both after them, by
 * the handles this harness owns. Call it at describe level; read the
 * servers inside tests.
 */
export function withBothServers(opts: { redis?: RedisServerOptions; mini?: MiniRedisOptions } = {}): BothServers {
  const both = {} as { redis: RedisServer; mini: MiniRedis };
  beforeAll(async () => {
    both.redis = await startRedis(opts.redis);
    both.mini = await startMiniRedis({ port: 0, ...opts.mini });
  });
  afterAll(async () => {
    await both.mini?.close();
    await both.redis?.stop();
  });
  return both;
}

export type Cmd = Array<string | number>;
export type Step = Cmd | { cmd: Cmd; sorted: true };
export type Script = Step[];

/** The decoded reply with every array sorted, at every depth. */
function sortedView(reply: string): unknown {
  const norm = (v: RawValue): unknown => {
    if (typeof v === 'bigint') return String(v);
    if (v instanceof Error) return `ERR:${v.message}`;
    if (!Array.isArray(v)) return v;
    return v.map((x) => JSON.stringify(norm(x))).sort();
  };
  return norm(decodeReply(reply));
}

/** Registers one `it` per script and protocol, against one redis-server and one mini-redis for the file. */
export function differential(title: string, scripts: Record<string, Script>): void {
  describe(title, () => {
    const servers = withBothServers();

    async function compare(script: Script, protocol: 2 | 3): Promise<void> {
      const a = await RespConnection.open(servers.redis.port);
      const b = await RespConnection.open(servers.mini.port);
      try {
        await a.command('flushall');
        await b.command('flushall');
        if (protocol === 3) {
          await a.command('hello', '3');
          await b.command('hello', '3');
        }
        for (const step of script) {
          const cmd = Array.isArray(step) ? step : step.cmd;
          const expected = await a.command(...cmd);
          const got = await b.command(...cmd);
          const label = cmd.join(' ');
          if (Array.isArray(step)) expect({ cmd: label, reply: got }).toEqual({ cmd: label, reply: expected });
          else expect({ cmd: label, reply: sortedView(got) }).toEqual({ cmd: label, reply: sortedView(expected) });
        }
      } finally {
        a.close();
        b.close();
      }
    }

    for (const [name, script] of Object.entries(scripts)) {
      it(`${name} (RESP2)`, () => compare(script, 2));
      it(`${name} (RESP3)`, () => compare(script, 3));
    }
  });
}
