/**
 * Command-line conventions shared by the runnable examples (DESIGN.md,
 * "Runnable programs"): servers take `--port N` (0 = any free port) and
 * `--host`, print `listening on HOST:PORT` once they accept connections, and
 * stop cleanly on SIGINT/SIGTERM; clients take `--url redis://...`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `argv` without a leading `--`: npm and pnpm users pass arguments as
 * `pnpm start -- --once`, and pnpm hands the `--` on to the script, where
 * parseArgs would take it as the end of the options (and every option after
 * it as an unexpected positional). Only the first element is dropped: a `--`
 * later on keeps its usual meaning.
 */
export function withoutLeadingSeparator(argv: readonly string[]): string[] {
  return argv[0] === '--' ? argv.slice(1) : [...argv];
}

export interface ServerArgs {
  port: number;
  host: string;
  /** Any extra options the example declared, as parsed. */
  extra: Record<string, string | boolean | undefined>;
}

/** Parses --port/--host (plus `extra` options); exits with a message on bad input. */
export function parseServerArgs(
  extra: Options = {},
  defaults: { port?: number; host?: string } = {},
  argv: string[] = process.argv.slice(2),
): ServerArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: withoutLeadingSeparator(argv),
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string', short: 'h' },
        ...extra,
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const portText = values['port'];
  const port = typeof portText === 'string' ? Number(portText) : (defaults.port ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${String(portText)}`);
  const host = typeof values['host'] === 'string' ? values['host'] : (defaults.host ?? '127.0.0.1');
  const rest: Record<string, string | boolean | undefined> = { ...values };
  delete rest['port'];
  delete rest['host'];
  return { port, host, extra: rest };
}

/** Parses --url (default $REDIS_URL) plus `extra` options for client examples. */
export function parseClientArgs(
  extra: Options = {},
  argv: string[] = process.argv.slice(2),
): { url: string; extra: Record<string, string | boolean | undefined> } {
  let parsed;
  try {
    parsed = parseArgs({ args: withoutLeadingSeparator(argv), options: { url: { type: 'string' }, ...extra } });
  } catch (err) {
    fail((err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const url = typeof values['url'] === 'string' ? values['url'] : (process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const rest: Record<string, string | boolean | undefined> = { ...values };
  delete rest['url'];
  return { url, extra: rest };
}

/** Runs `stop` once on the first SIGINT or SIGTERM; a second signal exits at once. */
export function onShutdown(stop: () => void | Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    console.error(`${signal}: shutting down`);
    Promise.resolve()
      .then(stop)
      .catch((err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
