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

  test('GIVEN a snapshot WHEN callers keep coming, each within the idle time THEN reused however long; after a pause longer than it THEN read again', async () => {
    const r = countingReader();
    let now = 0;
    const s = new LiveSnapshots(r.read, () => now, 1000);
    const first = s.get();
    r.answer(0, 'a');
    await first;
    // A long refresh: ten seconds of Reads, never more than the idle time apart.
    for (now = 1000; now <= 10_000; now += 1000) expect((await s.get()).byName.has('a')).toBe(true);
    expect(r.calls).toHaveLength(1);
    now += 1001;
    const later = s.get();
    expect(r.calls).toHaveLength(2);
    r.answer(1, 'b');
    expect((await later).byName.has('b')).toBe(true);
  });

  test('GIVEN a name missing from the snapshot WHEN several callers look again THEN one new read serves them all, and a miss in it is final', async () => {
    const r = countingReader();
    const s = new LiveSnapshots(r.read, () => 0);
    const first = s.get();
    r.answer(0, 'a');
    const seen = await first;
    const again = [s.lookAgain(seen), s.lookAgain(seen), s.lookAgain(seen)];
    expect(r.calls).toHaveLength(2);
    r.answer(1, 'made-by-hand');
    const looked = await Promise.all(again);
    expect(looked.every((x) => x === looked[0] && x.byName.has('made-by-hand'))).toBe(true);
    // Callers after it get the second look from get() and, missing a name there too, no third read.
    const next = await s.get();
    expect(next).toBe(looked[0]);
    expect(await s.lookAgain(next)).toBe(next);
    expect(r.calls).toHaveLength(2);
  });

  test('GIVEN a caller that missed a name in an older snapshot WHEN another already looked again THEN it gets that newer one, no read', async () => {
    const r = countingReader();
    const s = new LiveSnapshots(r.read, () => 0);
    const first = s.get();
    r.answer(0, 'a');
    const old = await first;
    const looked = s.lookAgain(old);
    r.answer(1, 'b');
    const newer = await looked;
    expect(await s.lookAgain(old)).toBe(newer);
    expect(r.calls).toHaveLength(2);
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

  test('GIVEN ten calls in flight, seven answered while three wait WHEN the seven successors arrive THEN they run with the three as one batch of ten, not as cohorts of 7 and 3', async () => {
    const runs: number[][] = [];
    const gates: (() => void)[] = [];
    const c = new Coalescer<number, number>(
      async (items) => {
        runs.push([...items]);
        await new Promise<void>((r) => gates.push(r));
        return items;
      },
      300,
      60_000,
    );
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const calls = [0, 1, 2, 3, 4, 5, 6].map((i) => c.submit(i)); // the first cohort, gathered
    await sleep(600);
    expect(runs).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
    calls.push(...[7, 8, 9].map((i) => c.submit(i))); // three more while it runs: ten in flight
    gates.shift()!();
    await Promise.all(calls.slice(0, 7));
    // WHEN the seven answered calls' successors trickle in, a few ms apart (far less than the gather gap)
    for (let i = 10; i < 17; i++) {
      expect(runs).toHaveLength(1);
      calls.push(c.submit(i));
      if (i < 16) await sleep(5);
    }
    // THEN the tenth waiting call starts the batch at once, without waiting out the gap
    expect(runs).toEqual([[0, 1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12, 13, 14, 15, 16]]);
    gates.shift()!();
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  test('GIVEN calls trickling in closer together than the gather gap WHEN the cap passes THEN the batch starts anyway', async () => {
    const runs: number[][] = [];
    const c = new Coalescer<number, number>(
      async (items) => {
        runs.push([...items]);
        return items;
      },
      100,
      300,
    );
    const calls: Promise<number>[] = [];
    // a call every 5 ms, for up to 5 s
    for (let i = 0; i < 1000 && runs.length === 0; i++) {
      calls.push(c.submit(i));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(calls);
    // THEN a batch started while calls were still coming in, with more than one of them
    expect(calls.length).toBeLessThan(1000);
    expect(runs[0]!.length).toBeGreaterThan(1);
  });
});
