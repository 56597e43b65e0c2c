import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Database, Store } from './db.js';

const str = (s: string) => ({ type: 'string' as const, value: Buffer.from(s) });

describe('Database expiry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('deletes a key lazily when it is looked up after its deadline', () => {
    const db = new Database(0);
    db.set('k', str('v'));
    db.setExpire('k', Date.now() + 100);
    vi.advanceTimersByTime(99);
    expect(db.lookup('k')).toBeDefined();
    vi.advanceTimersByTime(1);
    expect(db.lookup('k')).toBeUndefined();
    expect(db.size).toBe(0);
    expect(db.expires.size).toBe(0);
  });

  it('SET without KEEPTTL drops the TTL, with KEEPTTL keeps it', () => {
    const db = new Database(0);
    db.set('k', str('v'));
    db.setExpire('k', Date.now() + 100);
    db.set('k', str('w'), true);
    expect(db.getExpire('k')).toBe(Date.now() + 100);
    db.set('k', str('x'));
    expect(db.getExpire('k')).toBeUndefined();
  });

  it('the active cycle removes expired keys nobody reads, with bounded work per call', () => {
    const store = new Store(2);
    const db = store.dbs[0]!;
    for (let i = 0; i < 2000; i++) {
      db.set(`k${i}`, str('v'));
      db.setExpire(`k${i}`, Date.now() + (i < 1500 ? 10 : 1_000_000));
    }
    vi.advanceTimersByTime(20);
    const first = store.activeExpireCycle();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(400);
    let total = first;
    for (let i = 0; i < 100 && db.size > 500; i++) total += store.activeExpireCycle();
    expect(total).toBe(1500);
    expect(db.size).toBe(500);
  });

  it('a cycle over keys that are all alive stops after one sample', () => {
    const db = new Database(0);
    for (let i = 0; i < 100; i++) {
      db.set(`k${i}`, str('v'));
      db.setExpire(`k${i}`, Date.now() + 1000);
    }
    expect(db.activeExpireCycle()).toBe(0);
    expect(db.size).toBe(100);
  });
});

describe('Database WATCH bookkeeping', () => {
  it('touch flags watchers of that key only; unwatch stops it', () => {
    const db = new Database(0);
    const a = { dirtyCas: false };
    const b = { dirtyCas: false };
    db.watch('x', a);
    db.watch('y', b);
    db.set('x', str('1'));
    expect(a.dirtyCas).toBe(true);
    expect(b.dirtyCas).toBe(false);
    db.unwatch('y', b);
    db.set('y', str('1'));
    expect(b.dirtyCas).toBe(false);
  });

  it('expiry counts as a change; flush flags watchers of existing keys', () => {
    vi.useFakeTimers();
    try {
      const db = new Database(0);
      const w = { dirtyCas: false };
      db.set('k', str('v'));
      db.setExpire('k', Date.now() + 5);
      db.watch('k', w);
      w.dirtyCas = false;
      vi.advanceTimersByTime(10);
      db.lookup('k');
      expect(w.dirtyCas).toBe(true);
      const w2 = { dirtyCas: false };
      db.set('j', str('v'));
      db.watch('j', w2);
      db.watch('absent', w2);
      db.flush();
      expect(w2.dirtyCas).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a key already expired when watched: its removal is no change; a TTL running out after WATCH is', () => {
    vi.useFakeTimers();
    try {
      const db = new Database(0);
      const w = { dirtyCas: false };
      db.set('dead', str('v'));
      db.setExpire('dead', Date.now() + 5);
      vi.advanceTimersByTime(10);
      db.watch('dead', w); // logically expired already
      expect(db.lookup('dead')).toBeUndefined(); // lazy deletion
      expect(w.dirtyCas).toBe(false);
      db.set('dead', str('again'));
      expect(w.dirtyCas).toBe(true);

      const w2 = { dirtyCas: false };
      db.set('live', str('v'));
      db.setExpire('live', Date.now() + 5);
      db.watch('live', w2);
      expect(db.expiredSinceWatch('live', w2)).toBe(false);
      vi.advanceTimersByTime(10);
      expect(db.expiredSinceWatch('live', w2)).toBe(true); // still in the map, but dead
    } finally {
      vi.useRealTimers();
    }
  });
});
