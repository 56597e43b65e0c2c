/**
 * What a command is: name, arity (Redis's convention: positive = exactly
 * that many arguments including the name, negative = at least -arity),
 * flags, key positions (what COMMAND reports) and the handler. Kept apart
 * from the table so the command modules can import it without a cycle.
 */
import type { Client } from './client.js';

/** Runs a command; returns its reply (or NO_REPLY), may throw a ReplyError. */
export type Handler = (c: Client, argv: Buffer[]) => unknown;

export interface Command {
  /** Lower-case name, as Redis reports it. */
  readonly name: string;
  readonly arity: number;
  /** Redis's flag names: write, readonly, fast, denyoom, pubsub, noscript, loading, stale, no_auth... */
  readonly flags: readonly string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  /** May run before AUTH (AUTH, HELLO, QUIT). */
  readonly noAuth: boolean;
  readonly handler: Handler;
  /**
   * For a container (CLIENT, CONFIG, OBJECT...): the subcommands its handler
   * implements, lower case. COMMAND INFO / DOCS / LIST describe only these
   * (command-docs.ts); command-docs.spec.ts checks the list against the handler.
   */
  readonly subcommands?: readonly string[];
}

/** Shorthand for the command modules: keys default to "one key at argv[1]" when flagged write/readonly. */
export function command(
  name: string,
  arity: number,
  flags: string,
  handler: Handler,
  keys: [first: number, last: number, step: number] | null = null,
): Command {
  const list = flags.split(' ').filter((f) => f.length > 0);
  const hasKey = list.includes('write') || list.includes('readonly');
  const [firstKey, lastKey, step] = keys ?? (hasKey ? [1, 1, 1] : [0, 0, 0]);
  return { name, arity, flags: list, firstKey, lastKey, step, noAuth: list.includes('no_auth'), handler };
}
