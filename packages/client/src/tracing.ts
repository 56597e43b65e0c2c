/**
 * Command tracing on node:diagnostics_channel, so OpenTelemetry, a logger or
 * a test can watch commands with no dependency of ours and no cost when
 * nobody listens (one `hasSubscribers` check per command).
 *
 * Channels (each message one object; the same `id` on a command's start and
 * its end or error):
 *   reactor-ts:command:start  { id, command, keyCount, server }
 *   reactor-ts:command:end    { id, command, keyCount, server, durationMs }
 *   reactor-ts:command:error  { id, command, keyCount, server, durationMs, error }
 * `command` is the command's name ('SET', 'CLIENT LIST'); argument values
 * are never published. `server` is the client's endpoint where it knows one.
 */
import diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { keyIndexes, specOfArgv } from '@reactor-ts/commands';
import type { CommandArgument } from '@reactor-ts/resp';

export const COMMAND_START_CHANNEL = 'reactor-ts:command:start';
export const COMMAND_END_CHANNEL = 'reactor-ts:command:end';
export const COMMAND_ERROR_CHANNEL = 'reactor-ts:command:error';

const startCh = diagnostics.channel(COMMAND_START_CHANNEL);
const endCh = diagnostics.channel(COMMAND_END_CHANNEL);
const errorCh = diagnostics.channel(COMMAND_ERROR_CHANNEL);

/** What the start channel carries. */
export interface CommandTraceStart {
  readonly id: number;
  readonly command: string;
  readonly keyCount: number;
  readonly server: string | undefined;
}
export interface CommandTraceEnd extends CommandTraceStart {
  readonly durationMs: number;
}
export interface CommandTraceError extends CommandTraceEnd {
  readonly error: unknown;
}

let nextId = 1;

/** True when anyone listens on one of the channels. */
export function tracing(): boolean {
  return startCh.hasSubscribers || endCh.hasSubscribers || errorCh.hasSubscribers;
}

function nameOf(argv: readonly CommandArgument[]): string {
  const spec = specOfArgv(argv);
  if (spec !== undefined) return spec.argv0.join(' ');
  const a = argv[0];
  return typeof a === 'string' ? a.toUpperCase() : 'UNKNOWN';
}

/** Runs `send`, publishing its start and end (or error). */
export function traced<T>(argv: readonly CommandArgument[], server: string | undefined, send: () => Promise<T>): Promise<T> {
  const start: CommandTraceStart = { id: nextId++, command: nameOf(argv), keyCount: keyIndexes(argv).length, server };
  const t0 = performance.now();
  startCh.publish(start);
  return send().then(
    (r) => {
      endCh.publish({ ...start, durationMs: performance.now() - t0 } satisfies CommandTraceEnd);
      return r;
    },
    (error: unknown) => {
      errorCh.publish({ ...start, durationMs: performance.now() - t0, error } satisfies CommandTraceError);
      throw error;
    },
  );
}
