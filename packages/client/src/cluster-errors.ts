/**
 * The cluster client's own errors, beside the single-node ones (errors.ts).
 * Each says whether the command ran: CrossSlotError and
 * ClusterUnavailableError were never sent (or were refused before running),
 * MaxRedirectionsError was refused by every node it was sent to. A
 * ConnectionError from a node means, as for one client, that it may have run.
 */
export { CrossSlotError } from '@reactor-ts/hiredis-adapter';

/** A command was redirected (MOVED / ASK) more than `maxRedirections` times; it did not run. */
export class MaxRedirectionsError extends Error {
  override readonly name = 'MaxRedirectionsError';
  readonly code = 'ERR_MAX_REDIRECTIONS';
  constructor(
    readonly command: string,
    readonly redirections: number,
    readonly lastReply: string,
  ) {
    super(`${command}: gave up after ${redirections} redirections (last: ${lastReply}); the slot map keeps changing. Not run.`);
  }
}

/**
 * No node could take the command before its deadline: the slot's master was
 * down and no replica had been promoted yet, the cluster said TRYAGAIN or
 * CLUSTERDOWN each time, or no node answered. The command did not run.
 */
export class ClusterUnavailableError extends Error {
  override readonly name = 'ClusterUnavailableError';
  readonly code = 'ERR_CLUSTER_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
