/**
 * Progress of apply and destroy on stderr, only for runs that take more than
 * PROGRESS_AFTER_MS: on a terminal one line redrawn in place, otherwise (CI
 * logs) one line per phase as it ends, so a log shows where the time went
 * without a line per device.
 */
import type { Progress } from '../apply/progress.js';
import type { Io } from './io.js';

export const PROGRESS_AFTER_MS = 2_000;
const REDRAW_MS = 200;

export function cliProgress(io: Io, now: () => number = Date.now): Progress {
  const start = now();
  let phase: { name: string; total?: number; done: number; since: number } | undefined;
  let drawn = false;
  const slow = () => now() - start >= PROGRESS_AFTER_MS;
  const counts = (p: NonNullable<typeof phase>) => (p.total === undefined ? `${p.done}` : `${p.done}/${p.total}`);
  const redraw = () => {
    if (!phase || !slow()) return;
    io.err(`\r\x1b[K${phase.name}: ${counts(phase)} steps`);
    drawn = true;
  };
  const timer = io.errTty ? setInterval(redraw, REDRAW_MS) : undefined;
  timer?.unref();
  const finishPhase = () => {
    if (!phase || io.errTty || !slow()) return;
    io.err(`tunform: ${phase.name}: ${counts(phase)} steps in ${((now() - phase.since) / 1000).toFixed(1)} s\n`);
  };
  return {
    phase(name, total) {
      finishPhase();
      phase = { name, done: 0, since: now(), ...(total !== undefined ? { total } : {}) };
    },
    step() {
      if (phase) phase.done++;
    },
    end() {
      finishPhase();
      phase = undefined;
      clearInterval(timer);
      if (drawn) io.err('\r\x1b[K');
    },
  };
}
