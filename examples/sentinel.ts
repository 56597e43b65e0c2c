// A client behind Redis Sentinel, through a failover.
// Run:  npx tsx --conditions=source examples/sentinel.ts [--count N]
// It starts its own deployment first (needs redis-server on PATH): a master,
// one replica and three sentinels on free loopback ports, all stopped at the
// end. Then it counts with INCR through createSentinel, asks the sentinels
// for a failover halfway (SENTINEL FAILOVER), keeps counting while the
// client moves to the promoted replica, and prints where each part ran.
// Against your own sentinels:  --sentinels redis://h:26379,redis://h2:26379 --name mymaster
// (then no failover is forced; stop it with Ctrl-C).
import { parseArgs } from 'node:util';
import { createSentinel } from '@reactor-ts/client';
import { startSentinelGroup, type SentinelGroup } from '@reactor-ts/test-utils';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    sentinels: { type: 'string' },
    name: { type: 'string', default: 'mymaster' },
  },
});
const count = Number(values.count);
if (!Number.isInteger(count) || count < 2) {
  console.error(`--count must be an integer >= 2, got ${values.count}`);
  process.exit(2);
}

let group: SentinelGroup | null = null;
let sentinels: string[];
if (values.sentinels !== undefined) sentinels = values.sentinels.split(',');
else {
  console.log('starting a master, a replica and 3 sentinels ...');
  group = await startSentinelGroup({ name: values.name, replicas: 1, sentinels: 3 });
  sentinels = group.sentinelUrls;
}

const client = createSentinel({ sentinels, name: values.name });
try {
  await client.connect();
  console.log(`master at ${client.address?.host}:${client.address?.port} (sentinels: ${sentinels.join(' ')})`);
  await client.del('example:sentinel');
  let ok = 0;
  let failed = 0;
  let failover: Promise<unknown> | null = null;
  for (let i = 0; i < count; i++) {
    if (i === count / 2 && group !== null) {
      console.log('SENTINEL FAILOVER ...');
      failover = group.failover();
    }
    try {
      await client.incr('example:sentinel');
      ok++;
    } catch (err) {
      // In flight on the old master when it went away: it may have run.
      failed++;
      console.log(`INCR failed: ${(err as Error).message}`);
    }
    // Pace the loop a little so the failover lands in its middle.
    if (failover !== null && i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  await failover;
  console.log(`now on ${client.address?.host}:${client.address?.port} after ${client.switches} switch(es)`);
  console.log(`INCR ok=${ok} failed=${failed}; counter=${await client.get('example:sentinel')}`);
} finally {
  await client.quit().catch(() => undefined);
  await group?.stop();
}
