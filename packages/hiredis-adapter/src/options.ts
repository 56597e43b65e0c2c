/**
 * `redisAsyncConnectWithOptions`'s options: checked once, with messages that
 * name the bad field, and turned into the handshake the context sends before
 * any user command (AUTH, HELLO 3, SELECT, CLIENT SETNAME).
 */
import { encodeCommand, type ReplyBuilder } from '@reactor-ts/resp';
import type { RedisAsyncOptions } from './types.js';

export interface ResolvedOptions {
  host: string;
  port: number;
  /** '' for TCP. */
  path: string;
  connectTimeout: number | null;
  commandTimeout: number | null;
  password: string | null;
  username: string | null;
  db: number;
  protocol: 2 | 3;
  name: string | null;
  builder: 'hiredis' | 'native' | ReplyBuilder;
  stringMode: 'string' | 'buffer';
}

function timeout(value: number | undefined, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`redisAsyncConnectWithOptions: ${field} must be a non-negative number of ms, got ${String(value)}`);
  }
  return value === 0 || value === Infinity ? null : value;
}

/** Validates `opts`; a TypeError names the first bad field. */
export function resolveOptions(opts: RedisAsyncOptions): ResolvedOptions {
  if (typeof opts !== 'object' || opts === null) {
    throw new TypeError('redisAsyncConnectWithOptions: options must be an object');
  }
  const path = opts.path ?? '';
  if (typeof path !== 'string') throw new TypeError('redisAsyncConnectWithOptions: path must be a string');
  if (path !== '' && opts.port !== undefined) {
    throw new TypeError('redisAsyncConnectWithOptions: give either port (TCP) or path (unix socket), not both');
  }
  const port = opts.port ?? 6379;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`redisAsyncConnectWithOptions: port must be an integer 0..65535, got ${String(port)}`);
  }
  const host = opts.host ?? '127.0.0.1';
  if (typeof host !== 'string' || (path === '' && host === '')) {
    throw new TypeError('redisAsyncConnectWithOptions: host must be a non-empty string');
  }
  const db = opts.db ?? 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new TypeError(`redisAsyncConnectWithOptions: db must be a non-negative integer, got ${String(db)}`);
  }
  const protocol = opts.protocol ?? 2;
  if (protocol !== 2 && protocol !== 3) {
    throw new TypeError(`redisAsyncConnectWithOptions: protocol must be 2 or 3, got ${String(protocol)}`);
  }
  if (opts.username !== undefined && opts.password === undefined) {
    throw new TypeError('redisAsyncConnectWithOptions: username needs a password');
  }
  const builder = opts.replies ?? 'hiredis';
  const stringMode = opts.stringMode ?? 'string';
  if (stringMode !== 'string' && stringMode !== 'buffer') {
    throw new TypeError(`redisAsyncConnectWithOptions: stringMode must be 'string' or 'buffer'`);
  }
  return {
    host,
    port,
    path,
    connectTimeout: timeout(opts.connectTimeout, 'connectTimeout'),
    commandTimeout: timeout(opts.commandTimeout, 'commandTimeout'),
    password: opts.password ?? null,
    username: opts.username ?? null,
    db,
    protocol,
    name: opts.name ?? null,
    builder,
    stringMode,
  };
}

/**
 * The commands sent on connect, in order. AUTH goes first: on a server with
 * a password, HELLO and SELECT are refused until the client authenticated.
 */
export function handshakeCommands(o: ResolvedOptions): Buffer[] {
  const out: Buffer[] = [];
  if (o.password !== null) {
    out.push(encodeCommand(o.username !== null ? ['AUTH', o.username, o.password] : ['AUTH', o.password]));
  }
  if (o.protocol === 3) out.push(encodeCommand(['HELLO', '3']));
  if (o.db !== 0) out.push(encodeCommand(['SELECT', o.db]));
  if (o.name !== null) out.push(encodeCommand(['CLIENT', 'SETNAME', o.name]));
  return out;
}
