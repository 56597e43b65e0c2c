/**
 * CLIENT and its subcommands, as Redis 7.0: ID, GETNAME, SETNAME, SETINFO,
 * INFO, LIST [TYPE t] [ID id...], KILL (old addr form and the filter form),
 * UNBLOCK id [TIMEOUT|ERROR], REPLY ON|OFF|SKIP, NO-EVICT on|off.
 *
 * CLIENT LIST / INFO print Redis's fields in Redis's order; those that
 * describe Redis's memory layout (qbuf-free, argv-mem, rbs, ...) are given
 * the nearest meaning here (bytes queued in and out) or 0.
 */
import { VerbatimString } from '@reactor-ts/resp';
import { parseInt64 } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { err, NO_REPLY, OK, SYNTAX, unknownSubcommand, wrongArity } from '../reply.js';
import { is } from './util.js';

const BAD_NAME = err('ERR Client names cannot contain spaces, newlines or special characters.');
const NO_SUCH_CLIENT = err('ERR No such client');
const UNBLOCKED = err('UNBLOCKED client unblocked via CLIENT UNBLOCK');

function validName(name: Buffer): boolean {
  for (const b of name) if (b < 0x21 || b > 0x7e) return false;
  return true;
}

/** Redis's client flags letters for CLIENT LIST. */
function flags(c: Client): string {
  let f = '';
  if (c.subscriptions > 0) f += 'P';
  if (c.multi !== null) f += 'x';
  if (c.blocked !== null) f += 'b';
  if (c.dirtyCas) f += 'd';
  if (c.closing) f += 'c';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

/** One CLIENT LIST line (no newline), Redis 7.0's fields in its order. */
export function clientLine(c: Client, now = Date.now()): string {
  const conn = c.sink.describe?.() ?? { addr: '', laddr: '', fd: -1, qbuf: 0, omem: 0 };
  return [
    `id=${c.id}`,
    `addr=${conn.addr}`,
    `laddr=${conn.laddr}`,
    `fd=${conn.fd}`,
    `name=${c.name ?? ''}`,
    `age=${Math.floor((now - c.createdAt) / 1000)}`,
    `idle=${Math.floor((now - c.lastInteraction) / 1000)}`,
    `flags=${flags(c)}`,
    `db=${c.db.index}`,
    `sub=${c.channels.size}`,
    `psub=${c.patterns.size}`,
    'ssub=0',
    `multi=${c.multi === null ? -1 : c.multi.length}`,
    `qbuf=${conn.qbuf}`,
    'qbuf-free=0',
    'argv-mem=0',
    'multi-mem=0',
    'rbs=0',
    'rbp=0',
    `obl=0`,
    `oll=0`,
    `omem=${conn.omem}`,
    `tot-mem=${conn.qbuf + conn.omem}`,
    `events=r${conn.omem > 0 ? 'w' : ''}`,
    `cmd=${c.lastCommand}`,
    'user=default',
    'redir=-1',
    `resp=${c.protocol}`,
  ].join(' ');
}

function text(body: string): unknown {
  return new VerbatimString('txt', body);
}

/** A client type as CLIENT LIST TYPE / CLIENT KILL TYPE name it; null when unknown. */
function typeOf(c: Client): string {
  return c.subscriptions > 0 ? 'pubsub' : 'normal';
}

const TYPES = new Set(['normal', 'pubsub', 'master', 'replica', 'slave']);

function list(c: Client, argv: Buffer[]): unknown {
  let type: string | null = null;
  let ids: Set<number> | null = null;
  if (argv.length === 4 && is(argv[2] as Buffer, 'type')) {
    type = (argv[3] as Buffer).toString('latin1').toLowerCase();
    if (!TYPES.has(type)) throw err(`ERR Unknown client type '${(argv[3] as Buffer).toString('latin1')}'`);
    if (type === 'slave') type = 'replica';
  } else if (argv.length >= 4 && is(argv[2] as Buffer, 'id')) {
    ids = new Set();
    for (const b of argv.slice(3)) {
      const v = parseInt64(b);
      if (v === null || v <= 0n) throw err('ERR Invalid client ID');
      ids.add(Number(v));
    }
  } else if (argv.length !== 2) throw SYNTAX;
  const now = Date.now();
  let out = '';
  for (const cl of c.server.clients.values()) {
    if (type !== null && typeOf(cl) !== type) continue;
    if (ids !== null && !ids.has(cl.id)) continue;
    out += `${clientLine(cl, now)}\n`;
  }
  return text(out);
}

/** CLIENT KILL addr:port (OK or an error), or CLIENT KILL <filter value>... (how many were killed). */
function kill(c: Client, argv: Buffer[]): unknown {
  const clients = [...c.server.clients.values()];
  if (argv.length === 3) {
    const addr = (argv[2] as Buffer).toString('latin1');
    const target = clients.find((cl) => cl.sink.describe?.().addr === addr);
    if (target === undefined) throw NO_SUCH_CLIENT;
    killClient(c, target);
    return OK;
  }
  if (argv.length % 2 !== 0) throw SYNTAX;
  let id: number | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let type: string | null = null;
  let user: string | null = null;
  let skipme = true;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i] as Buffer;
    const val = argv[i + 1] as Buffer;
    if (is(opt, 'id')) {
      const v = parseInt64(val);
      if (v === null || v <= 0n) throw err('ERR client-id should be greater than 0');
      id = Number(v);
    } else if (is(opt, 'type')) {
      type = val.toString('latin1').toLowerCase();
      if (!TYPES.has(type)) throw err(`ERR Unknown client type '${val.toString('latin1')}'`);
      if (type === 'slave') type = 'replica';
    } else if (is(opt, 'addr')) addr = val.toString('latin1');
    else if (is(opt, 'laddr')) laddr = val.toString('latin1');
    else if (is(opt, 'user')) {
      user = val.toString('latin1');
      if (user !== 'default') throw err(`ERR No such user '${user}'`);
    } else if (is(opt, 'skipme')) {
      if (is(val, 'yes')) skipme = true;
      else if (is(val, 'no')) skipme = false;
      else throw SYNTAX;
    } else throw SYNTAX;
  }
  let killed = 0;
  for (const cl of clients) {
    const d = cl.sink.describe?.();
    if (id !== null && cl.id !== id) continue;
    if (addr !== null && d?.addr !== addr) continue;
    if (laddr !== null && d?.laddr !== laddr) continue;
    if (type !== null && typeOf(cl) !== type) continue;
    if (skipme && cl === c) continue;
    killClient(c, cl);
    killed++;
  }
  return killed;
}

/** Closes `target` now, or, for the caller itself, once this reply is sent (as Redis does). */
function killClient(self: Client, target: Client): void {
  if (target === self) {
    self.sink.closeAfterReply();
    return;
  }
  target.sink.kill?.();
}

function unblock(c: Client, argv: Buffer[]): unknown {
  if (argv.length !== 3 && argv.length !== 4) throw wrongArity('client|unblock');
  const v = parseInt64(argv[2] as Buffer);
  if (v === null) throw err('ERR value is not an integer or out of range');
  let withError = false;
  if (argv.length === 4) {
    if (is(argv[3] as Buffer, 'error')) withError = true;
    else if (!is(argv[3] as Buffer, 'timeout')) throw err('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const target = c.server.clients.get(Number(v));
  if (target === undefined || target.blocked === null) return 0;
  c.server.blocking.unblock(target, withError ? UNBLOCKED : target.blocked.timeoutReply);
  return 1;
}

/** CLIENT REPLY ON|OFF|SKIP: OFF and SKIP answer nothing; ON answers OK. */
function reply(c: Client, argv: Buffer[]): unknown {
  if (argv.length !== 3) throw wrongArity('client|reply');
  const mode = argv[2] as Buffer;
  if (is(mode, 'on')) {
    c.replyOff = false;
    c.skipNext = false;
    return OK;
  }
  if (is(mode, 'off')) {
    c.replyOff = true;
    return NO_REPLY;
  }
  if (is(mode, 'skip')) {
    if (!c.replyOff) c.skipNext = true;
    return NO_REPLY;
  }
  throw SYNTAX;
}

function client(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  const n = argv.length;
  switch (sub) {
    case 'id':
      if (n !== 2) throw wrongArity('client|id');
      return c.id;
    case 'getname':
      if (n !== 2) throw wrongArity('client|getname');
      return c.name === null ? null : Buffer.from(c.name, 'latin1');
    case 'setname':
      if (n !== 3) throw wrongArity('client|setname');
      if (!validName(argv[2] as Buffer)) throw BAD_NAME;
      c.name = (argv[2] as Buffer).length === 0 ? null : (argv[2] as Buffer).toString('latin1');
      return OK;
    case 'setinfo':
      if (n !== 4) throw wrongArity('client|setinfo');
      return OK;
    case 'info':
      if (n !== 2) throw wrongArity('client|info');
      return text(`${clientLine(c)}\n`);
    case 'list':
      return list(c, argv);
    case 'kill':
      if (n < 3) throw wrongArity('client|kill');
      return kill(c, argv);
    case 'unblock':
      return unblock(c, argv);
    case 'reply':
      return reply(c, argv);
    case 'no-evict':
      if (n !== 3) throw wrongArity('client|no-evict');
      if (is(argv[2] as Buffer, 'on')) c.noEvict = true;
      else if (is(argv[2] as Buffer, 'off')) c.noEvict = false;
      else throw SYNTAX;
      return OK;
    default:
      throw unknownSubcommand(argv[1] as Buffer, 'client');
  }
}

export const clientCommands: Command[] = [{ ...command('client', -2, 'noscript loading stale', client), subcommands: ['getname', 'id', 'info', 'kill', 'list', 'no-evict', 'reply', 'setname', 'unblock'] }];
