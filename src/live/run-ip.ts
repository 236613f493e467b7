import { runCommand } from './run-command.js';
import { backendError, permissionError } from '../errors.js';

/** Runs `ip [-n NS] ARGS` and returns stdout, turning every failure into a sentence. */
export async function runIp(args: readonly string[], netns?: string): Promise<string> {
  const argv = netns === undefined ? [...args] : ['-n', netns, ...args];
  const command = `ip ${argv.join(' ')}`;
  const result = await runCommand('ip', argv, { env: { LC_ALL: 'C' } });
  if (result.spawnError?.code === 'ENOENT') {
    throw backendError("cannot run 'ip': not found; install iproute2");
  }
  if (result.spawnError) {
    throw backendError(`cannot run '${command}': ${result.spawnError.message}`, { cause: result.spawnError });
  }
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr ?? '').trim();
    // Entering a named namespace (`ip -n`) needs CAP_SYS_ADMIN, even to read.
    if (netns !== undefined && /Operation not permitted|Permission denied/.test(stderr)) {
      throw permissionError(`reading network namespace '${netns}' needs root: '${command}' failed: ${stderr}`, [
        `run as root, or run tunform without --netns from a process that is already inside the namespace`,
      ]);
    }
    throw backendError(`'${command}' failed${stderr ? `: ${stderr}` : ` (exit ${result.exitCode ?? 'unknown'})`}`, {
      details: [netns === undefined ? 'check that iproute2 works here' : `check the namespace with 'ip netns list'`],
    });
  }
  return String(result.stdout);
}
