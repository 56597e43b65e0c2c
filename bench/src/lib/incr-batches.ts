/**
 * n INCR on one key as one explicit pipeline and as one MULTI/EXEC, for each
 * client the adapter suites compare (adapter.ts, adapter-features.ts), so
 * both suites time the same calls. Each resolves with the n INCR replies.
 */
import type { RedisClient } from '@reactor-ts/client';
import type { Redis } from 'ioredis';

export interface IncrBatches {
  pipelineIncr(key: string, n: number): Promise<unknown[]>;
  multiIncr(key: string, n: number): Promise<unknown[]>;
}

export function reactorTsBatches(c: RedisClient): IncrBatches {
  return {
    pipelineIncr: (k, n) => {
      const p = c.pipeline();
      for (let i = 0; i < n; i++) p.incr(k);
      return p.exec();
    },
    multiIncr: async (k, n) => {
      const m = c.multi();
      for (let i = 0; i < n; i++) m.incr(k);
      return (await m.exec()) ?? [];
    },
  };
}

export function ioredisBatches(c: Redis): IncrBatches {
  return {
    pipelineIncr: async (k, n) => {
      const p = c.pipeline();
      for (let i = 0; i < n; i++) p.incr(k);
      return ((await p.exec()) ?? []).map(([, v]) => v);
    },
    multiIncr: async (k, n) => {
      const m = c.multi();
      for (let i = 0; i < n; i++) m.incr(k);
      return ((await m.exec()) ?? []).map(([, v]) => v);
    },
  };
}

/** What these batches use of a node-redis client (whatever its RESP version and modules). */
interface NodeRedisMulti {
  incr(key: string): unknown;
  execAsPipeline(): Promise<unknown>;
  exec(): Promise<unknown>;
}

export function nodeRedisBatches(c: { multi(): NodeRedisMulti }): IncrBatches {
  return {
    pipelineIncr: (k, n) => {
      const m = c.multi();
      for (let i = 0; i < n; i++) m.incr(k);
      return m.execAsPipeline() as Promise<unknown[]>;
    },
    multiIncr: (k, n) => {
      const m = c.multi();
      for (let i = 0; i < n; i++) m.incr(k);
      return m.exec() as Promise<unknown[]>;
    },
  };
}
