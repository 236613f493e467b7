/**
 * `tunform holder restart`: the namespace's holder hands every fd to a
 * successor started from the current helper binary (helper/src/holder_handover.c),
 * then exits. No held fd is ever closed, so no device loses its carrier and
 * detached queues stay detached. Also how a new helper build takes over.
 */
import { backendError } from '../errors.js';
import { runCommand } from '../sys/run-command.js';
import { helperPath, netnsArgs } from '../sys/paths.js';
import { holderRequest } from '../sys/holder-session.js';
import { requireNetAdmin } from './privileges.js';

/** The hand-over is a few round trips; the successor gives up after 5 s per step. */
export const HOLDER_RESTART_TIMEOUT_MS = 30_000;

export interface HolderRestart {
  /** The holder that handed over; undefined when none ran. */
  readonly oldPid?: number;
  /** The successor; undefined when none ran (nothing to restart). */
  readonly newPid?: number;
  readonly helper: string;
}

async function runningPid(netns: string | undefined): Promise<number | undefined> {
  try {
    const [line] = await holderRequest(netns, ['ping']);
    const m = /^ok ping (\d+)$/.exec(line ?? '');
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // none answers: the helper's own check decides
  }
}

export async function restartHolder(netns: string | undefined): Promise<HolderRestart> {
  requireNetAdmin('tunform holder restart');
  const helper = helperPath();
  const oldPid = await runningPid(netns);
  const r = await runCommand(helper, [...netnsArgs(netns), 'holder-restart'], { timeoutMs: HOLDER_RESTART_TIMEOUT_MS });
  const m = /^ok holder (\d+|none)$/m.exec(r.stdout);
  if (r.exitCode !== 0 || !m) {
    const why = r.spawnError ? r.spawnError.message : r.stderr.trim() || `exit status ${String(r.exitCode ?? r.signal)}`;
    throw backendError(`restarting the holder${netns ? ` of netns '${netns}'` : ''} failed; the running holder keeps every device: ${why}`);
  }
  if (m[1] === 'none') return { helper };
  return { ...(oldPid !== undefined ? { oldPid } : {}), newPid: Number(m[1]), helper };
}
