import { describe, expect, it } from 'vitest';
import { cliProgress, PROGRESS_AFTER_MS } from '../../../src/cli/progress.js';
import type { Io } from '../../../src/cli/io.js';

function fakeIo(errTty: boolean): Io & { errText: string } {
  const io = { errText: '', out: () => {}, err: (t: string) => void (io.errText += t), color: false, errTty };
  return io;
}

describe('progress of long runs', () => {
  it('GIVEN a log (not a terminal) and a run past the threshold WHEN phases end THEN one line per phase, with counts and time', () => {
    let t = 0;
    const io = fakeIo(false);
    const p = cliProgress(io, () => t);
    p.phase('changing', 3);
    p.step();
    p.step();
    t = PROGRESS_AFTER_MS + 500;
    p.step();
    p.phase('verifying');
    t += 1_000;
    p.end();
    expect(io.errText).toBe('tunform: changing: 3/3 steps in 2.5 s\ntunform: verifying: 0 steps in 1.0 s\n');
  });

  it('GIVEN a run that ends before the threshold WHEN it ends THEN nothing is printed', () => {
    let t = 0;
    const io = fakeIo(false);
    const p = cliProgress(io, () => t);
    p.phase('changing', 1);
    p.step();
    t = PROGRESS_AFTER_MS - 1;
    p.end();
    expect(io.errText).toBe('');
  });

  it('GIVEN a terminal WHEN phases end THEN no per-phase lines are logged (the line is redrawn in place instead)', () => {
    let t = 0;
    const io = fakeIo(true);
    const p = cliProgress(io, () => t);
    p.phase('changing', 1);
    t = PROGRESS_AFTER_MS * 2;
    p.step();
    p.end();
    expect(io.errText).not.toContain('tunform: changing');
  });
});
