import { backendError } from '../errors.js';
import { startCommand } from '../sys/run-command.js';

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
  const batch = startIpBatch(netns);
  for (const line of lines) batch.write(line);
  return batch.finish();
}

export interface IpBatchStream {
  /** Queues one line; lines run in the order written. */
  write(line: string): void;
  /** Closes ip's input and waits for it; `succeeded` counts written lines. */
  finish(): Promise<BatchOutcome>;
}

/**
 * The same single `ip -batch -` process, fed while other work still runs:
 * lines are written as the devices they need come into being, so creating
 * devices and configuring the first ones overlap.
 */
export function startIpBatch(netns?: string): IpBatchStream {
  const args = [...(netns ? ['-n', netns] : []), '-batch', '-'];
  const ip = startCommand('ip', args, { env: { LC_ALL: 'C' } });
  let written = 0;
  return {
    write(line) {
      written++;
      // ip exits at its first failing line; later writes meet a closed pipe and are reported as not done.
      ip.write(line + '\n');
    },
    async finish() {
      ip.end();
      const { exitCode: code, stderr, spawnError } = await ip.result;
      if (spawnError?.code === 'ENOENT') throw backendError("cannot run 'ip': not found; install iproute2");
      if (spawnError) throw backendError(`cannot run 'ip': ${spawnError.message}`, { cause: spawnError });
      if (code === 0) return { succeeded: written };
      const m = /Command failed -:(\d+)/.exec(stderr);
      if (!m) throw backendError(`'ip -batch' failed without naming a line: ${stderr.trim() || `exit ${code}`}`);
      const index = Number(m[1]) - 1;
      const message = stderr
        .split('\n')
        .filter((l) => !l.startsWith('Command failed'))
        .join(' ')
        .trim();
      return { succeeded: index, failure: { index, message: message || 'failed' } };
    },
  };
}
