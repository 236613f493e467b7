import { runCommand } from '../live/run-command.js';
import { backendError } from '../errors.js';

export interface BatchOutcome {
  /** Number of leading lines that succeeded. */
  readonly succeeded: number;
  /** The failing line's index (0-based) and ip's message, when a line failed. */
  readonly failure?: { readonly index: number; readonly message: string };
}

/**
 * Runs every netlink change of a run through one `ip -batch -` process: one
 * fork and exec for the whole run instead of one per operation. ip stops at
 * the first failing line and names it (`Command failed -:N`), which tells us
 * exactly which lines ran.
 */
export async function runIpBatch(lines: readonly string[], netns?: string): Promise<BatchOutcome> {
  if (lines.length === 0) return { succeeded: 0 };
  const args = [...(netns ? ['-n', netns] : []), '-batch', '-'];
  const result = await runCommand('ip', args, { input: lines.join('\n') + '\n', env: { LC_ALL: 'C' } });
  if (result.spawnError?.code === 'ENOENT') throw backendError("cannot run 'ip': not found; install iproute2");
  if (result.spawnError) throw backendError(`cannot run 'ip': ${result.spawnError.message}`, { cause: result.spawnError });
  if (result.exitCode === 0) return { succeeded: lines.length };
  const stderr = String(result.stderr ?? '');
  const m = /Command failed -:(\d+)/.exec(stderr);
  if (!m) throw backendError(`'ip -batch' failed without naming a line: ${stderr.trim() || `exit ${result.exitCode}`}`);
  const index = Number(m[1]) - 1;
  const message = stderr
    .split('\n')
    .filter((l) => !l.startsWith('Command failed'))
    .join(' ')
    .trim();
  return { succeeded: index, failure: { index, message: message || 'failed' } };
}
