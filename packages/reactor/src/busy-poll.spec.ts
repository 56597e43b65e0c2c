// Busy polling (busyPollMicros).
import { describe, expect, it } from 'vitest';
import { EV_READ, eventBufferWrite } from './index.js';
import { echoAccept, reactorsReleasedAfterEach, waitFor } from '../test/helpers.js';

const make = reactorsReleasedAfterEach();

describe('busy polling', () => {
  /** A reactor echo server and a reactor client on it; `turns` counts the client reactor's turns (before-sleep runs once per turn). */
  async function echoPair(busyPollMicros: number) {
    const srv = make();
    const port = await srv.createServer(0, echoAccept(srv), { host: '127.0.0.1' });
    const srvLoop = srv.eventloop();
    const r = make({ busyPollMicros });
    const stats = { turns: 0 };
    r.setBeforeSleep(() => void stats.turns++);
    const e = r.connect(port, '127.0.0.1');
    const replies: string[] = [];
    e.readFn = (ev) => void replies.push(ev.in.remove(ev.in.length).toString());
    r.addEvent(e, EV_READ);
    const loop = r.eventloop();
    const stop = async (): Promise<void> => {
      r.stopEventloop();
      srv.stopEventloop();
      await Promise.all([loop, srvLoop]);
    };
    return { r, e, replies, stats, stop };
  }

  it('validates the window and can change it later', () => {
    expect(() => make({ busyPollMicros: -1 })).toThrow(RangeError);
    const r = make({ busyPollMicros: 30 });
    expect(r.busyPollMicros).toBe(30);
    r.setBusyPoll(0);
    expect(r.busyPollMicros).toBe(0);
    expect(() => r.setBusyPoll(Number.NaN)).toThrow(RangeError);
  });

  it('after a write, keeps turning (polling) through the window, then stops by itself', async () => {
    // A 50 ms window: wide enough that several turns run in it even on a loaded machine.
    const { e, replies, stats, stop } = await echoPair(50_000);
    await waitFor(() => e.connected, 'connected');
    const before = stats.turns;
    eventBufferWrite(e, 'ping');
    await waitFor(() => replies.join('') === 'ping', 'echo');
    await new Promise((res) => setTimeout(res, 200));
    const afterWindow = stats.turns;
    // Spun: more turns than the one write and the one reply need.
    expect(afterWindow - before).toBeGreaterThan(5);
    // The window closed: idle again, no more turns.
    await new Promise((res) => setTimeout(res, 100));
    expect(stats.turns).toBe(afterWindow);
    await stop();
  });

  it('off (the default): an idle client reactor does not turn', async () => {
    const { e, replies, stats, stop } = await echoPair(0);
    await waitFor(() => e.connected, 'connected');
    const before = stats.turns;
    eventBufferWrite(e, 'ping');
    await waitFor(() => replies.join('') === 'ping', 'echo');
    await new Promise((res) => setTimeout(res, 100));
    // The flush runs outside a turn; the reply costs one or two turns.
    expect(stats.turns - before).toBeLessThanOrEqual(3);
    await stop();
  });

  it('round trips stay correct and in order while spinning', async () => {
    const { e, replies, stop } = await echoPair(50);
    await waitFor(() => e.connected, 'connected');
    for (let i = 0; i < 200; i++) {
      eventBufferWrite(e, `${i};`);
      await waitFor(() => replies.join('').endsWith(`${i};`), `echo ${i}`);
    }
    expect(replies.join('')).toBe(Array.from({ length: 200 }, (_, i) => `${i};`).join(''));
    await stop();
  });
});
