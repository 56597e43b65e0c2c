/**
 * `client.monitor(listener)`: MONITOR on a connection of its own.
 *
 * MONITOR turns a connection into a stream: after its "OK", every command
 * the server runs arrives as one more status line for the same command, and
 * the connection takes nothing else. On the client's shared connection that
 * would end every other caller's replies, and a promise cannot take a
 * stream; so `command('MONITOR')` is refused and this opens a dedicated,
 * non-reconnecting client (a duplicate) whose only command is MONITOR, sent
 * with a settler that takes each line (link.ts `send`). The context settles
 * that settler once per line and once more, with null or an error, when the
 * connection ends; `closed` reports that end exactly once.
 */
import type { Link } from './link.js';

/** Receives one MONITOR line: `1700000000.123456 [0 127.0.0.1:50000] "SET" "k" "v"`. */
export type MonitorListener = (line: string) => void;

/** A running MONITOR. */
export interface Monitor {
  /** Resolves once the monitor's connection has ended: null after `stop()`, else the error that ended it. */
  readonly closed: Promise<Error | null>;
  /** Closes the monitor's connection; resolves when it is closed. */
  stop(): Promise<void>;
}

/** What openMonitor needs of the dedicated client. */
export interface MonitorConnection {
  connect(): Promise<unknown>;
  readonly link: Link | null;
  disconnect(): Promise<void>;
}

export async function openMonitor(conn: MonitorConnection, listener: MonitorListener): Promise<Monitor> {
  try {
    await conn.connect();
  } catch (err) {
    await conn.disconnect();
    throw err;
  }
  const link = conn.link;
  if (link === null) {
    await conn.disconnect();
    throw new Error('monitor(): the connection closed before MONITOR could be sent');
  }
  let stopped = false;
  let ended = false;
  let endClosed!: (why: Error | null) => void;
  const closed = new Promise<Error | null>((resolve) => (endClosed = resolve));
  const end = (why: Error | null): void => {
    if (ended) return;
    ended = true;
    endClosed(stopped ? null : why);
    void conn.disconnect();
  };
  const monitor: Monitor = {
    closed,
    stop: async () => {
      stopped = true;
      await conn.disconnect();
      await closed;
    },
  };
  return new Promise<Monitor>((resolve, reject) => {
    let confirmed = false;
    link.send({
      argv: ['MONITOR'],
      resolve(value: unknown): void {
        if (!confirmed) {
          confirmed = true;
          resolve(monitor);
          return;
        }
        if (value === null) end(null);
        else if (!ended) listener(Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
      },
      reject(err: Error): void {
        if (!confirmed) {
          confirmed = true;
          ended = true;
          endClosed(err);
          void conn.disconnect();
          reject(err);
          return;
        }
        end(err);
      },
    });
  });
}
