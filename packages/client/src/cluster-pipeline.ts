/**
 * A pipeline on a cluster (`cluster.pipeline().exec()`): its commands split
 * per node, replies in the pipeline's order (the Batch's slots).
 *
 * The pipeline is checked whole before anything is sent: an argument the
 * encoder refuses, or keys in two slots in one command, fail all of it. The
 * commands whose node has its link up go onto it as one batch (a node's
 * share) through the node's own `RedisClient.sendBatch` (no object per
 * command); afterwards only the replies that redirect (MOVED / ASK) or ask
 * for a retry (TRYAGAIN / CLUSTERDOWN) are re-routed, one by one, in the
 * order they came back, so per slot the order holds and a command that
 * succeeded is never sent twice. Commands for a node still connecting,
 * replica reads and fan-outs go one by one (ClusterCommand).
 *
 * Cost per command on the direct path (a pipeline of 1,000 spends most of
 * its client time here): one table lookup (cached by name), one CRC16, one
 * Map lookup for the node's share, two array pushes. No slot or spec is
 * kept per command: the rare command that redirects has its slot computed
 * again.
 */
import { isRetryableClusterError, NO_SLOT, type CommandSpec, type CommandTable } from '@reactor-ts/hiredis-adapter';
import { ReplyError, type CommandArgument } from '@reactor-ts/resp';
import { failBatch } from './cluster-batch.js';
import { ClusterCommand, type ClusterNodeConn, type CommandHost, type SendGate } from './cluster-node.js';
import { CommandRefusedError } from './errors.js';
import { batchRefusal } from './link-errors.js';
import { Batch } from './settle.js';

type Arg = CommandArgument;

/** What a pipeline needs of the cluster client (RedisCluster implements it). */
export interface PipelineHost extends CommandHost {
  readonly table: CommandTable | null;
  readonly useReplicas: boolean;
  /** The slot's master when a batch may go straight onto its link, else null. */
  directNode(slot: number): ClusterNodeConn | null;
  issue(argv: Arg[], ok: (v: unknown) => void, ko: (e: Error) => void, pinned: null, gate: SendGate | null, buffers: boolean): void;
  fanOut(argv: Arg[], spec: CommandSpec, ok: (v: unknown) => void, ko: (e: Error) => void, gate: SendGate | null, buffers: boolean): void;
  route(c: ClusterCommand): void;
  refresh(): void;
}

/** The commands of one pipeline that go onto one node's link together: their places in the pipeline, and their argv. */
interface Share {
  readonly idx: number[];
  readonly argvs: Arg[][];
}

/** A command that goes one by one (fan-out, replica read, node not connected yet); few per pipeline. */
interface Single {
  readonly i: number;
  readonly slot: number;
  readonly spec: CommandSpec | null;
  readonly fanOut: boolean;
  readonly readonly: boolean;
}

/**
 * `gate`: the batch's abort state when exec() was given a signal (every
 * part carries it, so an abort drops the parts not yet written), else null.
 * `batch.buffers` reads every reply's strings as Buffers.
 */
export function sendPipeline(host: PipelineHost, commands: Arg[][], batch: Batch, gate: SendGate | null): void {
  const table = host.table;
  const n = commands.length;
  const buffers = batch.buffers;
  if (table === null) {
    // Before the first map: through the held path, one by one.
    commands.forEach((argv, i) =>
      host.issue(argv, (v) => batch.put(i, v), (e) => (e instanceof ReplyError ? batch.put(i, e) : batch.fail(e)), null, gate, buffers),
    );
    return;
  }
  const refused = batchRefusal(commands);
  if (refused !== null) return failBatch(batch, n, new CommandRefusedError(`cluster pipeline not sent: ${refused}`));
  // One pass: each command's slot and where it goes. Nothing is sent until
  // every command's keys were checked (a CrossSlotError fails the whole
  // pipeline before any of it leaves).
  const shares = new Map<ClusterNodeConn, Share>();
  let singles: Single[] | null = null;
  const useReplicas = host.useReplicas;
  try {
    for (let i = 0; i < n; i++) {
      const argv = commands[i]!;
      const spec = table.lookup(argv);
      const slot = table.slotOf(argv, spec);
      const ro = useReplicas && table.isReadonly(spec);
      if (slot !== NO_SLOT && !ro) {
        const node = host.directNode(slot);
        if (node !== null) {
          let share = shares.get(node);
          if (share === undefined) shares.set(node, (share = { idx: [], argvs: [] }));
          share.idx.push(i);
          share.argvs.push(argv);
          continue;
        }
      }
      const fanOut = slot === NO_SLOT && spec !== null && (spec.requestPolicy === 'all_shards' || spec.requestPolicy === 'all_nodes');
      (singles ??= []).push({ i, slot, spec, fanOut, readonly: ro });
    }
  } catch (err) {
    // A command with keys in two slots fails the whole pipeline before anything is sent.
    return failBatch(batch, n, err as Error);
  }
  if (singles !== null) {
    for (const s of singles) {
      const i = s.i;
      const put = (v: unknown): void => batch.put(i, v);
      const fail = (e: Error): void => (e instanceof ReplyError ? batch.put(i, e) : batch.fail(e));
      if (s.fanOut) host.fanOut(commands[i]!, s.spec!, put, fail, gate, buffers);
      else {
        const c = new ClusterCommand(host, commands[i]!, s.slot, s.readonly, 0, put, fail);
        c.gate = gate;
        c.buffers = buffers;
        host.route(c);
      }
    }
  }
  for (const [node, share] of shares) sendShare(host, table, node, share, batch, gate);
}

/** One node's share as one batch on its link; its replies fill their places in `batch`, redirects are re-routed. */
function sendShare(host: PipelineHost, table: CommandTable, node: ClusterNodeConn, share: Share, batch: Batch, gate: SendGate | null): void {
  const { idx, argvs } = share;
  const sub = new Batch(
    idx.length,
    (results) => {
      for (let j = 0; j < idx.length; j++) {
        const v = results[j];
        if (v instanceof ReplyError && isRedirectOrRetry(v.message)) reroute(host, table, node, argvs[j]!, idx[j]!, batch, v, gate);
        else batch.put(idx[j]!, v);
      }
    },
    (err) => {
      // The node's link failed with the share on it: those commands may have run.
      host.refresh();
      for (let j = 0; j < idx.length; j++) batch.fail(err);
    },
  );
  sub.buffers = batch.buffers;
  gate?.written();
  node.client.sendBatch(argvs, sub, true);
}

/** A command of a share that came back MOVED / ASK / TRYAGAIN: on its own from now on, as a single command would be. */
function reroute(host: PipelineHost, table: CommandTable, from: ClusterNodeConn, argv: Arg[], i: number, batch: Batch, reply: ReplyError, gate: SendGate | null): void {
  // Its keys were checked when the pipeline was split: slotOf cannot throw here.
  const c = new ClusterCommand(host, argv, table.slotOf(argv), false, 0, (x) => batch.put(i, x), (e) => (e instanceof ReplyError ? batch.put(i, e) : batch.fail(e)));
  c.sentTo = from;
  c.gate = gate;
  c.buffers = batch.buffers;
  host.failed(c, reply);
}

function isRedirectOrRetry(text: string): boolean {
  return text.startsWith('MOVED ') || text.startsWith('ASK ') || isRetryableClusterError(text);
}
