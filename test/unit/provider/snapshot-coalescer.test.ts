import { describe, expect, test } from 'vitest';
import type { LiveState } from '../../../src/model.js';
import { LiveSnapshots } from '../../../src/provider/tunform/snapshot.js';
import { Coalescer } from '../../../src/provider/tunform/coalescer.js';
import { liveDevice } from '../support/live-device.js';

function countingReader() {
  const calls: { resolve: (s: LiveState) => void }[] = [];
  const read = () => new Promise<LiveState>((resolve) => calls.push({ resolve }));
  const answer = (i: number, name: string) => calls[i]!.resolve({ devices: [liveDevice(name)], processesComplete: true });
  return { read, calls, answer };
}

describe('LiveSnapshots', () => {
  test('GIVEN ten concurrent Reads WHEN none has a snapshot yet THEN one live read serves all', async () => {
    const r = countingReader();
    const s = new LiveSnapshots(r.read, () => 0);
    const all = Promise.all(Array.from({ length: 10 }, () => s.get()));
    expect(r.calls).toHaveLength(1);
    r.answer(0, 'tun0');
    expect((await all).every((x) => x.byName.has('tun0'))).toBe(true);
  });

  test('GIVEN a snapshot WHEN asked within the reuse time THEN reused; after it THEN read again', async () => {
    const r = countingReader();
    let now = 0;
    const s = new LiveSnapshots(r.read, () => now, 1000);
    const first = s.get();
    r.answer(0, 'a');
    await first;
    now = 1000;
    await s.get();
    expect(r.calls).toHaveLength(1);
    now = 1001;
    const third = s.get();
    expect(r.calls).toHaveLength(2);
    r.answer(1, 'b');
    expect((await third).byName.has('b')).toBe(true);
  });

  test('GIVEN a read in flight WHEN an apply invalidates THEN later callers get a new read, not the old one', async () => {
    const r = countingReader();
    const s = new LiveSnapshots(r.read, () => 0);
    const before = s.get();
    s.invalidate();
    const after = s.get();
    expect(r.calls).toHaveLength(2);
    r.answer(0, 'old');
    r.answer(1, 'new');
    expect((await before).byName.has('old')).toBe(true);
    expect((await after).byName.has('new')).toBe(true);
    // The stale read finished after the invalidation: it must not become the cached snapshot.
    expect((await s.get()).byName.has('new')).toBe(true);
    expect(r.calls).toHaveLength(2);
  });
});

describe('Coalescer', () => {
  test('GIVEN calls sent together and more arriving during a run WHEN drained THEN two runs, answers in order', async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new Coalescer<number, string>(async (items) => {
      runs.push([...items]);
      if (runs.length === 1) await gate;
      return items.map((i) => `done ${i}`);
    }, 1);
    const first = [1, 2, 3].map((i) => c.submit(i));
    await new Promise((r) => setTimeout(r, 20));
    const later = [4, 5].map((i) => c.submit(i));
    release();
    expect(await Promise.all([...first, ...later])).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    expect(runs).toEqual([[1, 2, 3], [4, 5]]);
  });

  test('GIVEN a run that throws WHEN drained THEN its callers get the error and the next batch still runs', async () => {
    let n = 0;
    const c = new Coalescer<number, number>(async (items) => {
      if (++n === 1) throw new Error('boom');
      return items;
    }, 1);
    await expect(c.submit(1)).rejects.toThrow('boom');
    expect(await c.submit(2)).toBe(2);
  });
});
