/**
 * Multi-connection scenarios (pub/sub, WATCH, AUTH, protocol errors, inline
 * requests) played against redis-server and against mini-redis; the two
 * transcripts must be identical.
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

type Scenario = (port: number) => Promise<string[]>;

async function both(redisPort: number, miniPort: number, scenario: Scenario): Promise<void> {
  const expected = await scenario(redisPort);
  const got = await scenario(miniPort);
  expect(got).toEqual(expected);
}

const pubsubResp2: Scenario = async (port) => {
  const sub = await RespConnection.open(port);
  const pub = await RespConnection.open(port);
  const t: string[] = [];
  try {
    await pub.command('flushall');
    t.push(await sub.command('subscribe', 'a', 'b'));
    t.push(await sub.reply());
    t.push(await sub.command('psubscribe', 'h?llo', 'n[^x]*'));
    t.push(await sub.reply());
    t.push(await pub.command('publish', 'a', 'm1'));
    t.push(await sub.reply());
    t.push(await pub.command('publish', 'hello', 'm2'));
    t.push(await sub.reply());
    t.push(await pub.command('publish', 'nope', 'm3'));
    t.push(await sub.reply());
    t.push(await pub.command('publish', 'nx', 'nobody'));
    t.push(await sub.command('get', 'x'));
    t.push(await sub.command('ping'));
    t.push(await sub.command('ping', 'hi'));
    t.push(await sub.command('subscribe', 'a'));
    t.push(await sub.command('unsubscribe', 'b'));
    t.push(await sub.command('unsubscribe'));
    t.push(await sub.command('punsubscribe', 'h?llo'));
    t.push(await sub.command('punsubscribe'));
    t.push(await sub.command('unsubscribe'));
    t.push(await sub.command('ping'));
    t.push(await pub.command('publish', 'a', 'gone'));
  } finally {
    sub.close();
    pub.close();
  }
  return t;
};

const pubsubResp3: Scenario = async (port) => {
  const sub = await RespConnection.open(port);
  const pub = await RespConnection.open(port);
  const t: string[] = [];
  try {
    await sub.command('hello', '3');
    t.push(await sub.command('subscribe', 'chan'));
    t.push(await sub.command('set', 'k', 'v'));
    t.push(await sub.command('get', 'k'));
    t.push(await pub.command('publish', 'chan', 'hi'));
    t.push(await sub.reply());
    t.push(await sub.command('ping'));
    t.push(await sub.command('unsubscribe', 'chan'));
  } finally {
    sub.close();
    pub.close();
  }
  return t;
};

const watch: Scenario = async (port) => {
  const c1 = await RespConnection.open(port);
  const c2 = await RespConnection.open(port);
  const t: string[] = [];
  try {
    await c1.command('flushall');
    t.push(await c1.command('watch', 'k', 'other'));
    t.push(await c2.command('set', 'k', '1'));
    t.push(await c1.command('multi'));
    t.push(await c1.command('incr', 'k'));
    t.push(await c1.command('exec'));
    // A write in another database does not touch the watched key.
    t.push(await c1.command('watch', 'k'));
    t.push(await c2.command('select', '3'));
    t.push(await c2.command('set', 'k', '1'));
    t.push(await c1.command('multi'));
    t.push(await c1.command('incr', 'k'));
    t.push(await c1.command('exec'));
    // A no-op write (SET NX on an existing key) does not touch it either.
    t.push(await c1.command('watch', 'k'));
    t.push(await c2.command('select', '0'));
    t.push(await c2.command('set', 'k', '9', 'nx'));
    t.push(await c1.command('multi'));
    t.push(await c1.command('get', 'k'));
    t.push(await c1.command('exec'));
    // A watched key that expires before EXEC.
    t.push(await c1.command('set', 'ttl', '1', 'px', '30'));
    t.push(await c1.command('watch', 'ttl'));
    await new Promise((r) => setTimeout(r, 120));
    t.push(await c1.command('multi'));
    t.push(await c1.command('get', 'ttl'));
    t.push(await c1.command('exec'));
    // A watched key that had already expired when WATCH ran.
    t.push(await c1.command('set', 'gone', '1', 'px', '10'));
    await new Promise((r) => setTimeout(r, 60));
    t.push(await c1.command('watch', 'gone'));
    t.push(await c1.command('multi'));
    t.push(await c1.command('get', 'gone'));
    t.push(await c1.command('exec'));
    // FLUSHALL touches every watched key that existed.
    t.push(await c1.command('watch', 'k'));
    t.push(await c2.command('flushall'));
    t.push(await c1.command('multi'));
    t.push(await c1.command('get', 'k'));
    t.push(await c1.command('exec'));
  } finally {
    c1.close();
    c2.close();
  }
  return t;
};

const auth: Scenario = async (port) => {
  const c = await RespConnection.open(port);
  const t: string[] = [];
  try {
    t.push(await c.command('ping'));
    t.push(await c.command('get', 'k'));
    t.push(await c.command('nosuch', 'x'));
    t.push(await c.command('get'));
    t.push(await c.command('hello', '3'));
    t.push(await c.command('hello', '3', 'auth', 'default', 'wrong'));
    t.push(await c.command('auth', 'wrong'));
    t.push(await c.command('auth', 'someone', 'pw'));
    t.push(await c.command('auth', 's3cret'));
    t.push(await c.command('ping'));
    t.push(await c.command('auth', 'default', 's3cret'));
  } finally {
    c.close();
  }
  return t;
};

/** Raw bytes that break the protocol: the error text, then the server closes. */
function protocolError(bytes: string): Scenario {
  return async (port) => {
    const c = await RespConnection.open(port);
    try {
      const got = await c.raw(bytes, () => false);
      return [got, String(c.isClosed)];
    } finally {
      c.close();
    }
  };
}

const inline: Scenario = async (port) => {
  const c = await RespConnection.open(port);
  try {
    await c.command('flushall');
    const want = '+PONG\r\n+OK\r\n$5\r\nhello\r\n$3\r\na b\r\n:1\r\n';
    const got = await c.raw('PING\r\nSET k hello\r\nGET k\nECHO "a b"\r\n\r\nEXISTS k\r\n', (g) => g.length >= want.length);
    return [got];
  } finally {
    c.close();
  }
};

/** KEYS with tricky globs; the order of KEYS is unspecified, so each answer is sorted. */
const keysGlob: Scenario = async (port) => {
  const c = await RespConnection.open(port);
  const t: string[] = [];
  try {
    await c.command('flushall');
    const names = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'a*b', 'a?b', 'a[b', 'a\\b', 'x', 'news.sport', 'news', ']', '^', '-'];
    for (const n of names) await c.command('set', n, '1');
    for (const p of ['h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h[b-a]llo', 'a\\*b', 'a[\\*]b', 'a[', 'a[b', 'a\\', '*', '?', 'news.*', '[]]', '[\\]]', '[^a-z]', '[-]', '*e*l*o', '', '\\x']) {
      const reply = await c.command('keys', p);
      const items = reply.split('\r\n').slice(1, -1);
      const pairs: string[] = [];
      for (let i = 0; i < items.length; i += 2) pairs.push(items[i + 1]!);
      t.push(`${p} => ${pairs.sort().join(' ')}`);
    }
  } finally {
    c.close();
  }
  return t;
};

describe('mini-redis and redis-server give the same transcripts', () => {
  const plain = withBothServers();
  const withAuth = withBothServers({ redis: { password: 's3cret' }, mini: { requirepass: 's3cret' } });

  it('pub/sub in RESP2: subscribed mode, patterns, the allowed-command check', () => both(plain.redis.port, plain.mini.port, pubsubResp2));
  it('pub/sub in RESP3: push frames, any command allowed', () => both(plain.redis.port, plain.mini.port, pubsubResp3));
  it('WATCH aborts EXEC only when the key really changed', () => both(plain.redis.port, plain.mini.port, watch));
  it('requirepass: NOAUTH, WRONGPASS, AUTH', () => both(withAuth.redis.port, withAuth.mini.port, auth));
  it('inline requests', () => both(plain.redis.port, plain.mini.port, inline));
  it('KEYS glob patterns', () => both(plain.redis.port, plain.mini.port, keysGlob));
  for (const [name, bytes] of [
    ['bad bulk length', '*1\r\n$x\r\n'],
    ['bad multibulk length', '*abc\r\n'],
    ['missing $', '*1\r\nPING\r\n'],
    ['unbalanced quotes', 'SET "k v\r\n'],
  ] as const) {
    it(`protocol error: ${name}`, () => both(plain.redis.port, plain.mini.port, protocolError(bytes)));
  }
});
