// mini-redis: a Redis-protocol server built only from this repo's packages
// (reactor, ChainBuffer, RequestParser, encodeReply). See mini-redis/README.md.
// Run:  pnpm mini-redis --port 6390            (or --port 0 for any free port)
//       npx tsx --conditions=source examples/mini-redis.ts --port 0 [--host 127.0.0.1]
//           [--requirepass secret] [--maxclients 10000]
// Try:  redis-cli -p 6390 set greeting hello && redis-cli -p 6390 get greeting
import { onShutdown, parseServerArgs } from './lib/cli.js';
import { startMiniRedis } from './mini-redis/server.js';

const { port, host, extra } = parseServerArgs(
  { requirepass: { type: 'string' }, maxclients: { type: 'string' } },
  { port: 6379, host: '127.0.0.1' },
);
const maxclients = typeof extra['maxclients'] === 'string' ? Number(extra['maxclients']) : undefined;
if (maxclients !== undefined && (!Number.isInteger(maxclients) || maxclients < 1)) {
  console.error(`--maxclients must be a positive integer, got ${String(extra['maxclients'])}`);
  process.exit(2);
}
const requirepass = typeof extra['requirepass'] === 'string' ? extra['requirepass'] : undefined;

let server;
try {
  server = await startMiniRedis({ port, host, requirepass, maxclients });
} catch (err) {
  console.error(`mini-redis: cannot listen on ${host}:${port}: ${(err as Error).message}`);
  process.exit(1);
}
console.log(`listening on ${host}:${server.port}`);
onShutdown(async () => {
  await server.close();
  console.log('stopped');
});
