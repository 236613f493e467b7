/**
 * Starting the namespace's holder, and the request lines that change what it
 * holds. The connection itself is src/sys/holder-session.ts.
 */
import { runCommand } from '../sys/run-command.js';
import { backendError } from '../errors.js';
import { requireHelper, netnsArgs } from '../sys/paths.js';
import { formatFlags, type DeviceFlags } from './helper-client.js';

export interface HolderInfo {
  readonly pid: number;
}

/**
 * Runs `tunform-helper [--netns NS] holder`: returns once the holder listens.
 * Called before the run's first change, so a failure here has changed nothing.
 */
export async function ensureHolder(netns?: string): Promise<HolderInfo> {
  const bin = requireHelper();
  // The daemon lets go of its pipes before it reports ready, so the run ends promptly.
  const { stdout, stderr, exitCode: code, spawnError: error } = await runCommand(bin, [...netnsArgs(netns), 'holder']);
  if (error) throw backendError(`cannot run the helper ${bin}: ${error.message}`, { cause: error });
  const m = /^ok holder (\d+)$/m.exec(stdout);
  if (code !== 0 || !m) {
    const why = stderr.trim().replace(/^tunform-helper: /, '') || `helper exited with status ${code}`;
    throw backendError(`cannot start or reach the holder${netns ? ` for namespace '${netns}'` : ''}: ${why}; nothing was changed`);
  }
  return { pid: Number(m[1]) };
}

/** `hold NAME MODE FLAGS` for a device. */
export const holdLine = (name: string, f: DeviceFlags): string => `hold ${name} ${f.mode} ${formatFlags(f)}`;
export const releaseLine = (name: string): string => `release ${name}`;
