/**
 * The facts COMMAND INFO / DOCS take from Redis's rows hold for mini-redis
 * itself: every command's arity is the row's, and a container's
 * `subcommands` list is exactly what its handler answers (a listed one is
 * not refused as unknown, an unlisted Redis one is). So a command or
 * subcommand added later without its list entry fails here, not in a
 * client reading COMMAND DOCS.
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommandTable } from './command-table.js';
import { REDIS_COMMANDS } from './redis-commands.generated.js';
import { startMiniRedis, type MiniRedis } from './server.js';

const table = buildCommandTable();

describe('command-docs: the Redis rows against mini-redis', () => {
  let mini: MiniRedis;
  beforeAll(async () => {
    mini = await startMiniRedis({ port: 0 });
  });
  afterAll(async () => {
    await mini?.close();
  });

  it('gives every command the arity Redis 7.0 has for it', () => {
    const wrong: string[] = [];
    for (const cmd of table.values()) {
      const raw = REDIS_COMMANDS.get(cmd.name);
      if (raw === undefined) continue;
      const arity = (JSON.parse(raw[0]) as unknown[])[1];
      if (arity !== cmd.arity) wrong.push(`${cmd.name}: ${cmd.arity}, Redis ${String(arity)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("lists exactly the subcommands each container's handler implements", async () => {
    const c = await RespConnection.open(mini.port);
    try {
      for (const cmd of table.values()) {
        const raw = REDIS_COMMANDS.get(cmd.name);
        const redisSubs = raw === undefined ? [] : ((JSON.parse(raw[0]) as unknown[])[9] as unknown[]);
        if (!Array.isArray(redisSubs) || redisSubs.length === 0) {
          expect(cmd.subcommands, cmd.name).toBeUndefined();
          continue;
        }
        for (const row of redisSubs) {
          const sub = String((row as unknown[])[0]).split('|')[1] as string;
          // Probing with no arguments: a known subcommand answers its arity error or runs
          // harmlessly (KILL answers NOTBUSY, FLUSH empties a server nobody else uses).
          const reply = await c.command(cmd.name, sub);
          const unknown = reply.startsWith(`-ERR unknown subcommand '${sub}'`);
          expect({ sub: `${cmd.name}|${sub}`, listed: cmd.subcommands?.includes(sub) === true }).toEqual({ sub: `${cmd.name}|${sub}`, listed: !unknown });
        }
        for (const sub of cmd.subcommands ?? []) expect(redisSubs.some((r) => (r as unknown[])[0] === `${cmd.name}|${sub}`), `${cmd.name}|${sub} is Redis's`).toBe(true);
      }
    } finally {
      c.close();
    }
  });
});
