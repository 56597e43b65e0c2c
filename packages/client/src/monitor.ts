/**
 * MONITOR as an async iterator of parsed lines. MONITOR turns a connection
 * into a one-way stream of every command the server runs, so it gets a
 * connection of its own (`client.duplicate()`, same options, no reconnect);
 * the hiredis layer hands each monitor line to the MONITOR command's
 * settler (CMD_MONITOR), which queues it for the iterator.
 *
 * Memory is bounded: at most `maxQueued` lines wait for a slow consumer;
 * past that the monitor stops and the iterator throws, rather than growing
 * without bound. `close()` (or breaking out of `for await`) drops the
 * connection.
 */
import type { RedisClient } from './client.js';

/** One line of MONITOR: `1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`. */
export interface MonitorLine {
  /** Unix time in seconds, with microseconds. */
  readonly time: number;
  readonly db: number;
  /** `ip:port` of the client that ran it, `unix:/path`, or `lua`. */
  readonly source: string;
  /** The command and its arguments, unescaped. */
  readonly args: string[];
  /** The line as the server sent it. */
  readonly raw: string;
}

export interface MonitorOptions {
  /** Most lines held for a slow consumer before the monitor stops with an error. Default 10,000. */
  maxQueued?: number;
}

/** The running monitor: iterate it, close it when done. */
export interface Monitor extends AsyncIterableIterator<MonitorLine> {
  close(): Promise<void>;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '"': '"', '\\': '\\' };

/** The quoted arguments of a monitor line (Redis writes them with sdscatrepr). */
function quotedArgs(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '"') {
      i++;
      continue;
    }
    let cur = '';
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) {
        const c = s[i + 1]!;
        if (c === 'x' && i + 3 < s.length) {
          cur += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        cur += ESCAPES[c] ?? c;
        i += 2;
        continue;
      }
      cur += s[i];
      i++;
    }
    out.push(cur);
    i++;
  }
  return out;
}

/** Parses one monitor line; null for a line of another form. */
export function parseMonitorLine(raw: string): MonitorLine | null {
  const m = /^(\d+(?:\.\d+)?) \[(\d+) ([^\]]*)\] (.*)$/s.exec(raw);
  if (m === null) return null;
  return { time: Number(m[1]), db: Number(m[2]), source: m[3]!, args: quotedArgs(m[4]!), raw };
}

/** Starts MONITOR on a connection of its own, like `client`'s; resolves once the server said OK. */
export async function monitor(client: RedisClient, opts: MonitorOptions = {}): Promise<Monitor> {
  const maxQueued = opts.maxQueued ?? 10_000;
  const conn = client.duplicate({ reconnect: false, resendOnReconnect: false });
  await conn.connect();
  const link = conn.link;
  if (link === null) throw new Error('monitor: the connection closed before MONITOR could be sent');
  const queue: MonitorLine[] = [];
  let failure: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const end = (err: Error | null): void => {
    if (ended) return;
    ended = true;
    failure = err;
    notify();
  };
  let started!: () => void;
  let refused!: (e: Error) => void;
  const ok = new Promise<void>((res, rej) => {
    started = res;
    refused = rej;
  });
  let first = true;
  link.send({
    argv: ['MONITOR'],
    resolve(v: unknown) {
      if (first) {
        first = false;
        started();
        return;
      }
      if (v === null || v === undefined) return end(null);
      const line = parseMonitorLine(String(v));
      if (line === null || ended) return;
      if (queue.length >= maxQueued) {
        end(new Error(`monitor: more than ${maxQueued} lines waiting for the consumer; stopped`));
        void conn.disconnect();
        return;
      }
      queue.push(line);
      notify();
    },
    reject(err: Error) {
      if (first) refused(err);
      end(err);
    },
  });
  await ok;
  const close = async (): Promise<void> => {
    end(null);
    await conn.disconnect();
  };
  const it: Monitor = {
    async next(): Promise<IteratorResult<MonitorLine>> {
      for (;;) {
        const line = queue.shift();
        if (line !== undefined) return { value: line, done: false };
        if (ended) {
          if (failure !== null) {
            const f = failure;
            failure = null;
            throw f;
          }
          return { value: undefined, done: true };
        }
        await new Promise<void>((r) => (wake = r));
      }
    },
    async return(): Promise<IteratorResult<MonitorLine>> {
      await close();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
    close,
  };
  return it;
}
