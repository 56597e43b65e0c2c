// AbortSignal per command and per batch, against a real redis-server: what
// an abort does to a command that was never issued, one waiting for a
// connection, and one already written — and that a dropped late reply never
// shifts the replies of the commands behind it.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortError, ReplyError, streamGroupReader } from './index.js';
import { abortRejection, clientSuite, waitFor } from '../test/helpers.js';

const t = clientSuite();

describe('withAbortSignal: one command', () => {
  it('a signal that already fired rejects before sending, for typed methods and command()', async () => {
    const c = await t.client().connect();
    await c.del('ab:pre');
    const why = new Error('user gave up');
    const signal = AbortSignal.abort(why);
    const a = await abortRejection(c.withAbortSignal(signal).set('ab:pre', 'x'));
    expect(a.mayHaveRun).toBe(false);
    expect(a.name).toBe('AbortError');
    expect(a.cause).toBe(why);
    expect(a.message).toMatch(/before it was sent.*did not run/);
    expect((await abortRejection(c.withAbortSignal(signal).command('SET', 'ab:pre', 'y'))).mayHaveRun).toBe(false);
    expect(await c.get('ab:pre')).toBeNull();
  });

  it('a command waiting for a connection is taken out of the queue: never sent, its room freed', async () => {
    const c = t.client({ autoConnect: false, offlineQueueLimit: 4 });
    const ctl = new AbortController();
    const view = c.withAbortSignal(ctl.signal);
    const first = c.del('ab:q', 'ab:q-counter');
    const aborted = [view.set('ab:q', 'must-not-run'), view.incr('ab:q-counter')];
    const after = c.incr('ab:q');
    expect(c.offlineQueueLength).toBe(4);
    ctl.abort();
    const errs = await Promise.all(aborted.map(abortRejection));
    expect(errs.map((e) => e.mayHaveRun)).toEqual([false, false]);
    // Taken out of the count: two more fit under the limit of 4.
    expect(c.offlineQueueLength).toBe(2);
    const more = [c.incr('ab:q'), c.incr('ab:q')];
    expect(c.offlineQueueLength).toBe(4);
    expect(c.state).toBe('idle');
    await c.connect();
    await first;
    expect(await after).toBe(1);
    expect(await Promise.all(more)).toEqual([2, 3]);
    expect(await c.get('ab:q')).toBe('3');
    expect(await c.get('ab:q-counter')).toBeNull();
  });

  it('a written command rejects at once as possibly run; its late reply is dropped and later replies stay in order', async () => {
    const c = await t.client().connect();
    const other = await t.client().connect();
    await c.del('ab:list', 'ab:after');
    const ctl = new AbortController();
    // BLPOP blocks the connection on the server: everything behind it waits for its reply.
    const blocked = c.withAbortSignal(ctl.signal).blpop(['ab:list'], 0);
    let afterSettled = false;
    const after = c.incr('ab:after').finally(() => (afterSettled = true));
    await waitFor(async () => Number(/blocked_clients:(\d+)/.exec(String(await other.command('INFO', 'clients')))?.[1]) > 0, 'BLPOP to block');
    ctl.abort();
    const err = await abortRejection(blocked);
    expect(err.mayHaveRun).toBe(true);
    expect(err.message).toMatch(/after it was sent.*may have run/);
    // Rejected without waiting for the server: the INCR behind it has no reply yet.
    expect(afterSettled).toBe(false);
    // The blocked BLPOP still runs on the server and takes this element; its reply is dropped...
    await other.lpush('ab:list', 'taken');
    // ...and the INCR gets its own reply, not BLPOP's.
    expect(await after).toBe(1);
    expect(await c.get('ab:after')).toBe('1');
    expect(await c.llen('ab:list')).toBe(0);
    expect(await c.ping()).toBe('PONG');
  });

  it('an error reply still rejects with the ReplyError, and a settled command is not touched by a later abort', async () => {
    const c = await t.client().connect();
    const ctl = new AbortController();
    const view = c.withAbortSignal(ctl.signal);
    await view.set('ab:str', 'x');
    await expect(view.incr('ab:str')).rejects.toBeInstanceOf(ReplyError);
    expect(await view.get('ab:str')).toBe('x');
    ctl.abort();
    expect(await c.get('ab:str')).toBe('x');
  });

  it('many commands on one long-lived signal hold one listener, and none once settled', async () => {
    const c = await t.client().connect();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const ctl = new AbortController();
      const view = c.withAbortSignal(ctl.signal);
      for (let round = 0; round < 5; round++) {
        const burst = Array.from({ length: 2000 }, (_, i) => view.set(`ab:many:${i % 100}`, String(round)));
        expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(1);
        await Promise.all(burst);
        expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
      }
      // One at a time, each awaited, with a view made per call.
      for (let i = 0; i < 200; i++) await c.withAbortSignal(ctl.signal).get('ab:many:1');
      expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
      // The signal still works after all that.
      const pending = view.blpop(['ab:never'], 0);
      ctl.abort();
      expect((await abortRejection(pending)).mayHaveRun).toBe(true);
      // Release the blocked connection (the dropped BLPOP takes the element).
      await t.client().lpush('ab:never', 'x');
      expect(await c.get('ab:many:1')).toBe('4');
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('views stack: either of two signals aborts, whatever sits between them', async () => {
    const c = t.client({ autoConnect: false });
    const outer = new AbortController();
    const inner = new AbortController();
    const direct = c.withAbortSignal(inner.signal).withAbortSignal(outer.signal);
    const between = c.withAbortSignal(inner.signal).withKeyPrefix('ab:').withAbortSignal(outer.signal);
    const p1 = direct.get('x');
    const p2 = between.get('x');
    inner.abort();
    expect((await abortRejection(p1)).mayHaveRun).toBe(false);
    expect((await abortRejection(p2)).mayHaveRun).toBe(false);
    expect(c.offlineQueueLength).toBe(0);
    const p3 = c.withAbortSignal(new AbortController().signal).withAbortSignal(outer.signal).get('x');
    outer.abort();
    expect((await abortRejection(p3)).mayHaveRun).toBe(false);
  });

  it('works with commandTimeout: whichever comes first settles, once', async () => {
    const c = await t.client({ commandTimeout: 60_000 }).connect();
    const ctl = new AbortController();
    const p = c.withAbortSignal(ctl.signal).blpop(['ab:t'], 0);
    ctl.abort();
    expect((await abortRejection(p)).mayHaveRun).toBe(true);
    expect(await c.withAbortSignal(ctl.signal).ping().catch((e: unknown) => e)).toBeInstanceOf(AbortError);
    await t.client().lpush('ab:t', 'x'); // the dropped BLPOP takes it, and the connection is free again
    expect(await c.ping()).toBe('PONG');
    expect(await c.llen('ab:t')).toBe(0);
  });
});

describe('withAbortSignal on the helpers built on commands', () => {
  it('stops scanIterator and a blocked streamGroupReader with AbortError', async () => {
    const c = await t.client({ url: `${t.srv.url}/9` }).connect();
    await c.command('FLUSHDB');
    await Promise.all(Array.from({ length: 500 }, (_, i) => c.set(`ab:scan:${i}`, '1')));
    const ctl = new AbortController();
    const seen: unknown[] = [];
    const scanning = (async () => {
      for await (const k of c.withAbortSignal(ctl.signal).scanIterator({ count: 10 })) {
        seen.push(k);
        if (seen.length === 25) ctl.abort();
      }
    })();
    const e1 = await abortRejection(scanning);
    expect(seen.length).toBeGreaterThanOrEqual(25);
    expect(seen.length).toBeLessThan(500);
    expect(e1.mayHaveRun).toBe(false); // the next page's SCAN was refused before sending

    const reader = await t.client().connect();
    const stop = new AbortController();
    const reading = (async () => {
      // Blocks in XREADGROUP (nothing to read) until the signal fires.
      for await (const _e of streamGroupReader(reader.withAbortSignal(stop.signal), { stream: 'ab:jobs', group: 'g', consumer: 'c', blockMs: 60_000 })) {
        throw new Error('no entry was added');
      }
    })();
    await waitFor(async () => Number(/blocked_clients:(\d+)/.exec(String(await c.command('INFO', 'clients')))?.[1]) > 0, 'XREADGROUP to block');
    stop.abort(new Error('shutting down'));
    const e2 = await abortRejection(reading);
    expect(e2.mayHaveRun).toBe(true);
    expect((e2.cause as Error).message).toBe('shutting down');
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});

describe('exec({ signal }): a batch is aborted whole', () => {
  it('a pipeline held for a connection is taken out whole: none of it runs', async () => {
    const c = t.client({ autoConnect: false });
    const ctl = new AbortController();
    const p = c.pipeline().set('ab:p1', 'x').incr('ab:p2').exec({ signal: ctl.signal });
    const tx = c.multi().set('ab:t1', 'x').incr('ab:t2').exec({ signal: ctl.signal });
    const kept = c.pipeline().incr('ab:kept').exec();
    expect(c.offlineQueueLength).toBe(2 + 4 + 1);
    ctl.abort();
    const [ep, et] = await Promise.all([abortRejection(p), abortRejection(tx)]);
    expect([ep.mayHaveRun, et.mayHaveRun]).toEqual([false, false]);
    expect(ep.message).toMatch(/none of its 2 commands ran/);
    expect(c.offlineQueueLength).toBe(1);
    await c.connect();
    expect(await kept).toEqual([1]);
    expect(await c.mget('ab:p1', 'ab:p2', 'ab:t1', 'ab:t2')).toEqual([null, null, null, null]);
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });

  it('a written pipeline rejects whole at once; its late replies are dropped, later commands get theirs', async () => {
    const c = await t.client().connect();
    const other = await t.client().connect();
    await c.del('ab:pl', 'ab:pi', 'ab:next');
    const ctl = new AbortController();
    const p = c.pipeline().blpop(['ab:pl'], 0).incr('ab:pi').exec({ signal: ctl.signal });
    const next = c.incr('ab:next');
    await waitFor(async () => Number(/blocked_clients:(\d+)/.exec(String(await other.command('INFO', 'clients')))?.[1]) > 0, 'BLPOP to block');
    ctl.abort();
    expect((await abortRejection(p)).mayHaveRun).toBe(true);
    await other.lpush('ab:pl', 'x');
    expect(await next).toBe(1);
    // The whole pipeline ran on the server (it is never split): INCR too.
    expect(await c.get('ab:pi')).toBe('1');
  });

  it('a signal that already fired sends nothing; the pipeline can still be executed', async () => {
    const c = await t.client().connect();
    await c.del('ab:pre-p');
    const pl = c.pipeline().incr('ab:pre-p');
    expect((await abortRejection(pl.exec({ signal: AbortSignal.abort() }))).mayHaveRun).toBe(false);
    expect(await c.get('ab:pre-p')).toBeNull();
    expect(await pl.exec()).toEqual([1]);
  });

  it('a pipeline that settles first leaves nothing on the signal', async () => {
    const c = await t.client().connect();
    const ctl = new AbortController();
    for (let i = 0; i < 50; i++) await c.pipeline().ping().exec({ signal: ctl.signal });
    await c.multi().exec({ signal: ctl.signal });
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });
});
