// Transactions with the promise client (article §3.2): MULTI/EXEC, and the WATCH optimistic lock with retries.
// Run:  npx tsx --conditions=source examples/transaction-watch.ts --url redis://127.0.0.1:PORT [--workers 4] [--rounds 50]
// (--url defaults to $REDIS_URL, else redis://127.0.0.1:6379)
//
// Several clients add to one balance at the same time with a read-modify-write
// (GET, then SET to the new value). Without WATCH some updates would be lost;
// `watchRetry` runs WATCH → GET → MULTI/SET/EXEC and starts over whenever
// another client changed the key in between, so the final balance is exact.
// Each call runs on a connection of its own, because WATCH belongs to a
// connection, not to a caller.
import { createClient, type RedisClient } from '@reactor-ts/client';
import { parseClientArgs } from './lib/cli.js';

const { url, extra } = parseClientArgs({
  workers: { type: 'string', short: 'w' },
  rounds: { type: 'string', short: 'r' },
});
const workers = Number(extra['workers'] ?? 4);
const rounds = Number(extra['rounds'] ?? 50);
if (!Number.isInteger(workers) || workers < 1 || !Number.isInteger(rounds) || rounds < 1) {
  console.error('--workers and --rounds must be positive integers');
  process.exit(2);
}

const key = 'tx:balance';
const clients: RedisClient[] = await Promise.all(Array.from({ length: workers }, () => createClient({ url }).connect()));
try {
  const first = clients[0]!;

  // A plain transaction: both commands run, or neither.
  const [, balance] = (await first.multi().set(key, '0').get(key).exec()) ?? [];
  console.log(`MULTI/EXEC set the balance to ${String(balance)}`);

  let attempts = 0;
  const deposit = (c: RedisClient) =>
    c.watchRetry(
      [key],
      async (conn, attempt) => {
        attempts = Math.max(attempts, attempt);
        const current = Number(await conn.get(key));
        return conn.multi().set(key, String(current + 1));
      },
      { attempts: 1000 },
    );

  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < rounds; i++) await deposit(c);
    }),
  );
  const final = await first.get(key);
  console.log(`${workers} clients × ${rounds} deposits: balance = ${String(final)} (expected ${workers * rounds}); most attempts for one deposit: ${attempts}`);
  if (Number(final) !== workers * rounds) process.exitCode = 1;
} finally {
  await Promise.all(clients.map((c) => c.quit()));
}
