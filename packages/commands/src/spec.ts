/**
 * The shape of one entry of the command table (table.ts): what `COMMAND INFO`
 * and `COMMAND DOCS` of Redis 7.0 say about a command or subcommand, kept as
 * plain data so every layer (the promise client's typed methods, a cluster
 * router, a key prefixer) reads the same facts. Field names follow Redis's
 * own (`key_specs`, `begin_search`, `find_keys`) in camelCase.
 */

/** One argument of COMMAND DOCS, recursive through `oneof` and `block`. */
export interface ArgSpec {
  readonly name: string;
  /** key, string, integer, double, unix-time, pattern, pure-token, oneof, block. */
  readonly type: string;
  /** The literal word sent before the value (`EX`), or the whole argument for a pure-token. */
  readonly token?: string;
  readonly optional?: boolean;
  /** One or more values. */
  readonly multiple?: boolean;
  /** With `multiple`: the token repeats before every value (`PREFIX a PREFIX b`). */
  readonly multipleToken?: boolean;
  /** For `key` arguments: the index into the command's `keySpecs`. */
  readonly keySpecIndex?: number;
  /** Children of a `oneof` (exactly one) or a `block` (all, in order). */
  readonly args?: readonly ArgSpec[];
}

/** Where the key search of one key spec starts. */
export type BeginSearch =
  /** At argv[index] (argv[0] is the command name). */
  | { readonly type: 'index'; readonly index: number }
  /** After the first argument equal to `keyword` (case-insensitive), searched from `startFrom` (negative: from the end, backwards). */
  | { readonly type: 'keyword'; readonly keyword: string; readonly startFrom: number }
  | { readonly type: 'unknown' };

/** Which arguments, from where the search began, are keys. */
export type FindKeys =
  /** Keys up to `lastKey` (relative; -1 the last argument, -2 the one before), every `keyStep`; `limit` > 1 takes 1/limit of what remains. */
  | { readonly type: 'range'; readonly lastKey: number; readonly keyStep: number; readonly limit: number }
  /** The count of keys is at `keyNumIdx`; the first key `firstKey` after the search start, every `keyStep`. */
  | { readonly type: 'keynum'; readonly keyNumIdx: number; readonly firstKey: number; readonly keyStep: number }
  | { readonly type: 'unknown' };

/** One key spec of COMMAND INFO: how to find some of a command's keys, and what it does with them. */
export interface KeySpec {
  /** RW, RO, OW, RM, access, update, insert, delete, not_key, incomplete, variable_flags, ... */
  readonly flags: readonly string[];
  readonly beginSearch: BeginSearch;
  readonly findKeys: FindKeys;
}

/** One command or subcommand of the table. */
export interface CommandSpec {
  /** `get`, or `client|list` for a subcommand (Redis's own spelling). */
  readonly name: string;
  /** The words that open its argv: ['GET'] or ['CLIENT', 'LIST']. */
  readonly argv0: readonly string[];
  /** The method name in the client: `get`, `clientList`. */
  readonly method: string;
  /** COMMAND INFO arity: N exact, -N at least N (argv[0] counts; a subcommand's name too). */
  readonly arity: number;
  /** COMMAND INFO flags: write, readonly, denyoom, admin, pubsub, noscript, blocking, loading, stale, movablekeys, ... */
  readonly flags: readonly string[];
  /** ACL categories, without the '@'. */
  readonly aclCategories: readonly string[];
  /** Tips: nondeterministic_output, request_policy:all_shards, response_policy:agg_sum, ... */
  readonly tips: readonly string[];
  readonly keySpecs: readonly KeySpec[];
  readonly group: string;
  readonly since: string;
  readonly summary: string;
  readonly complexity?: string;
  /** Set when COMMAND DOCS marks the command deprecated. */
  readonly deprecatedSince?: string;
  readonly replacedBy?: string;
  readonly args: readonly ArgSpec[];
  /** Names of the subcommands (for a container like CLIENT, which has no method itself). */
  readonly subcommands?: readonly string[];
}
