/**
 * MONITOR lines, parsed, as an async iterator: `monitorLines(client)` over
 * `client.monitor(listener)` (monitor.ts, a connection of its own). Each
 * line is split into time, db, source and the unescaped arguments.
 *
 * Memory is bounded: at most `maxQueued` lines wait for a slow consumer;
 * past that the monitor stops and the iterator throws, rather than growing
 * without bound. `close()` (or breaking out of `for await`) stops the
 * monitor's connection.
 */
import type { RedisClient } from './client.js';
import type { Monitor } from './monitor.js';

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

export interface MonitorLinesOptions {
  /** Most lines held for a slow consumer before the monitor stops with an error. Default 10,000. */
  maxQueued?: number;
}

/** The running iterator: iterate it, close it when done. */
export interface MonitorIterator extends AsyncIterableIterator<MonitorLine> {
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

/** Starts `client.monitor()` and hands its lines out parsed; resolves once the server said OK. */
export async function monitorLines(client: RedisClient, opts: MonitorLinesOptions = {}): Promise<MonitorIterator> {
  const maxQueued = opts.maxQueued ?? 10_000;
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
  let mon: Monitor | null = null;
  mon = await client.monitor((raw) => {
    const line = parseMonitorLine(raw);
    if (line === null || ended) return;
    if (queue.length >= maxQueued) {
      end(new Error(`monitor: more than ${maxQueued} lines waiting for the consumer; stopped`));
      void mon?.stop();
      return;
    }
    queue.push(line);
    notify();
  });
  void mon.closed.then((why) => end(why));
  const close = async (): Promise<void> => {
    end(null);
    await mon?.stop();
  };
  const it: MonitorIterator = {
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
