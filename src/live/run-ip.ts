import { execa } from 'execa';
import { backendError } from '../errors.js';

/** Runs `ip [-n NS] ARGS` and returns stdout, turning every failure into a sentence. */
export async function runIp(args: readonly string[], netns?: string): Promise<string> {
  const argv = netns === undefined ? [...args] : ['-n', netns, ...args];
  const command = `ip ${argv.join(' ')}`;
  let result;
  try {
    result = await execa('ip', argv, { reject: false, stripFinalNewline: false, env: { LC_ALL: 'C' } });
  } catch (e) {
    throw backendError(`cannot run '${command}': ${(e as Error).message}`, { cause: e });
  }
  if ((result as { code?: string }).code === 'ENOENT') {
    throw backendError("cannot run 'ip': not found; install iproute2");
  }
  if (result.failed) {
    const stderr = String(result.stderr ?? '').trim();
    throw backendError(`'${command}' failed${stderr ? `: ${stderr}` : ` (exit ${result.exitCode ?? 'unknown'})`}`, {
      details: [netns === undefined ? 'check that iproute2 works here' : `check the namespace with 'ip netns list'`],
    });
  }
  return String(result.stdout);
}
