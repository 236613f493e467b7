/**
 * The system facts chooseHolderStart and chooseHolderRestart
 * (src/boot/holder-start-mode.ts) need, and `systemctl start|restart`.
 * $TUNFORM_SYSTEMCTL names another systemctl (tests).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UNIT_SEARCH_DIRS, type HolderStartFacts } from '../boot/holder-start-mode.js';
import { runCommand } from './run-command.js';

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** What systemd's sd_booted() checks; $TUNFORM_SYSTEMD_RUN_DIR replaces /run/systemd/system for tests. */
export function readHolderStartFacts(unitFiles: readonly string[]): HolderStartFacts {
  const runDir = process.env.TUNFORM_SYSTEMD_RUN_DIR ?? '/run/systemd/system';
  const dirs = process.env.TUNFORM_SYSTEMD_RUN_DIR ? [runDir] : UNIT_SEARCH_DIRS;
  const installed = new Set(unitFiles.filter((f) => dirs.some((d) => existsSync(join(d, f)))));
  return { systemdBooted: isDir(runDir), installedUnits: installed };
}

export const systemctlPath = (): string => process.env.TUNFORM_SYSTEMCTL ?? 'systemctl';

/** `systemctl start|restart UNIT`; for a Type=notify unit it returns once the new main process said READY=1. */
export async function systemctl(verb: 'start' | 'restart', unit: string): Promise<{ ok: boolean; why: string }> {
  const bin = systemctlPath();
  const r = await runCommand(bin, [verb, unit]);
  if (r.spawnError) return { ok: false, why: `cannot run ${bin}: ${r.spawnError.message}` };
  return { ok: r.exitCode === 0, why: r.stderr.trim() || `${bin} exited with status ${r.exitCode}` };
}

export const systemctlStart = (unit: string): Promise<{ ok: boolean; why: string }> => systemctl('start', unit);

/** `systemctl show -P MainPID UNIT`: 0 when the unit runs no process; undefined when systemctl could not say. */
export async function systemctlMainPid(unit: string): Promise<number | undefined> {
  const r = await runCommand(systemctlPath(), ['show', '-P', 'MainPID', unit]);
  const m = /^(\d+)\s*$/.exec(r.stdout);
  return r.exitCode === 0 && m ? Number(m[1]) : undefined;
}
