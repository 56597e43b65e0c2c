/**
 * Commands and subcommands of the table that deliberately have no typed
 * method, with the reason and what to use instead. They remain reachable
 * through `command(...argv)`; the coverage spec checks that every other
 * command the live server lists has a method.
 */
export const ABSENT_COMMANDS: Readonly<Record<string, string>> = {
  command: 'the bare COMMAND (its subcommands commandInfo, commandDocs, commandCount, ... are methods) would shadow command(...argv)',
  subscribe: 'subscriptions have their own API (client.subscribe), which keeps them across reconnects',
  psubscribe: 'client.psubscribe',
  ssubscribe: 'client.ssubscribe',
  unsubscribe: 'client.unsubscribe',
  punsubscribe: 'client.punsubscribe',
  sunsubscribe: 'client.sunsubscribe',
  monitor: 'turns the connection into a stream of monitor lines; needs a connection of its own',
  multi: 'transactions are client.multi() (one write, never split) and watchRetry',
  exec: 'client.multi().exec()',
  discard: 'client.multi() never leaves a transaction open',
  watch: 'client.watchRetry(keys, fn), which runs WATCH on a dedicated connection',
  unwatch: 'client.watchRetry',
  quit: 'client.quit() (settles in-flight commands first)',
  hello: 'the protocol is chosen once per client (the `protocol` option); HELLO on a shared link would change it under the reader',
  reset: 'resets the connection state (db, subscriptions, protocol) under the client',
  'client|reply': 'OFF / SKIP leave commands without replies, which breaks reply order',
  sync: 'replication protocol, not a client command',
  psync: 'replication protocol, not a client command',
  replconf: 'replication protocol, not a client command',
};
