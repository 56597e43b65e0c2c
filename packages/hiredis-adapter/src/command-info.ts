/**
 * What the context must know about a command it sends: whether it changes
 * how replies are routed (SUBSCRIBE, MONITOR, ...) and, for the pub/sub
 * family, its arguments. hiredis reads these back out of the formatted
 * command too; only commands whose name matters are parsed completely.
 */

/** An ordinary command: one reply, to its own callback. */
export const CMD_NORMAL = 0;
/** SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE: replies go to per-channel callbacks. */
export const CMD_SUBSCRIBE = 1;
/** UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE: no reply of its own. */
export const CMD_UNSUBSCRIBE = 2;
/** MONITOR: after its OK, every reply is a monitor line for the same callback. */
export const CMD_MONITOR = 3;
/** QUIT: the server answers OK and closes; that close is not a failure. */
export const CMD_QUIT = 4;
/** PING / RESET: allowed in RESP2 subscribed mode; PING answers `["pong", x]` there. */
export const CMD_PING = 5;
export const CMD_RESET = 6;

export type CommandKind =
  | typeof CMD_NORMAL
  | typeof CMD_SUBSCRIBE
  | typeof CMD_UNSUBSCRIBE
  | typeof CMD_MONITOR
  | typeof CMD_QUIT
  | typeof CMD_PING
  | typeof CMD_RESET;

/** Which subscription table a (un)subscribe command or pub/sub reply uses. */
export type SubscriptionSpace = 'channel' | 'pattern' | 'shard';

const KINDS = new Map<string, CommandKind>([
  ['subscribe', CMD_SUBSCRIBE],
  ['psubscribe', CMD_SUBSCRIBE],
  ['ssubscribe', CMD_SUBSCRIBE],
  ['unsubscribe', CMD_UNSUBSCRIBE],
  ['punsubscribe', CMD_UNSUBSCRIBE],
  ['sunsubscribe', CMD_UNSUBSCRIBE],
  ['monitor', CMD_MONITOR],
  ['quit', CMD_QUIT],
  ['ping', CMD_PING],
  ['reset', CMD_RESET],
]);

/** Longest name in KINDS: longer names are ordinary without a lookup. */
const LONGEST = 12;

/**
 * Names as callers spell them ('INCR', 'get', ...) with their kinds: asked
 * for every command, and lower-casing each name cost a new string (and its
 * hash) per command. Bounded, since names come from callers.
 */
const SEEN = new Map<string, CommandKind>();
const SEEN_MAX = 1024;

/**
 * The last name asked about and its kind: a loop sends one command over and
 * over, mostly with the very same string (the command table's), and `===`
 * on it is a pointer compare where the Map lookup is ~100 instructions.
 */
let lastName = '';
let lastKind: CommandKind = CMD_NORMAL;

/** The kind of a command named `name` (any case). */
export function kindOfName(name: string): CommandKind {
  if (name === lastName) return lastKind;
  if (name.length > LONGEST) return CMD_NORMAL;
  let kind = SEEN.get(name);
  if (kind === undefined) {
    kind = KINDS.get(name.toLowerCase()) ?? CMD_NORMAL;
    if (SEEN.size < SEEN_MAX) SEEN.set(name, kind);
  }
  lastName = name;
  lastKind = kind;
  return kind;
}

/** The table a pub/sub command or reply kind refers to. */
export function spaceOf(name: string): SubscriptionSpace {
  const lower = name.toLowerCase();
  if (lower.startsWith('p')) return 'pattern';
  // ssubscribe, sunsubscribe, smessage; but plain 'subscribe' starts with 's' too.
  if (lower.startsWith('s') && lower !== 'subscribe') return 'shard';
  return 'channel';
}

/**
 * The arguments of one RESP multibulk command (`*N\r\n$L\r\n...`) as UTF-8
 * strings, or of an inline command (`PING\r\n`). At most `limit` arguments
 * are decoded. Returns null when `bytes` is not a complete command.
 */
export function commandArgs(bytes: Uint8Array, limit = Number.MAX_SAFE_INTEGER): string[] | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length === 0) return null;
  if (buf[0] !== 0x2a /* * */) {
    const eol = buf.indexOf(0x0a);
    const line = buf.toString('utf8', 0, eol === -1 ? buf.length : eol).trim();
    return line === '' ? null : line.split(/\s+/).slice(0, limit);
  }
  let pos = 1;
  const readNumber = (): number => {
    let n = 0;
    let digits = 0;
    while (pos < buf.length && buf[pos] !== 0x0d) {
      const d = (buf[pos] as number) - 0x30;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
      digits++;
      pos++;
    }
    if (digits === 0 || pos + 1 >= buf.length || buf[pos + 1] !== 0x0a) return -1;
    pos += 2;
    return n;
  };
  const argc = readNumber();
  if (argc < 0) return null;
  const args: string[] = [];
  for (let i = 0; i < argc && i < limit; i++) {
    if (buf[pos] !== 0x24 /* $ */) return null;
    pos++;
    const len = readNumber();
    if (len < 0 || pos + len + 2 > buf.length) return null;
    args.push(buf.toString('utf8', pos, pos + len));
    pos += len + 2;
  }
  return args;
}
