// Explicit pipelines with the promise client (article §2): many commands, one write, replies in order.
// Run:  npx tsx --conditions=source examples/pipeline.ts --url redis://127.0.0.1:PORT [--count 1000]
// (--url defaults to $REDIS_URL, else redis://127.0.0.1:6379)
//
// `pipeline()` collects commands; `exec()` hands them to the connection in
// one pass, so they leave in one socket write and come back as one array.
// An error reply stays in its command's place as a ReplyError value instead
// of failing the whole pipeline.
import { performance } from 'node:perf_hooks';
import { createClient, ReplyError } from '@reactor-ts/client';
import { parseClientArgs } from './lib/cli.js';

const { url, extra } = parseClientArgs({ count: { type: 'string', short: 'n' } });
const count = Number(extra['count'] ?? 1000);
if (!Number.isInteger(count) || count < 1) {
  console.error(`--count must be a positive integer, got ${String(extra['count'])}`);
  process.exit(2);
}

const client = await createClient({ url }).connect();
try {
  await client.del('pipeline:counter', 'pipeline:text');
  await client.set('pipeline:text', 'not a list');

  // A mixed pipeline: INCR twice, GET, a command that fails, and one more GET.
  const mixed = await client
    .pipeline()
    .incr('pipeline:counter')
    .incr('pipeline:counter')
    .get('pipeline:counter')
    .lpush('pipeline:text', 'x') // WRONGTYPE: the key holds a string
    .get('pipeline:text')
    .exec();
  for (const [i, reply] of mixed.entries()) {
    console.log(`reply ${i}:`, reply instanceof ReplyError ? `error ${reply.message}` : reply);
  }

  // The article's counter, pipelined: `count` INCR in one write.
  await client.del('pipeline:counter');
  const start = performance.now();
  const p = client.pipeline();
  for (let i = 0; i < count; i++) p.incr('pipeline:counter');
  const replies = await p.exec();
  const ms = performance.now() - start;
  console.log(`after ${count} pipelined INCR, counter = ${String(replies[replies.length - 1])}, used ${ms.toFixed(2)} ms`);
} finally {
  await client.quit();
}
