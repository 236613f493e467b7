import type { EngineIo } from '../apply/apply.js';

/** Where command output goes; injectable so commands can be tested without a process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal that accepts ANSI color. */
  readonly color: boolean;
  /** Whether stderr is a terminal (progress is redrawn in place there). */
  readonly errTty?: boolean;
  /** The command's stdin as text (the internal --spec-stdin/--synth-stdin sources); default: the process's. `tunform serve` hands each request its own. */
  readonly stdin?: () => Promise<string>;
  /**
   * How apply, destroy and `host-info --live` take the lock and read live state; default: a lock helper and `ip` dumps
   * started for the command (oneShotIo). `tunform serve` hands every request one EngineSessions: a helper and readers
   * that live as long as the session, and reads scoped to a --device run's devices.
   */
  readonly engine?: EngineIo;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  color: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined && process.env.CI === undefined,
  errTty: Boolean(process.stderr.isTTY),
};
