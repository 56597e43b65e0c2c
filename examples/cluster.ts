// Redis Cluster with the promise client: routing, a pipeline across masters, a transaction that
// follows its slot when the slot moves, and the hiredis-cluster callback API on a reactor.
// Run:  npx tsx --conditions=source examples/cluster.ts [--url redis://127.0.0.1:PORT] [--keys 1000]
// Without --url it starts its own local cluster (3 masters + 3 replicas; needs redis-server and
// redis-cli on PATH) and stops it at the end. With --url, any node of your cluster.
import { createReactor } from '@reactor-ts/reactor';
import { createCluster } from '@reactor-ts/client';
import {
  HIRCLUSTER_EVENT_READY,
  keySlot,
  redisClusterAsyncCommand,
  redisClusterAsyncConnect2,
  redisClusterAsyncContextInit,
  redisClusterAsyncDisconnect,
  redisClusterAttach,
  redisClusterSetEventCallback,
  redisClusterSetOptionAddNodes,
  redisClusterSetOptionPassword,
} from '@reactor-ts/hiredis-adapter';
import { startCluster, type RedisCluster as LocalCluster } from '@reactor-ts/test-utils';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { url: { type: 'string' }, keys: { type: 'string', default: '1000' } } });
const nKeys = Number(values.keys);
if (!Number.isInteger(nKeys) || nKeys < 1) throw new Error('--keys must be a positive integer');

let local: LocalCluster | null = null;
let url = values.url;
if (url === undefined) {
  console.log('starting a local cluster (3 masters, 3 replicas)...');
  local = await startCluster({ masters: 3, replicasPerMaster: 1 });
  url = local.urls[0]!;
}

const cluster = await createCluster({ rootNodes: [url] }).connect();
try {
  console.log(`masters: ${cluster.nodes('master').map((n) => `${n.host}:${n.port}`).join(', ')}`);

  // Every command goes to the master of its key's slot; a burst leaves in one write per node.
  const keys = Array.from({ length: nKeys }, (_, i) => `example:${i}`);
  await Promise.all(keys.map((k) => cluster.set(k, '0')));
  console.log(`SET ${nKeys} keys, MOVED seen: ${cluster.stats.moved}`);

  // One pipeline, split per node by the client, replies in the pipeline's order.
  const p = cluster.pipeline();
  for (const k of keys) p.incr(k);
  const replies = await p.exec();
  console.log(`pipeline of ${replies.length} INCR across masters: all 1 = ${replies.every((r) => r === 1)}`);

  // Keys in one {hash tag} share a slot, so multi-key commands and MULTI work on them.
  console.log(`MSET {user:1}.name / {user:1}.mail: ${String(await cluster.command('MSET', '{user:1}.name', 'ann', '{user:1}.mail', 'a@x'))}`);
  try {
    await cluster.command('MSET', 'a', '1', 'b', '2');
  } catch (err) {
    console.log(`MSET a b: ${(err as Error).name}, not sent`);
  }

  if (local !== null) {
    // Move the transaction's slot to another master: the next multi() follows it by itself.
    const slot = keySlot('{user:1}');
    const from = await local.masterOf(slot);
    const to = (await local.masters()).find((m) => m.port !== from.port)!;
    await local.migrateSlot(slot, to.port);
    const tx = await cluster.multi().incr('{user:1}.visits').get('{user:1}.name').exec();
    console.log(`slot ${slot} moved :${from.port} → :${to.port}; multi() after the move: ${JSON.stringify(tx)}`);
  }

  // The hiredis-cluster callback API: one node context per master on one reactor.
  const R = createReactor();
  const acc = redisClusterAsyncContextInit();
  redisClusterSetOptionAddNodes(acc, new URL(url).host);
  const pw = new URL(url).password;
  if (pw) redisClusterSetOptionPassword(acc, decodeURIComponent(pw));
  redisClusterAttach(R, acc);
  let done = 0;
  redisClusterSetEventCallback(acc, (a, event) => {
    if (event !== HIRCLUSTER_EVENT_READY) return;
    for (let i = 0; i < 1000; i++) {
      redisClusterAsyncCommand(a, (a2, reply) => {
        if (++done === 1000) {
          console.log(`hiredis-cluster API: 1000 INCR, last reply ${String(reply?.integer)}`);
          redisClusterAsyncDisconnect(a2);
          R.stopEventloop();
        }
      }, null, 'INCR %s', 'example:counter');
    }
  });
  redisClusterAsyncConnect2(acc);
  await R.eventloop();
  R.release();
} finally {
  await cluster.quit();
  await local?.stop();
}
