import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeCommand, formatCommand } from '@reactor-ts/resp';
import {
  CMD_MONITOR,
  CMD_NORMAL,
  CMD_SUBSCRIBE,
  CMD_UNSUBSCRIBE,
  commandArgs,
  kindOfName,
  spaceOf,
} from './command-info.js';
import { handshakeCommands, resolveOptions } from './options.js';

describe('commandArgs', () => {
  it('reads back any encoded command, and refuses any strict prefix of it', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 8 }), (argv) => {
        const bytes = encodeCommand(argv);
        expect(commandArgs(bytes)).toEqual(argv);
        expect(commandArgs(bytes, 1)).toEqual([argv[0]]);
        const cut = bytes.subarray(0, bytes.length - 3);
        expect(commandArgs(cut)).toBeNull();
      }),
    );
  });

  it('reads formatCommand output and inline commands', () => {
    expect(commandArgs(formatCommand('SUBSCRIBE %s %s', 'a b', 'c'))).toEqual(['SUBSCRIBE', 'a b', 'c']);
    expect(commandArgs(Buffer.from('PING  x\r\n'))).toEqual(['PING', 'x']);
    expect(commandArgs(Buffer.from(''))).toBeNull();
  });
});

describe('command kinds', () => {
  it('classifies the commands that change reply routing, in any case', () => {
    expect(kindOfName('subscribe')).toBe(CMD_SUBSCRIBE);
    expect(kindOfName('PSubscribe')).toBe(CMD_SUBSCRIBE);
    expect(kindOfName('SUNSUBSCRIBE')).toBe(CMD_UNSUBSCRIBE);
    expect(kindOfName('monitor')).toBe(CMD_MONITOR);
    expect(kindOfName('SET')).toBe(CMD_NORMAL);
    expect(kindOfName('x'.repeat(100))).toBe(CMD_NORMAL);
  });

  it('maps commands and reply kinds to their subscription table', () => {
    expect(['subscribe', 'unsubscribe', 'message'].map(spaceOf)).toEqual(['channel', 'channel', 'channel']);
    expect(['psubscribe', 'PUNSUBSCRIBE', 'pmessage'].map(spaceOf)).toEqual(['pattern', 'pattern', 'pattern']);
    expect(['ssubscribe', 'sunsubscribe', 'smessage'].map(spaceOf)).toEqual(['shard', 'shard', 'shard']);
  });
});

describe('options', () => {
  it('name the bad field', () => {
    expect(() => resolveOptions({ port: -1 })).toThrow(/port must be/);
    expect(() => resolveOptions({ port: 1, path: '/tmp/s' })).toThrow(/either port/);
    expect(() => resolveOptions({ db: 1.5 })).toThrow(/db must be/);
    expect(() => resolveOptions({ protocol: 4 as 3 })).toThrow(/protocol must be 2 or 3/);
    expect(() => resolveOptions({ username: 'u' })).toThrow(/username needs a password/);
    expect(() => resolveOptions({ commandTimeout: Number.NaN })).toThrow(/commandTimeout/);
  });

  it('build the handshake in the order a password-protected server accepts', () => {
    const hs = handshakeCommands(resolveOptions({ password: 'p', protocol: 3, db: 1, name: 'n' }));
    expect(hs.map((b) => commandArgs(b))).toEqual([
      ['AUTH', 'p'],
      ['HELLO', '3'],
      ['SELECT', '1'],
      ['CLIENT', 'SETNAME', 'n'],
    ]);
    expect(handshakeCommands(resolveOptions({}))).toEqual([]);
  });
});
