// monitorLines(): the lines of client.monitor(), parsed, from a connection of its own,
// while another client runs commands on a real server.
import { describe, expect, it } from 'vitest';
import { monitorLines, parseMonitorLine } from './index.js';
import { clientSuite } from '../test/helpers.js';

const suite = clientSuite();

describe('monitorLines', () => {
  it('parses quoting and escapes', () => {
    const l = parseMonitorLine('1339518083.107412 [0 127.0.0.1:60866] "set" "a \\"b\\"" "\\x00\\n"');
    expect(l).toEqual({ time: 1339518083.107412, db: 0, source: '127.0.0.1:60866', args: ['set', 'a "b"', '\x00\n'], raw: expect.any(String) });
    expect(parseMonitorLine('OK')).toBeNull();
  });

  it('yields every command another client runs, in order, and closes on break', async () => {
    const c = suite.client();
    await c.connect();
    const mon = await monitorLines(c);
    await c.set('m1', 'hello world');
    await c.incr('m2');
    await c.eval("return redis.call('GET', KEYS[1])", ['m1']);
    const lines: string[][] = [];
    for await (const line of mon) {
      lines.push(line.args);
      if (line.args[0] === 'GET') {
        expect(line.source).toBe('lua');
        break;
      }
    }
    expect(lines).toEqual([['SET', 'm1', 'hello world'], ['INCR', 'm2'], ['EVAL', "return redis.call('GET', KEYS[1])", '1', 'm1'], ['GET', 'm1']]);
    // Closed: the monitor's connection is gone, the client works on.
    const clients = String(await c.clientList());
    expect(clients).not.toMatch(/cmd=monitor/);
    expect(await c.get('m1')).toBe('hello world');
  });

  it('stops with an error, not unbounded memory, when the consumer falls behind maxQueued lines', async () => {
    const c = suite.client();
    await c.connect();
    const mon = await monitorLines(c, { maxQueued: 5 });
    for (let i = 0; i < 50; i++) await c.ping();
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const l of mon) seen.push(l.args[0]!);
      })(),
    ).rejects.toThrow(/more than 5 lines/);
    expect(seen.length).toBe(5);
  });
});
