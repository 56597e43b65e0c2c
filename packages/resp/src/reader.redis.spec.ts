/**
 * Real replies: a redis-server of our own, a battery of commands over a raw
 * socket in RESP2 and then after HELLO 3, the raw bytes captured, and each
 * reply decoded — whole, in random chunks, and through a ChainBuffer — to
 * exactly the value expected. Deterministic replies are also checked byte
 * for byte, so the test shows which wire form was decoded.
 */
import { ChainBuffer } from '@reactor-ts/buffer';
import { RespConnection, startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommand } from './encoder.js';
import { ReplyError } from './errors.js';
import { NEED_MORE, RespReader } from './reader.js';
import { REDIS_REPLY_BIGNUM, REDIS_REPLY_BOOL, REDIS_REPLY_DOUBLE, REDIS_REPLY_MAP, REDIS_REPLY_PUSH, REDIS_REPLY_VERB, type RedisReply } from './reply.js';
import { PushFrame, VerbatimString, WithAttributes } from './values.js';

/** Send `argv` (encoded by our encoder) on `c`; the raw bytes of the next `replies` replies. */
async function exchange(c: RespConnection, argv: string[], replies = 1): Promise<Buffer> {
  c.send(encodeCommand(argv));
  let got = '';
  for (let i = 0; i < replies; i++) got += await c.reply(5000);
  return Buffer.from(got, 'latin1');
}

/** Decode `raw` three ways and check they agree; returns the replies. */
function decode(raw: Buffer, opts: ConstructorParameters<typeof RespReader>[0] = {}): unknown[] {
  const whole = new RespReader(opts);
  whole.feed(raw);
  const out: unknown[] = [];
  for (let v = whole.getReply(); v !== NEED_MORE; v = whole.getReply()) out.push(v);

  const chunked = new RespReader(opts);
  const again: unknown[] = [];
  for (let i = 0; i < raw.length; ) {
    const n = 1 + Math.floor(Math.random() * 7);
    chunked.feed(raw.subarray(i, i + n));
    i += n;
    for (let v = chunked.getReply(); v !== NEED_MORE; v = chunked.getReply()) again.push(v);
  }
  expect(again).toEqual(out);

  const chain = new ChainBuffer({ chunkSize: 5 });
  const inPlace = new RespReader(opts);
  const third: unknown[] = [];
  for (let i = 0; i < raw.length; i += 3) {
    chain.add(raw.subarray(i, i + 3));
    for (let v = inPlace.getReplyFrom(chain); v !== NEED_MORE; v = inPlace.getReplyFrom(chain)) third.push(v);
  }
  expect(third).toEqual(out);
  expect(chain.length).toBe(0);
  return out;
}

function decodeOne(raw: Buffer, opts?: ConstructorParameters<typeof RespReader>[0]): unknown {
  const all = decode(raw, opts);
  expect(all).toHaveLength(1);
  return all[0];
}

describe('RespReader against a real redis-server', () => {
  let srv: RedisServer;
  let c2: RespConnection;
  let c3: RespConnection;

  beforeAll(async () => {
    srv = await startRedis({ enableDebug: true });
    c2 = await RespConnection.open(srv.port);
    c3 = await RespConnection.open(srv.port);
  });
  afterAll(async () => {
    c2?.close();
    c3?.close();
    await srv?.stop();
  });

  it('RESP2: strings, integers, nil, arrays, errors', async () => {
    const wire = async (argv: string[], expected: string, value: unknown) => {
      const raw = await exchange(c2, argv);
      expect(raw.toString('latin1')).toBe(expected);
      expect(decodeOne(raw)).toEqual(value);
    };
    await wire(['SET', 'k', 'v\r\nwith\x00bytes'], '+OK\r\n', 'OK');
    await wire(['GET', 'k'], '$13\r\nv\r\nwith\x00bytes\r\n', 'v\r\nwith\x00bytes');
    await wire(['GET', 'missing'], '$-1\r\n', null);
    await wire(['INCRBY', 'n', '-42'], ':-42\r\n', -42);
    await wire(['INCRBY', 'big', '9007199254740993'], ':9007199254740993\r\n', 9007199254740993n);
    await wire(['RPUSH', 'l', 'a', 'bb', ''], ':3\r\n', 3);
    await wire(['LRANGE', 'l', '0', '-1'], '*3\r\n$1\r\na\r\n$2\r\nbb\r\n$0\r\n\r\n', ['a', 'bb', '']);
    await wire(['LRANGE', 'nothing', '0', '-1'], '*0\r\n', []);
    await wire(['HSET', 'h', 'f1', 'v1'], ':1\r\n', 1);
    await wire(['HGETALL', 'h'], '*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n', ['f1', 'v1']);
    await wire(['ZADD', 'z', '1.5', 'm'], ':1\r\n', 1);
    await wire(['ZSCORE', 'z', 'm'], '$3\r\n1.5\r\n', '1.5');
    await wire(['DEBUG', 'PROTOCOL', 'null'], '$-1\r\n', null);
    await wire(['BLPOP', 'nolist', '0.01'], '*-1\r\n', null);
    await wire(['ECHO', 'héllo'], '$6\r\nhéllo\r\n'.replace('é', '\xc3\xa9'), 'héllo');

    const err = decodeOne(await exchange(c2, ['GET', 'l'])) as ReplyError;
    expect(err).toBeInstanceOf(ReplyError);
    expect(err.code).toBe('WRONGTYPE');
    expect(err.message).toMatch(/^WRONGTYPE Operation against a key holding the wrong kind of value/);
    const unknown = decodeOne(await exchange(c2, ['NOSUCHCOMMAND', 'x'])) as ReplyError;
    expect(unknown.code).toBe('ERR');
    expect(unknown.message).toMatch(/unknown command/);

    // A pipeline in one read, and the hiredis builder on the same bytes.
    const raw = await exchange(c2, ['MULTI'], 1);
    expect(decodeOne(raw)).toBe('OK');
    await exchange(c2, ['INCR', 'n']);
    await exchange(c2, ['GET', 'k']);
    const exec = decodeOne(await exchange(c2, ['EXEC']));
    expect(exec).toEqual([-41, 'v\r\nwith\x00bytes']);
  });

  it('RESP3 after HELLO 3: map, set, double, boolean, big number, verbatim, null, attributes', async () => {
    const hello = decodeOne(await exchange(c3, ['HELLO', '3'])) as Map<string, unknown>;
    expect(hello).toBeInstanceOf(Map);
    expect(hello.get('server')).toBe('redis');
    expect(hello.get('proto')).toBe(3);
    expect(Array.isArray(hello.get('modules'))).toBe(true);

    const wire = async (argv: string[], expected: string, value: unknown) => {
      const raw = await exchange(c3, argv);
      expect(raw.toString('latin1')).toBe(expected);
      expect(decodeOne(raw)).toEqual(value);
    };
    await wire(['GET', 'missing'], '_\r\n', null);
    await wire(['HSET', 'h3', 'a', '1'], ':1\r\n', 1);
    await wire(['HGETALL', 'h3'], '%1\r\n$1\r\na\r\n$1\r\n1\r\n', new Map([['a', '1']]));
    await wire(['SADD', 's3', '7'], ':1\r\n', 1);
    await wire(['SMEMBERS', 's3'], '~1\r\n$1\r\n7\r\n', new Set(['7']));
    await wire(['ZADD', 'z3', '2.25', 'm'], ':1\r\n', 1);
    await wire(['ZSCORE', 'z3', 'm'], ',2.25\r\n', 2.25);
    await wire(['ZINCRBY', 'z3', 'inf', 'm'], ',inf\r\n', Infinity);
    await wire(['DEBUG', 'PROTOCOL', 'double'], ',3.141\r\n', 3.141);
    await wire(['DEBUG', 'PROTOCOL', 'true'], '#t\r\n', true);
    await wire(['DEBUG', 'PROTOCOL', 'false'], '#f\r\n', false);
    await wire(['DEBUG', 'PROTOCOL', 'null'], '_\r\n', null);
    await wire(
      ['DEBUG', 'PROTOCOL', 'bignum'],
      '(1234567999999999999999999999999999999\r\n',
      1234567999999999999999999999999999999n,
    );
    await wire(
      ['DEBUG', 'PROTOCOL', 'map'],
      '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n',
      new Map([
        [0, false],
        [1, true],
        [2, false],
      ]),
    );
    await wire(['DEBUG', 'PROTOCOL', 'set'], '~3\r\n:0\r\n:1\r\n:2\r\n', new Set([0, 1, 2]));
    await wire(
      ['DEBUG', 'PROTOCOL', 'verbatim'],
      '=29\r\ntxt:This is a verbatim\nstring\r\n',
      new VerbatimString('txt', 'This is a verbatim\nstring'),
    );
    await wire(
      ['DEBUG', 'PROTOCOL', 'attrib'],
      '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n',
      new WithAttributes('Some real reply following the attribute', new Map([['key-popularity', ['key:123', 90]]])),
    );

    // A real command's verbatim reply: CLIENT INFO.
    const info = decodeOne(await exchange(c3, ['CLIENT', 'INFO'])) as VerbatimString;
    expect(info).toBeInstanceOf(VerbatimString);
    expect(info.format).toBe('txt');
    expect(info.value).toMatch(/^id=\d+ addr=127\.0\.0\.1:\d+ /);

    // hiredis builder on real RESP3 bytes.
    const h = (raw: Buffer) => decodeOne(raw, { builder: 'hiredis' }) as RedisReply;
    expect(h(await exchange(c3, ['ZSCORE', 'z3', 'm']))).toMatchObject({ type: REDIS_REPLY_DOUBLE, dval: Infinity, str: 'inf' });
    expect(h(await exchange(c3, ['DEBUG', 'PROTOCOL', 'true']))).toMatchObject({ type: REDIS_REPLY_BOOL, integer: 1 });
    expect(h(await exchange(c3, ['DEBUG', 'PROTOCOL', 'bignum']))).toMatchObject({ type: REDIS_REPLY_BIGNUM });
    expect(h(await exchange(c3, ['CLIENT', 'INFO']))).toMatchObject({ type: REDIS_REPLY_VERB, vtype: 'txt' });
    expect(h(await exchange(c3, ['HGETALL', 'h3']))).toMatchObject({ type: REDIS_REPLY_MAP, elements: 2 });

    const err = decodeOne(await exchange(c3, ['HGETALL', 's3'])) as ReplyError;
    expect(err).toBeInstanceOf(ReplyError);
    expect(err.code).toBe('WRONGTYPE');
  });

  it('RESP3 push messages from a subscription are distinguishable', async () => {
    const sub = await RespConnection.open(srv.port);
    try {
      expect(decodeOne(await exchange(sub, ['HELLO', '3']))).toBeInstanceOf(Map);
      const raw = await exchange(sub, ['SUBSCRIBE', 'news']);
      expect(raw.toString()).toBe('>3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n');
      expect(decodeOne(raw)).toEqual(new PushFrame(['subscribe', 'news', 1]));

      // Publish from another connection; the subscriber receives a push.
      const pub = exchange(c3, ['PUBLISH', 'news', 'hello']);
      const msg = exchange(sub, ['PING', 'after'], 2);
      expect(decodeOne(await pub)).toBe(1);
      const both = decode(await msg);
      const push = both.find((v) => v instanceof PushFrame) as PushFrame;
      expect(push.kind).toBe('message');
      expect(push.items).toEqual(['message', 'news', 'hello']);
      expect(both.filter((v) => !(v instanceof PushFrame))).toEqual(['after']);

      // The same bytes through the hiredis builder: type PUSH.
      const raws = decode(await exchange(sub, ['DEBUG', 'PROTOCOL', 'push'], 2), { builder: 'hiredis' }) as RedisReply[];
      expect(raws[0]).toMatchObject({ type: REDIS_REPLY_PUSH, elements: 2 });
      expect(raws[0]!.element[0]!.str).toBe('server-cpu-usage');
      expect(raws[1]!.str).toBe('Some real reply following the push reply');
    } finally {
      sub.close();
    }
  });
});
