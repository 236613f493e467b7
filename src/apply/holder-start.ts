/**
 * Starting the namespace's holder, and the request lines that change what it
 * holds. The connection itself is src/sys/holder-session.ts.
 */
import { runCommand } from '../sys/run-command.js';
import { backendError, permissionError } from '../errors.js';
import { HELPER_EXIT_DENIED, requireHelper, netnsArgs } from '../sys/paths.js';
import { formatFlags, type DeviceFlags } from './helper-client.js';
import { chooseHolderStart, holderUnit } from '../boot/holder-start-mode.js';
import { readHolderStartFacts, systemctlStart } from '../sys/systemd.js';

export interface HolderInfo {
  readonly pid: number;
  /** The unit systemd started it as, when it went through systemctl. */
  readonly unit?: string;
  /** Why `systemctl start` failed, when the direct start had to stand in. */
  readonly systemdFailed?: string;
}

/**
 * Runs `tunform-helper [--netns NS] holder`: returns once the holder listens.
 * Called before the run's first change, so a failure here has changed nothing.
 */
export async function ensureHolder(netns?: string): Promise<HolderInfo> {
  const bin = requireHelper();
  const { unit, file } = holderUnit(netns);
  const mode = chooseHolderStart(netns, readHolderStartFacts([file, unit]));
  let systemdFailed: string | undefined;
  if (mode.kind === 'systemd') {
    // systemd starts it as the unit (supervised, fd store); the helper's `holder` below then only reaches it and reports its pid.
    // If the unit fails (a direct holder from before install-units holds the namespace's lock), that holder still serves the run.
    const r = await systemctlStart(mode.unit);
    if (!r.ok) systemdFailed = `systemctl start ${mode.unit}: ${r.why}`;
  }
  // The daemon lets go of its pipes before it reports ready, so the run ends promptly.
  const { stdout, stderr, exitCode: code, spawnError: error } = await runCommand(bin, [...netnsArgs(netns), 'holder']);
  if (error) throw backendError(`cannot run the helper ${bin}: ${error.message}`, { cause: error });
  const m = /^ok holder (\d+)$/m.exec(stdout);
  if (code !== 0 || !m) {
    const why = stderr.trim().replace(/^tunform-helper: /, '') || `helper exited with status ${code}`;
    const sd = systemdFailed ? ` (and ${systemdFailed})` : '';
    if (code === HELPER_EXIT_DENIED) throw permissionError(`not allowed to start the holder${netns ? ` for namespace '${netns}'` : ''}: ${why}; nothing was changed`);
    throw backendError(`cannot start or reach the holder${netns ? ` for namespace '${netns}'` : ''}: ${why}${sd}; nothing was changed`);
  }
  return {
    pid: Number(m[1]),
    ...(mode.kind === 'systemd' && !systemdFailed ? { unit: mode.unit } : {}),
    ...(systemdFailed ? { systemdFailed } : {}),
  };
}

/** `hold NAME MODE FLAGS` for a device. */
export const holdLine = (name: string, f: DeviceFlags): string => `hold ${name} ${f.mode} ${formatFlags(f)}`;
export const releaseLine = (name: string): string => `release ${name}`;
