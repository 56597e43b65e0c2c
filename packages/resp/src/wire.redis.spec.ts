/**
 * The encoders and the request parser against a real redis-server: commands
 * built by encodeCommand/formatCommand go over a raw socket and the reply
 * bytes are compared exactly; bad and inline requests are sent to Redis and
 * to RequestParser, which must agree on the arguments and the error texts.
 * encodeReply's output is compared with the bytes Redis sends for the same
 * replies (int64 integers, %.17g doubles, the null array).
 */
import net from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startRedis, hasRedisServer, type RedisServer } from '@reactor-ts/test-utils';
import { encodeCommand, formatCommand } from './encoder.js';
import { encodeReply } from './encode-reply.js';
import { NULL_ARRAY } from './values.js';
import { RequestError, RequestParser } from './request-parser.js';

/**
 * Send `bytes` on a fresh connection and collect the reply bytes until
 * `expectedLength` bytes arrived, the server closed, or 5 s passed.
 */
function exchange(port: number, bytes: Buffer, expectedLength = Infinity): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const sock = net.connect(port, '127.0.0.1');
    const finish = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(finish, 5000);
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= expectedLength) finish();
    });
    sock.on('close', finish);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.write(bytes);
  });
}

const bulk = (b: Buffer | string): Buffer => {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from('\r\n')]);
};

describe.skipIf(!hasRedisServer())('encoders and RequestParser against redis-server', () => {
  let srv: RedisServer;
  beforeAll(async () => {
    srv = await startRedis();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  const send = async (parts: Buffer[], expected: Buffer): Promise<void> => {
    const reply = await exchange(srv.port, Buffer.concat(parts), expected.length);
    expect(reply.toString('latin1')).toBe(expected.toString('latin1'));
  };

  it('SET with all 256 byte values, then GET returns them exactly', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await send(
      [encodeCommand(['SET', 'bin', all]), encodeCommand(['GET', 'bin'])],
      Buffer.concat([Buffer.from('+OK\r\n'), bulk(all)]),
    );
  });

  it('formatCommand: %b binary, %s with spaces, %d, %%', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    await send(
      [
        formatCommand('SET %s %b', 'key with spaces', all),
        formatCommand('GET %s', 'key with spaces'),
        formatCommand('INCRBY counter:%d %lld', 7, -12n),
        formatCommand('SET pct 100%%'),
        formatCommand('GET pct'),
        formatCommand('SET empty %s', ''),
        formatCommand('STRLEN empty'),
      ],
      Buffer.concat([
        Buffer.from('+OK\r\n'),
        bulk(all),
        Buffer.from(':-12\r\n+OK\r\n'),
        bulk('100%'),
        Buffer.from('+OK\r\n:0\r\n'),
      ]),
    );
  });

  it('UTF-8 strings: Redis counts the same bytes', async () => {
    const s = 'héllo wörld 😀 ключ';
    await send(
      [encodeCommand(['SET', 'utf', s]), encodeCommand(['STRLEN', 'utf']), encodeCommand(['GET', 'utf'])],
      Buffer.concat([Buffer.from(`+OK\r\n:${Buffer.byteLength(s)}\r\n`), bulk(s)]),
    );
  });

  it('numbers: integers, doubles and inf as Redis reads them', async () => {
    await send(
      [
        encodeCommand(['ZADD', 'z', 1.5, 'a', Infinity, 'b', -Infinity, 'c']),
        encodeCommand(['ZSCORE', 'z', 'a']),
        formatCommand('ZSCORE z %s', 'b'),
        encodeCommand(['INCRBYFLOAT', 'f', formatCommand('%.2f', 0.1).subarray(8, 12)]),
        encodeCommand(['SETRANGE', 'r', 3, 'x']),
        encodeCommand(['INCRBY', 'big', 2n ** 62n]),
      ],
      Buffer.concat([
        Buffer.from(':3\r\n'),
        bulk('1.5'),
        bulk('inf'),
        bulk('0.1'),
        Buffer.from(':4\r\n:4611686018427387904\r\n'),
      ]),
    );
  });

  it('a pipeline of 1000 commands in one write gets 1000 replies in order', async () => {
    const cmds = Array.from({ length: 1000 }, (_, i) => encodeCommand(['ECHO', `m${i}`]));
    await send(cmds, Buffer.concat(Array.from({ length: 1000 }, (_, i) => bulk(`m${i}`))));
  });

  it('inline requests: Redis and RequestParser split the same arguments', async () => {
    const lines = [
      'ECHO plain',
      'ECHO "with space"',
      'ECHO "esc \\n\\r\\t\\b\\a \\\\ \\" \\x41\\x7a \\x4g \\q"',
      "ECHO 'it\\'s \\n raw'",
      'ECHO a"b c"',
      '   ECHO    spaced   ',
      'ECHO ""',
    ];
    for (const line of lines) {
      const p = new RequestParser();
      p.feed(Buffer.from(line + '\r\n', 'latin1'));
      const argv = p.next() as Buffer[];
      expect(argv.length, line).toBe(2);
      const expected = bulk(argv[1] as Buffer);
      const reply = await exchange(srv.port, Buffer.from(line + '\r\n', 'latin1'), expected.length);
      expect(reply.toString('latin1'), line).toBe(expected.toString('latin1'));
    }
  });

  it('bad requests: Redis replies -ERR with exactly RequestError.message, then closes', async () => {
    const bad = [
      '*x\r\n',
      '*+1\r\n',
      '*2147483648\r\n',
      '*1\r\nx4\r\n',
      '*1\r\n$-1\r\n',
      '*1\r\n$+4\r\n',
      '*1\r\n$536870913\r\n',
      'ECHO "abc\r\n',
      'ECHO "a"b\r\n',
      "ECHO 'a'b\r\n",
      '*1\r\n$' + '1'.repeat(70_000),
      '*' + '1'.repeat(70_000),
      'x'.repeat(70_000),
    ];
    for (const input of bad) {
      const p = new RequestParser();
      p.feed(Buffer.from(input, 'latin1'));
      let message = '';
      try {
        while (p.next() !== null);
      } catch (e) {
        expect(e).toBeInstanceOf(RequestError);
        message = (e as Error).message;
      }
      expect(message, JSON.stringify(input.slice(0, 20))).not.toBe('');
      const reply = await exchange(srv.port, Buffer.from(input, 'latin1'));
      expect(reply.toString('latin1'), JSON.stringify(input.slice(0, 20))).toBe(`-ERR ${message}\r\n`);
    }
  });

  /** The reply bytes after `HELLO 3`'s (if `resp3`) once they end with `tail`. */
  const replies = (cmds: string[][], resp3: boolean, tail: Buffer): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const sock = net.connect(srv.port, '127.0.0.1');
      const finish = (): void => {
        clearTimeout(timer);
        sock.destroy();
        const all = Buffer.concat(chunks).toString('latin1');
        // HELLO's map ends with its empty module list
        resolve(resp3 ? all.slice(all.indexOf('$7\r\nmodules\r\n*0\r\n') + 17) : all);
      };
      const timer = setTimeout(finish, 5000);
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        if (all.length >= tail.length && all.subarray(all.length - tail.length).equals(tail)) finish();
      });
      sock.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      sock.write(Buffer.concat([...(resp3 ? [encodeCommand(['HELLO', '3'])] : []), ...cmds.map((c) => encodeCommand(c))]));
    });

  it.each([2, 3] as const)('encodeReply matches Redis byte for byte (RESP%i): int64, %%.17g doubles, null array', async (protocol) => {
    const ours = Buffer.concat(
      [
        9007199254740994n, // INCR past 2^53 is `:` in both protocols
        9223372036854775807n,
        1,
        0.1, // ZSCORE
        1,
        1e20,
        1,
        1.5e-5,
        1,
        123456789012345678,
        1,
        1 + 2 ** -17, // an exact tie at the 18th digit: printf rounds to even
        NULL_ARRAY, // EXEC aborted by WATCH
      ].map((v) => encodeReply(v, { protocol, doubleFormat: 'redis' })),
    );
    const cmds = [
      ['DEL', 'big', 'max', 'z', 'w'],
      ['SET', 'big', '9007199254740993'],
      ['INCR', 'big'],
      ['SET', 'max', '9223372036854775806'],
      ['INCR', 'max'],
      ['ZADD', 'z', '0.1', 'a'],
      ['ZSCORE', 'z', 'a'],
      ['ZADD', 'z', '1e20', 'b'],
      ['ZSCORE', 'z', 'b'],
      ['ZADD', 'z', '1.5e-5', 'c'],
      ['ZSCORE', 'z', 'c'],
      ['ZADD', 'z', '123456789012345678', 'd'],
      ['ZSCORE', 'z', 'd'],
      ['ZADD', 'z', '1.00000762939453125', 't'],
      ['ZSCORE', 'z', 't'],
      ['WATCH', 'w'],
      ['SET', 'w', '1'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
    ];
    const got = await replies(cmds, protocol === 3, encodeReply(NULL_ARRAY, { protocol }));
    // DEL's count, and the +OK/+QUEUED of SET, WATCH, MULTI, PING are not ours to compare
    const expected = got.replace(/^:\d+\r\n/, '').replace(/\+(OK|QUEUED)\r\n/g, '');
    expect(ours.toString('latin1')).toBe(expected);
  });
});
