/**
 * @reactor-ts/commands — the Redis 7.0 command table as plain data, with no
 * I/O and no dependencies: every command and subcommand with its arity,
 * flags, ACL categories, tips, key specs and documented arguments, generated
 * from a live redis-server (packages/client/scripts/gen-commands.ts) and
 * checked against it by a spec. Any layer can import it: the promise client
 * builds its typed methods from it, a cluster router and a key prefixer find
 * keys by it.
 *
 * Layout
 * - spec.ts   CommandSpec, ArgSpec, KeySpec: the shape of one entry
 * - table.ts  COMMAND_TABLE (generated; do not edit by hand)
 * - keys.ts   commandSpec / specOfArgv (look-up), keyIndexes / commandKeys / prefixKeys (key specs applied to an argv)
 */
export type { ArgSpec, BeginSearch, CommandSpec, FindKeys, KeySpec } from './spec.js';
export { COMMAND_TABLE, REDIS_VERSION } from './table.js';
export { commandSpec, specOfArgv, keyIndexes, commandKeys, prefixKeys } from './keys.js';
