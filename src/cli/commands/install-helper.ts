/**
 * `tunform install-helper [--prefix P] [--destdir D]`: installs the setuid
 * helper (root, mode 4755) at P/libexec/tunform/tunform-helper and an example
 * ACL (deny everything) at the compiled-in ACL path when none exists, by
 * running `make -C helper install` from the package. Needs root. The ACL path
 * is fixed when the helper is built; this command does not change it.
 */
import { isAbsolute, join } from 'node:path';
import { backendError, invalidInput, permissionError } from '../../errors.js';
import { installedHelperPath, packageRoot } from '../../sys/paths.js';
import { runCommand } from '../../sys/run-command.js';
import type { Io } from '../io.js';
import { restartRunningHolders } from '../../apply/holder-restart.js';
import { reportHolderRestarts } from './holder.js';

export interface InstallHelperOptions {
  /** Install prefix (default /usr/local). */
  readonly prefix?: string;
  /** Staging root for packagers (make's DESTDIR). */
  readonly destdir?: string;
  /** Accepted for the CLI's common error handling; the output is text. */
  readonly json?: boolean;
}

function checkPath(what: string, p: string): string {
  if (!isAbsolute(p) || /[\s"'\\$`]/.test(p)) {
    throw invalidInput(`--${what} must be an absolute path without spaces, quotes or '$': ${JSON.stringify(p)}`);
  }
  return p;
}

export async function runInstallHelper(opts: InstallHelperOptions, io: Io): Promise<number> {
  const prefix = checkPath('prefix', opts.prefix ?? '/usr/local');
  const destdir = opts.destdir !== undefined ? checkPath('destdir', opts.destdir) : undefined;
  if (process.getuid?.() !== 0) {
    throw permissionError('install-helper must run as root: it installs a setuid-root binary; nothing was changed');
  }
  const helperDir = join(packageRoot(), 'helper');
  const args = ['-s', '-C', helperDir, 'install', `PREFIX=${prefix}`, ...(destdir !== undefined ? [`DESTDIR=${destdir}`] : [])];
  const { exitCode: code, stdout: out, stderr: err, spawnError } = await runCommand('make', args);
  if (spawnError) throw backendError(`cannot run make: ${spawnError.message}`, { cause: spawnError });
  if (out) io.out(out);
  if (code !== 0) {
    throw backendError(`installing the helper failed (make exited with status ${code})`, { details: err.trim() ? err.trim().split('\n') : [] });
  }
  const installed = join(destdir ?? '/', installedHelperPath(prefix));
  io.out(
    `Installed the setuid helper at ${installed}.\n` +
      'Users get access through its ACL (see docs/helper-acl.md); until an administrator adds allow lines, it denies everything.\n',
  );
  // A staged install (--destdir) is not the binary this machine runs: running holders stay as they are.
  if (destdir === undefined) reportHolderRestarts(await restartRunningHolders(installed), installed, io);
  else io.out('A staged install (--destdir): running holders were not restarted.\n');
  return 0;
}
