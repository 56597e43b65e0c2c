/** Connection commands: PING, ECHO, HELLO, AUTH, SELECT, QUIT, CLIENT. */
import { intArg } from '../args.js';
import type { Client } from '../client.js';
import { command, type Command } from '../command.js';
import { err, NO_REPLY, OK, PONG, REDIS_VERSION, SYNTAX, unknownSubcommand, WRONGPASS, wrongArity } from '../reply.js';
import { is } from './util.js';

const PONG_LOWER = Buffer.from('pong');
const EMPTY = Buffer.alloc(0);

/** In RESP2 subscribed mode PING answers with an array, as Redis does. */
function ping(c: Client, argv: Buffer[]): unknown {
  if (argv.length > 2) throw wrongArity('ping');
  if (c.protocol === 2 && c.subscriptions > 0) return [PONG_LOWER, argv[1] ?? EMPTY];
  return argv.length === 2 ? argv[1] : PONG;
}

/** True when `user`/`pass` log in as Redis's default user would. */
function checkPassword(c: Client, user: Buffer, pass: Buffer): boolean {
  if (user.toString('latin1') !== 'default') return false;
  const required = c.server.requirepass;
  return required === null || pass.toString('latin1') === required;
}

function auth(c: Client, argv: Buffer[]): unknown {
  if (argv.length > 3) throw SYNTAX;
  let user: Buffer;
  let pass: Buffer;
  if (argv.length === 2) {
    if (c.server.requirepass === null) {
      throw err(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    }
    user = Buffer.from('default');
    pass = argv[1] as Buffer;
  } else {
    user = argv[1] as Buffer;
    pass = argv[2] as Buffer;
  }
  if (!checkPassword(c, user, pass)) throw WRONGPASS;
  c.authenticated = true;
  return OK;
}

function validName(name: Buffer): boolean {
  for (const b of name) if (b < 0x21 || b > 0x7e) return false;
  return true;
}
const BAD_NAME = err('ERR Client names cannot contain spaces, newlines or special characters.');

/** HELLO [protover [AUTH user pass] [SETNAME name]]: switches protocol, answers with a map. */
function hello(c: Client, argv: Buffer[]): unknown {
  let proto: number | null = null;
  if (argv.length >= 2) {
    try {
      proto = intArg(argv[1] as Buffer);
    } catch {
      throw err('ERR Protocol version is not an integer or out of range');
    }
    if (proto < 2 || proto > 3) throw err('NOPROTO unsupported protocol version');
  }
  let setname: Buffer | null = null;
  let creds: [Buffer, Buffer] | null = null;
  for (let i = 2; i < argv.length; i++) {
    const left = argv.length - i - 1;
    const a = argv[i] as Buffer;
    if (is(a, 'auth') && left >= 2) {
      creds = [argv[i + 1] as Buffer, argv[i + 2] as Buffer];
      i += 2;
    } else if (is(a, 'setname') && left >= 1) {
      setname = argv[i + 1] as Buffer;
      i += 1;
    } else {
      throw err(`ERR Syntax error in HELLO option '${a.toString('latin1')}'`);
    }
  }
  if (creds !== null) {
    if (!checkPassword(c, creds[0], creds[1])) throw WRONGPASS;
    c.authenticated = true;
  }
  if (!c.authenticated) {
    throw err(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (setname !== null) {
    if (!validName(setname)) throw BAD_NAME;
    c.name = setname.length === 0 ? null : setname.toString('latin1');
  }
  if (proto !== null) c.protocol = proto as 2 | 3;
  return new Map<string, unknown>([
    ['server', 'redis'],
    ['version', REDIS_VERSION],
    ['proto', c.protocol],
    ['id', c.id],
    ['mode', 'standalone'],
    ['role', 'master'],
    ['modules', []],
  ]);
}

function select(c: Client, argv: Buffer[]): unknown {
  const index = intArg(argv[1] as Buffer);
  const db = c.server.store.dbs[index];
  if (index < 0 || db === undefined) throw err('ERR DB index is out of range');
  c.db = db;
  return OK;
}

function quit(c: Client): unknown {
  c.send(OK);
  c.closing = true;
  c.sink.closeAfterReply();
  return NO_REPLY;
}

/** CLIENT ID | GETNAME | SETNAME name | SETINFO attr value (accepted, ignored). */
function client(c: Client, argv: Buffer[]): unknown {
  const sub = (argv[1] as Buffer).toString('latin1').toLowerCase();
  if (sub === 'id' && argv.length === 2) return c.id;
  if (sub === 'getname' && argv.length === 2) return c.name === null ? null : Buffer.from(c.name, 'latin1');
  if (sub === 'setname' && argv.length === 3) {
    if (!validName(argv[2] as Buffer)) throw BAD_NAME;
    c.name = (argv[2] as Buffer).length === 0 ? null : (argv[2] as Buffer).toString('latin1');
    return OK;
  }
  if (sub === 'setinfo' && argv.length === 4) return OK;
  if (sub === 'id' || sub === 'getname' || sub === 'setname' || sub === 'setinfo') throw wrongArity(`client|${sub}`);
  throw unknownSubcommand(argv[1] as Buffer, 'client');
}

export const connectionCommands: Command[] = [
  command('ping', -1, 'fast stale loading', ping),
  command('echo', 2, 'fast stale loading', (_c, argv) => argv[1]),
  command('hello', -1, 'noscript loading stale fast no_auth', hello),
  command('auth', -2, 'noscript loading stale fast no_auth', auth),
  command('select', 2, 'loading stale fast', select),
  command('quit', -1, 'noscript loading stale fast no_auth', quit),
  command('client', -2, 'noscript loading stale', client),
];
