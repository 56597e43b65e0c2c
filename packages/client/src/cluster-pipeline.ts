/**
 * A pipeline on a cluster (`cluster.pipeline().exec()`): its commands split
 * per node, replies in the pipeline's order (the Batch's slots).
 *
 * Keys in two slots in any command fail the whole pipeline before anything
 * is sent. The commands whose node has its link up go onto it as one batch
 * through the node's own `RedisClient.sendBatch` (no object per command);
 * afterwards only the replies that redirect (MOVED / ASK) or ask for a retry
 * (TRYAGAIN / CLUSTERDOWN) are re-routed, one by one, in the order they came
 * back, so per slot the order holds and a command that succeeded is never
 * sent twice. Commands for a node still connecting, replica reads and
 * fan-outs go one by one (ClusterCommand).
 */
import { isRetryableClusterError, NO_SLOT, type CommandSpec, type CommandTable } from '@reactor-ts/hiredis-adapter';
import { ReplyError, type CommandArgument } from '@reactor-ts/resp';
import { failBatch } from './cluster-batch.js';
import { ClusterCommand, type ClusterNodeConn, type CommandHost } from './cluster-node.js';
import { Batch } from './settle.js';

type Arg = CommandArgument;

/** What a pipeline needs of the cluster client (RedisCluster implements it). */
export interface PipelineHost extends CommandHost {
  readonly table: CommandTable | null;
  readonly useReplicas: boolean;
  /** The slot's master when a batch may go straight onto its link, else null. */
  directNode(slot: number): ClusterNodeConn | null;
  issue(argv: Arg[], ok: (v: unknown) => void, ko: (e: Error) => void): void;
  fanOut(argv: Arg[], spec: CommandSpec, ok: (v: unknown) => void, ko: (e: Error) => void): void;
  route(c: ClusterCommand): void;
  refresh(): void;
}

export function sendPipeline(host: PipelineHost, commands: Arg[][], batch: Batch): void {
  const table = host.table;
  if (table === null) {
    // Before the first map: through the held path, one by one.
    commands.forEach((argv, i) => host.issue(argv, (v) => batch.put(i, v), (e) => (e instanceof ReplyError ? batch.put(i, e) : batch.fail(e))));
    return;
  }
  const slots: number[] = [];
  const specs: Array<CommandSpec | null> = [];
  try {
    for (const argv of commands) {
      const spec = table.lookup(argv);
      specs.push(spec);
      slots.push(table.slotOf(argv, spec));
    }
  } catch (err) {
    // A command with keys in two slots fails the whole pipeline before anything is sent.
    return failBatch(batch, commands.length, err as Error);
  }
  // Per node, the commands whose node has its link up go on it as one batch
  // (no object per command); the replies that redirect are re-routed one by
  // one afterwards, the others fill their places. The rest go one by one.
  const groups = new Map<ClusterNodeConn, number[]>();
  for (let i = 0; i < commands.length; i++) {
    const spec = specs[i]!;
    const slot = slots[i]!;
    const fanOut = slot === NO_SLOT && spec !== null && (spec.requestPolicy === 'all_shards' || spec.requestPolicy === 'all_nodes');
    const ro = host.useReplicas && table.isReadonly(spec);
    const node = fanOut || ro || slot === NO_SLOT ? null : host.directNode(slot);
    if (node !== null) {
      let g = groups.get(node);
      if (g === undefined) groups.set(node, (g = []));
      g.push(i);
      continue;
    }
    const put = (v: unknown): void => batch.put(i, v);
    const fail = (e: Error): void => (e instanceof ReplyError ? batch.put(i, e) : batch.fail(e));
    if (fanOut) host.fanOut(commands[i]!, spec!, put, fail);
    else host.route(new ClusterCommand(host, commands[i]!, slot, ro, 0, put, fail));
  }
  for (const [node, idx] of groups) {
    const sub = new Batch(
      idx.length,
      (results) => {
        for (let j = 0; j < idx.length; j++) {
          const i = idx[j]!;
          const v = results[j];
          if (v instanceof ReplyError && isRedirectOrRetry(v.message)) {
            const c = new ClusterCommand(host, commands[i]!, slots[i]!, false, 0, (x) => batch.put(i, x), (e) => (e instanceof ReplyError ? batch.put(i, e) : batch.fail(e)));
            c.sentTo = node;
            host.failed(c, v);
          } else {
            batch.put(i, v);
          }
        }
      },
      (err) => {
        // The node's link failed with the batch on it: those commands may have run.
        host.refresh();
        for (let j = 0; j < idx.length; j++) batch.fail(err);
      },
    );
    node.client.sendBatch(idx.map((i) => commands[i]!), sub);
  }
}

function isRedirectOrRetry(text: string): boolean {
  return text.startsWith('MOVED ') || text.startsWith('ASK ') || isRetryableClusterError(text);
}
