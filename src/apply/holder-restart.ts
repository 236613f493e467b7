/**
 * `tunform holder restart`, and the restart of every running holder after
 * `tunform install-helper`. A holder that is the main process of its systemd
 * unit is restarted with `systemctl restart UNIT`: systemd keeps the unit's fd
 * store across the restart job and passes every stored queue to the new main
 * process (LISTEN_FDS). Any other holder hands every fd to a successor started
 * from the helper binary (helper/src/holder_handover.c), then exits. Either
 * way no held fd is ever closed while no other copy exists, so no device loses
 * its carrier and detached queues stay detached.
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { asTunformError, backendError } from '../errors.js';
import { runCommand } from '../sys/run-command.js';
import { helperPath, netnsArgs, RUN_DIR, runDir } from '../sys/paths.js';
import { holderRequest } from '../sys/holder-session.js';
import { readHolderStartFacts, systemctl, systemctlMainPid } from '../sys/systemd.js';
import { chooseHolderRestart, chooseHolderStart, holderUnit } from '../boot/holder-start-mode.js';
import { requireNetAdmin } from './privileges.js';

/** The hand-over is a few round trips; the successor gives up after 5 s per step. */
export const HOLDER_RESTART_TIMEOUT_MS = 30_000;

export interface HolderRestart {
  /** The holder that was replaced; undefined when none ran. */
  readonly oldPid?: number;
  /** The new holder; undefined when none ran (nothing to restart). */
  readonly newPid?: number;
  /** The binary the new holder runs (with systemctl, the unit's ExecStart). */
  readonly helper: string;
  /** How: a hand-over to a successor, or `systemctl restart` of the unit the holder was the main process of. */
  readonly via?: 'hand-over' | 'systemctl';
  readonly unit?: string;
}

const whereNs = (netns: string | undefined): string => (netns ? ` of netns '${netns}'` : '');

async function runningPid(netns: string | undefined, socketPath?: string): Promise<number | undefined> {
  try {
    const [line] = await holderRequest(netns, ['ping'], socketPath ? { socketPath } : {});
    const m = /^ok ping (\d+)$/.exec(line ?? '');
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // none answers: the helper's own check decides
  }
}

const exeOf = (pid: number): string | undefined => {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
};

/** Restarts the namespace's holder; `helper` is the binary a hand-over's successor runs (default: helperPath()). */
export async function restartHolder(netns: string | undefined, helper: string = helperPath()): Promise<HolderRestart> {
  requireNetAdmin('tunform holder restart');
  const oldPid = await runningPid(netns);
  const { unit, file } = holderUnit(netns);
  const facts = readHolderStartFacts([file, unit]);
  // MainPID only matters when the holder could be the unit's: never ask systemctl otherwise.
  const unitMainPid = oldPid !== undefined && chooseHolderStart(netns, facts).kind === 'systemd' ? await systemctlMainPid(unit) : undefined;
  const mode = chooseHolderRestart(netns, { ...facts, ...(oldPid !== undefined ? { holderPid: oldPid } : {}), ...(unitMainPid !== undefined ? { unitMainPid } : {}) });
  if (mode.kind === 'systemctl') {
    const r = await systemctl('restart', mode.unit);
    if (!r.ok) {
      throw backendError(`restarting the holder${whereNs(netns)} failed: systemctl restart ${mode.unit}: ${r.why}`, {
        details: [`systemd keeps the devices' queues in the unit's fd store while it restarts it; see \`journalctl -u ${mode.unit}\``],
      });
    }
    const newPid = await runningPid(netns);
    if (newPid === undefined) throw backendError(`systemctl restart ${mode.unit} succeeded but no holder${whereNs(netns)} answers; see \`journalctl -u ${mode.unit}\``);
    return { oldPid: oldPid!, newPid, helper: exeOf(newPid) ?? `the ExecStart of ${mode.unit}`, via: 'systemctl', unit: mode.unit };
  }
  const r = await runCommand(helper, [...netnsArgs(netns), 'holder-restart'], { timeoutMs: HOLDER_RESTART_TIMEOUT_MS });
  const m = /^ok holder (\d+|none)$/m.exec(r.stdout);
  if (r.exitCode !== 0 || !m) {
    const why = r.spawnError ? r.spawnError.message : r.stderr.trim() || `exit status ${String(r.exitCode ?? r.signal)}`;
    throw backendError(`restarting the holder${whereNs(netns)} failed; the running holder keeps every device: ${why}`);
  }
  if (m[1] === 'none') return { helper };
  return { ...(oldPid !== undefined ? { oldPid } : {}), newPid: Number(m[1]), helper, via: 'hand-over' };
}

/** What became of one running holder when every holder was restarted; runDir names one started from inside another namespace. */
export type HolderRestartOutcome =
  | { readonly netns?: string; readonly restarted: HolderRestart }
  | { readonly netns?: string; readonly runDir?: string; readonly pid: number; readonly failed: string };

const listDir = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/**
 * Restarts every holder that runs onto `helper` (after an upgrade of the
 * helper binary): the machine's own namespace's and each named namespace's
 * (RUN_DIR/netns/NAME), one after the other. A holder started from inside
 * another namespace (`ip netns exec`, RUN_DIR/self-DEV-INO other than ours)
 * is not reachable with --netns: it is reported as not restarted. A failure
 * leaves that holder running with its devices.
 */
export async function restartRunningHolders(helper: string): Promise<HolderRestartOutcome[]> {
  const out: HolderRestartOutcome[] = [];
  const one = async (netns: string | undefined): Promise<void> => {
    const pid = await runningPid(netns);
    if (pid === undefined) return;
    try {
      out.push({ ...(netns !== undefined ? { netns } : {}), restarted: await restartHolder(netns, helper) });
    } catch (e) {
      const err = asTunformError(e);
      out.push({ ...(netns !== undefined ? { netns } : {}), pid, failed: [err.message, ...err.details].join('; ') });
    }
  };
  await one(undefined);
  for (const name of listDir(join(RUN_DIR, 'netns'))) await one(name);
  const own = runDir();
  for (const entry of listDir(RUN_DIR).filter((e) => e.startsWith('self-'))) {
    const dir = join(RUN_DIR, entry);
    if (dir === own || !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    const pid = await runningPid(undefined, join(dir, 'holder.sock'));
    if (pid !== undefined) {
      out.push({ runDir: dir, pid, failed: `it was started from inside its namespace, which --netns does not reach; run \`nsenter -t ${pid} -n tunform holder restart\`` });
    }
  }
  return out;
}
