/**
 * Turns a command's reply value into bytes. `encodeReply` does the work;
 * this adds the two replies it has no value for (NULL_ARRAY and EXEC's
 * ReplyList) and ready-made bytes for the commonest replies.
 */
import { encodeReply } from '@reactor-ts/resp';
import { NULL_ARRAY, OK, ReplyList } from './reply.js';

const OK_BYTES = Buffer.from('+OK\r\n');
const NULL2 = Buffer.from('$-1\r\n');
const NULL3 = Buffer.from('_\r\n');
const NULL_ARRAY2 = Buffer.from('*-1\r\n');

const OPTS2 = { protocol: 2 } as const;
const OPTS3 = { protocol: 3 } as const;

/** Hands the encoding of `value` to `write`, in one or more pieces. */
export function writeReply(write: (bytes: Buffer) => void, value: unknown, protocol: 2 | 3): void {
  if (value === OK) return write(OK_BYTES);
  if (value === null) return write(protocol === 3 ? NULL3 : NULL2);
  if (value === NULL_ARRAY) return write(protocol === 3 ? NULL3 : NULL_ARRAY2);
  if (value instanceof ReplyList) {
    write(Buffer.from(`*${value.items.length}\r\n`));
    for (const item of value.items) writeReply(write, item, protocol);
    return;
  }
  write(encodeReply(value, protocol === 3 ? OPTS3 : OPTS2));
}
