/**
 * Keyspace notifications against redis-server 7.0: each script sets
 * `notify-keyspace-events`, runs its commands on one connection while a
 * second connection PSUBSCRIBEs to `__key*__:*`, and the messages that
 * subscriber receives (channel and payload, in order) must be the same on
 * both servers, as must every command's reply. A PUBLISH on a marker
 * channel ends each run, so "no more messages" is known without waiting.
 */
import { decodeReply, RespConnection, type RawValue } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';
import { startMiniRedis } from './server.js';

type Cmd = Array<string | number | Buffer>;
type Step = Cmd | { sleep: number };
interface NotifyScript {
  flags: string;
  steps: Step[];
}

const MARKER = 'notify-spec-end';

/** Runs `script` on the server at `port`: the replies, and the keyspace messages seen. */
async function run(port: number, script: NotifyScript, protocol: 2 | 3): Promise<{ replies: string[]; messages: RawValue[] }> {
  const sub = await RespConnection.open(port);
  const cmd = await RespConnection.open(port);
  try {
    await cmd.command('flushall');
    await cmd.command('config', 'set', 'notify-keyspace-events', script.flags);
    if (protocol === 3) {
      await sub.command('hello', '3');
      await cmd.command('hello', '3');
    }
    await sub.command('psubscribe', '__key*__:*');
    await sub.command('subscribe', MARKER);
    const replies: string[] = [];
    for (const step of script.steps) {
      if (Array.isArray(step)) replies.push(await cmd.command(...step));
      else await new Promise((r) => setTimeout(r, step.sleep));
    }
    await cmd.command('publish', MARKER, 'x');
    const messages: RawValue[] = [];
    for (;;) {
      const m = decodeReply(await sub.reply());
      if (Array.isArray(m) && m[0] === 'message' && m[1] === MARKER) break;
      messages.push(m);
    }
    return { replies, messages };
  } finally {
    await cmd.command('config', 'set', 'notify-keyspace-events', '');
    sub.close();
    cmd.close();
  }
}

const SCRIPTS: Record<string, NotifyScript> = {
  'strings, all classes, both channel kinds': {
    flags: 'KEA',
    steps: [
      ['set', 's', '1'],
      ['set', 's', '2', 'ex', 100],
      ['setnx', 's', '3'],
      ['setnx', 's2', '3'],
      ['setex', 's3', 100, 'v'],
      ['psetex', 's4', 100000, 'v'],
      ['getset', 's', 'x'],
      ['mset', 'a', '1', 'b', '2'],
      ['msetnx', 'a', '1', 'c', '2'],
      ['msetnx', 'd', '1', 'e', '2'],
      ['incr', 'n'],
      ['decr', 'n'],
      ['incrby', 'n', 5],
      ['decrby', 'n', 2],
      ['incrbyfloat', 'n', '1.5'],
      ['append', 's', 'yz'],
      ['append', 'new', 'yz'],
      ['setrange', 's', 1, 'Q'],
      ['setrange', 's', 1, ''],
      ['setbit', 'bits', 7, 1],
      ['setbit', 'bits', 7, 1],
      ['bitop', 'or', 'dest', 'bits', 'nokey'],
      ['bitop', 'or', 'dest', 'nokey'],
      ['getex', 's', 'ex', 100],
      ['getex', 's', 'persist'],
      ['getex', 's', 'persist'],
      ['getex', 's2', 'pxat', 1],
      ['getdel', 'a'],
      ['getdel', 'a'],
      ['incr', 's'],
    ],
  },
  'keys: del, expire family, rename, copy, move, restore': {
    flags: 'KEA',
    steps: [
      ['set', 'k1', 'v'],
      ['set', 'k2', 'v'],
      ['del', 'k1', 'k2', 'nokey'],
      ['set', 'k', 'v'],
      ['expire', 'k', 100],
      ['pexpire', 'k', 100000, 'nx'],
      ['persist', 'k'],
      ['persist', 'k'],
      ['expireat', 'k', 1],
      ['set', 'k', 'v'],
      ['rename', 'k', 'k2'],
      ['set', 'other', 'x'],
      ['rename', 'k2', 'other'],
      ['renamenx', 'other', 'k3'],
      ['set', 'k4', 'v'],
      ['renamenx', 'k3', 'k4'],
      ['copy', 'k3', 'k5'],
      ['copy', 'k3', 'k5', 'replace'],
      ['copy', 'k3', 'k6', 'db', 2],
      ['move', 'k3', 1],
      ['unlink', 'k4', 'k5'],
      ['select', 2],
      ['del', 'k6'],
    ],
  },
  'only keyevent, generic and new': {
    flags: 'Egn',
    steps: [
      ['set', 'a', '1'],
      ['set', 'a', '2'],
      ['lpush', 'l', 'x'],
      ['del', 'a', 'l'],
      ['expire', 'nokey', 10],
    ],
  },
  'only keyspace, lists': {
    flags: 'Kl',
    steps: [
      ['lpush', 'l', 'a', 'b', 'c'],
      ['rpush', 'l', 'd'],
      ['lpushx', 'nolist', 'x'],
      ['rpushx', 'l', 'e'],
      ['linsert', 'l', 'before', 'a', 'z'],
      ['linsert', 'l', 'before', 'nope', 'z'],
      ['lset', 'l', 0, 'Z'],
      ['lrem', 'l', 0, 'Z'],
      ['lrem', 'l', 0, 'nope'],
      ['ltrim', 'l', 0, 10],
      ['lpop', 'l'],
      ['rpop', 'l', 2],
      ['lpop', 'l', 0],
      ['rpoplpush', 'l', 'l2'],
      ['lmove', 'l', 'l', 'left', 'right'],
      ['lmove', 'l2', 'l', 'left', 'left'],
      ['lmpop', 2, 'none', 'l', 'right', 'count', 10],
      ['rpush', 'l', 'a', 'b'],
      ['ltrim', 'l', 5, 10],
      ['rpush', 'l', 'a', 'a'],
      ['lrem', 'l', 0, 'a'],
      ['rpush', 'src', 'x'],
      ['lmove', 'src', 'src', 'left', 'left'],
      ['rpush', 'sorted', 3, 1, 2],
      ['sort', 'sorted', 'store', 'sortdst'],
      ['sort', 'nokey', 'store', 'sortdst'],
    ],
  },
  'sets, with generic deletions': {
    flags: 'KEsg',
    steps: [
      ['sadd', 's', 'a', 'b', 'c'],
      ['sadd', 's', 'a'],
      ['srem', 's', 'a', 'zz'],
      ['srem', 's', 'zz'],
      ['smove', 's', 'd', 'b'],
      ['smove', 's', 'd', 'nope'],
      ['smove', 's', 'd', 'c'],
      ['sadd', 's1', 1, 2, 3],
      ['sadd', 's2', 2, 3, 4],
      ['sinterstore', 'i', 's1', 's2'],
      ['sunionstore', 'u', 's1', 's2'],
      ['sdiffstore', 'df', 's1', 's2'],
      ['sinterstore', 'i', 's1', 'nokey'],
      ['sdiffstore', 'df', 'nokey', 's1'],
      ['spop', 's2', 0],
      ['spop', 's2', 10],
      ['sadd', 'one', 'x'],
      ['spop', 'one'],
    ],
  },
  'hashes': {
    flags: 'KEhg',
    steps: [
      ['hset', 'h', 'a', '1', 'b', '2'],
      ['hset', 'h', 'a', '1'],
      ['hmset', 'h', 'c', '3'],
      ['hsetnx', 'h', 'a', 'x'],
      ['hsetnx', 'h', 'd', 'x'],
      ['hincrby', 'h', 'n', 5],
      ['hincrbyfloat', 'h', 'f', '1.5'],
      ['hdel', 'h', 'a', 'zz'],
      ['hdel', 'h', 'zz'],
      ['hdel', 'h', 'b', 'c', 'd', 'n', 'f'],
    ],
  },
  'sorted sets': {
    flags: 'KEzg',
    steps: [
      ['zadd', 'z', 1, 'a', 2, 'b', 3, 'c', 4, 'd'],
      ['zadd', 'z', 1, 'a'],
      ['zadd', 'z', 'xx', 5, 'a'],
      ['zadd', 'z', 'nx', 5, 'a'],
      ['zadd', 'nokey', 'xx', 1, 'a'],
      ['zincrby', 'z', 1, 'b'],
      ['zadd', 'z', 'incr', 0, 'b'],
      ['zrem', 'z', 'a', 'zz'],
      ['zrem', 'z', 'zz'],
      ['zpopmin', 'z'],
      ['zpopmax', 'z', 0],
      ['zadd', 'z2', 1, 'a', 2, 'b'],
      ['zunionstore', 'u', 2, 'z', 'z2'],
      ['zinterstore', 'i', 2, 'z', 'z2'],
      ['zinterstore', 'i', 2, 'z', 'nokey'],
      ['zdiffstore', 'df', 2, 'z2', 'z'],
      ['zrangestore', 'rs', 'z2', 0, -1],
      ['zrangestore', 'rs', 'z2', 5, 10],
      ['zremrangebyrank', 'u', 0, 0],
      ['zremrangebyscore', 'u', '-inf', '+inf'],
      ['zadd', 'lex', 0, 'a', 0, 'b'],
      ['zremrangebylex', 'lex', '[a', '[a'],
      ['zremrangebylex', 'lex', '-', '+'],
      ['zmpop', 2, 'nokey', 'z2', 'max', 'count', 5],
      ['zadd', 'z3', 1, 'x'],
      ['zpopmax', 'z3'],
    ],
  },
  'streams and consumer groups': {
    flags: 'KEtg',
    steps: [
      ['xadd', 'st', '1-1', 'f', 'v'],
      ['xadd', 'st', '2-1', 'f', 'v'],
      ['xadd', 'st', 'maxlen', 1, '3-1', 'f', 'v'],
      ['xadd', 'st', 'maxlen', 5, '4-1', 'f', 'v'],
      ['xadd', 'nost', 'nomkstream', '*', 'f', 'v'],
      ['xdel', 'st', '3-1', '9-9'],
      ['xdel', 'st', '9-9'],
      ['xadd', 'st', '5-1', 'f', 'v'],
      ['xtrim', 'st', 'maxlen', 1],
      ['xtrim', 'st', 'maxlen', 1],
      ['xgroup', 'create', 'st', 'g', '0'],
      ['xgroup', 'create', 'st2', 'g', '$', 'mkstream'],
      ['xgroup', 'setid', 'st', 'g', '0'],
      ['xgroup', 'createconsumer', 'st', 'g', 'alice'],
      ['xgroup', 'createconsumer', 'st', 'g', 'alice'],
      ['xreadgroup', 'group', 'g', 'bob', 'streams', 'st', '>'],
      ['xreadgroup', 'group', 'g', 'carol', 'streams', 'st', '>'],
      ['xclaim', 'st', 'g', 'dave', 0, '5-1'],
      ['xautoclaim', 'st', 'g', 'erin', 0, '0'],
      ['xgroup', 'delconsumer', 'st', 'g', 'alice'],
      ['xgroup', 'destroy', 'st', 'g'],
      ['xgroup', 'destroy', 'st', 'g'],
    ],
  },
  'expired events, one expiring key per pause': {
    flags: 'KEA',
    steps: [
      // One key expiring per pause: the order among keys expired in one
      // active cycle is each server's hash table's. The pause is long enough
      // for either server's active cycle (every 100 ms) or the lookup after
      // it to find the key gone; both publish the same "expired".
      ['set', 'a', 'v', 'px', 1],
      { sleep: 300 },
      ['get', 'a'],
      ['set', 'b', 'v', 'px', 1],
      { sleep: 300 },
      ['set', 'b', 'v'],
      ['hset', 'h', 'f', 'v'],
      ['pexpire', 'h', 1],
      { sleep: 300 },
      ['exists', 'h'],
    ],
  },
  'normalised flags: A with extras': {
    flags: 'AKEnm',
    steps: [['set', 'x', '1'], ['config', 'get', 'notify-keyspace-events'], ['config', 'set', 'notify-keyspace-events', 'g$lshzxetdKE'], ['config', 'get', 'notify-keyspace-events'], ['del', 'x']],
  },
  'keymiss (m): each read lookup that misses, and no write': {
    flags: 'KEm',
    steps: [
      ...[
        'get m|mget m n|strlen m|getrange m 0 1|substr m 0 1|exists m n|type m|ttl m|pttl m|expiretime m|pexpiretime m',
        'llen m|lrange m 0 1|lindex m 0|lpos m a|hget m f|hgetall m|hmget m f g|hlen m|hexists m f|hkeys m|hvals m|hstrlen m f',
        'hrandfield m|hscan m 0|smembers m|sismember m a|smismember m a b|scard m|srandmember m|sinter m n|sunion m n|sdiff m n',
        'sintercard 2 m n|sscan m 0|zscore m a|zrange m 0 1|zcard m|zcount m 0 1|zrank m a|zrevrank m a|zmscore m a|zrandmember m',
        'zrangebyscore m 0 1|zlexcount m - +|zunion 2 m n|zinter 2 m n|zdiff 2 m n|zintercard 2 m n|zscan m 0',
        'xrange m - +|xrevrange m + -|xlen m|xread streams m 0|xinfo stream m|xpending m g|getbit m 0|bitcount m|bitpos m 1',
        'lcs m n|dump m|touch m n|object encoding m|object freq m|sort m|sort_ro m|getdel m|getex m|getset m1 v|set m2 v get',
        'set m3 v nx get|set m4 v xx get|bitop and d m n|copy m d|sinterstore d m n|sunionstore d m n|sdiffstore d m n',
        'zunionstore d 2 m n|zinterstore d 2 m n|zdiffstore d 2 m n|zrangestore d m 0 1',
        // Writes: lookupKeyWrite, no keymiss.
        'del x1|set x2 v|set x3 v nx|set x4 v xx|incr x5|append x6 v|lpush x7 a|lpop x8|rpoplpush x9 d|lmove x10 d left left',
        'smove x11 d a|rename x12 d|renamenx x13 d|move x14 1|expire x15 10|persist x16|hset x17 f v|hdel x18 f|hincrby x19 f 1',
        'srem x20 a|zrem x21 a|zadd x22 1 a|xadd x23 1-1 a 1|xdel x24 1-1|xtrim x25 maxlen 1|lrem x26 0 a|ltrim x27 0 1',
        'linsert x28 before a b|lset x29 0 a|setrange x30 0 a|setbit x31 0 1|incrbyfloat x32 1|lmpop 2 x33 x34 left',
        'zmpop 2 x35 x36 min|zpopmin x37|spop x38|unlink x39|hsetnx x40 f v|keys nomatch*|dbsize|watch x41',
      ]
        .join('|')
        .split('|')
        .map((c) => c.split(' ')),
    ],
  },
  'keymiss with sources present: only the missing keys, and the write side never': {
    flags: 'KEm',
    steps: [
      ['set', 's', 'v'],
      ['copy', 's', 'dst'],
      ['copy', 's', 'dst'],
      ['sadd', 'a', 'x'],
      ['sinterstore', 'd1', 'a', 'nob'],
      ['sunionstore', 'd2', 'a'],
      ['zadd', 'z', 1, 'x'],
      ['zunionstore', 'zd', 2, 'z', 'noz'],
      ['zrangestore', 'zd2', 'z', 0, -1],
      ['rpush', 'l', 3, 1, 2],
      ['sort', 'l', 'store', 'sd'],
      ['sort', 'l', 'by', 'w_*', 'get', 'o_*', 'get', '#'],
      ['set', 's', 'w', 'nx', 'get'],
      ['set', 's2', 'w', 'xx', 'get'],
      ['getset', 's', 'x'],
      ['bitop', 'or', 'bd', 's', 'nos'],
      ['mget', 's', 'm1', 's', 'm2'],
      ['exists', 's', 'm3', 's'],
      ['multi'],
      ['get', 'tx1'],
      ['incr', 'tx2'],
      ['llen', 'tx3'],
      ['exec'],
      ['eval', "redis.call('get', KEYS[1]); redis.call('incr', KEYS[2]); return redis.call('exists', KEYS[3])", 3, 'e1', 'e2', 'e3'],
      ['eval', 'return 1', 1, 'e4'],
    ],
  },
  'keymiss of an expired key: "expired" first, then "keymiss"; A does not include m': {
    flags: 'KEAm',
    steps: [
      ['set', 'a', 'v', 'px', 1],
      { sleep: 300 },
      ['config', 'set', 'notify-keyspace-events', 'KEA'],
      ['get', 'nosuch'],
      ['hget', 'nosuch', 'f'],
      ['config', 'set', 'notify-keyspace-events', 'KEm'],
      ['get', 'nosuch2'],
      ['config', 'set', 'notify-keyspace-events', 'Km'],
      ['get', 'nosuch3'],
      ['config', 'set', 'notify-keyspace-events', 'Em'],
      ['get', 'nosuch4'],
    ],
  },
  'off: nothing published': {
    flags: '',
    steps: [['set', 'x', '1'], ['del', 'x'], ['lpush', 'l', 'a']],
  },
};

describe('keyspace notifications like redis-server 7.0', () => {
  const servers = withBothServers();
  for (const [name, script] of Object.entries(SCRIPTS)) {
    for (const protocol of [2, 3] as const) {
      it(`${name} (RESP${protocol})`, async () => {
        const expected = await run(servers.redis.port, script, protocol);
        const got = await run(servers.mini.port, script, protocol);
        expect(got.messages).toEqual(expected.messages);
        expect(got.replies).toEqual(expected.replies);
        // The script must have shown something (unless it is the "off" one).
        if (script.flags !== '') expect(expected.messages.length).toBeGreaterThan(0);
      });
    }
  }

  it('RESTORE (a payload redis-server DUMPed): "new" then "restore"; REPLACE with a past TTL: "del"', async () => {
    // The bulk's bytes as they came (latin1), not decoded as text.
    const raw = await (async () => {
      const r = await RespConnection.open(servers.redis.port);
      try {
        await r.command('set', 'src', 'hello');
        return await r.command('dump', 'src');
      } finally {
        r.close();
      }
    })();
    const payload = Buffer.from(raw.slice(raw.indexOf('\r\n') + 2, -2), 'latin1');
    const script: NotifyScript = {
      flags: 'KEA',
      steps: [
        ['restore', 'r', 0, payload],
        ['restore', 'r', 0, payload],
        ['restore', 'r', 0, payload, 'replace'],
        ['restore', 'r', 1, payload, 'replace', 'absttl'],
      ],
    };
    for (const protocol of [2, 3] as const) {
      const expected = await run(servers.redis.port, script, protocol);
      const got = await run(servers.mini.port, script, protocol);
      expect(got).toEqual(expected);
      expect(expected.replies).toEqual(['+OK\r\n', '-BUSYKEY Target key name already exists.\r\n', '+OK\r\n', '+OK\r\n']);
      expect(expected.messages.length).toBeGreaterThan(0);
    }
  });

  it('CONFIG SET notify-keyspace-events: bad classes refused with Redis words, CONFIG GET normalised', async () => {
    const a = await RespConnection.open(servers.redis.port);
    const b = await RespConnection.open(servers.mini.port);
    try {
      for (const flags of ['Q', 'KEA', 'K$lshz', 'Exe', 'Kgmn', 'A', 'AK', 'tdEK', 'lll', '']) {
        expect(await b.command('config', 'set', 'notify-keyspace-events', flags)).toBe(await a.command('config', 'set', 'notify-keyspace-events', flags));
        expect(await b.command('config', 'get', 'notify-keyspace-events')).toBe(await a.command('config', 'get', 'notify-keyspace-events'));
      }
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('"expired" from each path, on mini-redis', () => {
  async function expiredSeen(opts: { expireIntervalMs: number }, touch: boolean): Promise<string[]> {
    const mini = await startMiniRedis({ port: 0, ...opts });
    const sub = await RespConnection.open(mini.port);
    const cmd = await RespConnection.open(mini.port);
    try {
      await cmd.command('config', 'set', 'notify-keyspace-events', 'Ex');
      await sub.command('subscribe', '__keyevent@0__:expired');
      await cmd.command('set', 'k', 'v', 'px', 1);
      await new Promise((r) => setTimeout(r, 30));
      if (touch) expect(await cmd.command('get', 'k')).toBe('$-1\r\n');
      const got = decodeReply(await sub.reply()) as string[];
      return [...got, String(mini.state.stats.expired)];
    } finally {
      sub.close();
      cmd.close();
      await mini.close();
    }
  }

  it('lazy: with the active cycle out of the way, the GET that finds the key dead publishes it', async () => {
    expect(await expiredSeen({ expireIntervalMs: 1_000_000 }, true)).toEqual(['message', '__keyevent@0__:expired', 'k', '0']);
  });

  it('active: the cycle deletes the key nobody reads, and publishes it', async () => {
    expect(await expiredSeen({ expireIntervalMs: 10 }, false)).toEqual(['message', '__keyevent@0__:expired', 'k', '1']);
  });
});
