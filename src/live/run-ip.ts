import { runCommand } from '../sys/run-command.js';
import { backendError, permissionError } from '../errors.js';
import { CAP_SYS_ADMIN, hasCapability } from '../sys/capabilities.js';
import { helperPath, useSetuidHelper } from '../sys/paths.js';

/** The two dumps the live reader takes, by the names the helper's `dump` knows them. */
const HELPER_DUMPS: ReadonlyMap<string, string> = new Map([
  ['-d -j link show', 'links'],
  ['-j addr show', 'addrs'],
]);

/**
 * Entering a named namespace (`ip -n`) needs CAP_SYS_ADMIN, even to read. A
 * user without it who has the setuid helper reads through `tunform-helper
 * --netns NS dump`, which enters the namespace and runs ip as that user.
 */
function viaHelper(args: readonly string[], netns: string | undefined): { file: string; argv: string[] } | undefined {
  const dump = HELPER_DUMPS.get(args.join(' '));
  if (netns === undefined || dump === undefined || hasCapability(CAP_SYS_ADMIN) || !useSetuidHelper()) return undefined;
  return { file: helperPath(), argv: ['--netns', netns, 'dump', dump] };
}

/** Runs `ip [-n NS] ARGS` and returns stdout, turning every failure into a sentence. */
export async function runIp(args: readonly string[], netns?: string): Promise<string> {
  const helper = viaHelper(args, netns);
  const argv = netns === undefined ? [...args] : ['-n', netns, ...args];
  const command = helper ? `${helper.file} ${helper.argv.join(' ')}` : `ip ${argv.join(' ')}`;
  const result = helper ? await runCommand(helper.file, helper.argv) : await runCommand('ip', argv, { env: { LC_ALL: 'C' } });
  if (result.spawnError?.code === 'ENOENT') {
    throw backendError(helper ? `cannot run the helper ${helper.file}: not found` : "cannot run 'ip': not found; install iproute2");
  }
  if (result.spawnError) {
    throw backendError(`cannot run '${command}': ${result.spawnError.message}`, { cause: result.spawnError });
  }
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr ?? '').trim();
    // Entering a named namespace (`ip -n`) needs CAP_SYS_ADMIN, even to read.
    if (netns !== undefined && /Operation not permitted|Permission denied|not permitted/.test(stderr)) {
      throw permissionError(`reading network namespace '${netns}' needs root or the setuid helper's permission: '${command}' failed: ${stderr}`, [
        'run as root, ask for a rule in the setuid helper ACL that applies in that namespace, or run tunform without --netns from a process already inside it',
      ]);
    }
    throw backendError(`'${command}' failed${stderr ? `: ${stderr}` : ` (exit ${result.exitCode ?? 'unknown'})`}`, {
      details: [netns === undefined ? 'check that iproute2 works here' : `check the namespace with 'ip netns list'`],
    });
  }
  return String(result.stdout);
}
