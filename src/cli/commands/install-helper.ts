/**
 * `tunform install-helper [--prefix P] [--destdir D]`: installs the setuid
 * helper (root, mode 4755) at P/libexec/tunform/tunform-helper and an example
 * ACL (deny everything) at the compiled-in ACL path when none exists. Needs
 * root. The ACL path is fixed when the helper is built; this command does not
 * change it.
 *
 * Root builds a setuid-root binary here, so whoever can write the package's
 * helper sources, its Makefile (whose recipes root runs) or any directory
 * above them could choose what runs as root. The command therefore refuses
 * unless helper/ and every file and directory the build reads are root's and
 * writable by nobody else, and so is every directory above helper/ up to /
 * (one others may write only when sticky, like /tmp: then nobody else can
 * rename the root-owned entry below it). It then copies those files into a
 * fresh root-only directory and builds there from source: a binary already in
 * the package (helper/build/) is never installed. After installing (not
 * staged with --destdir) every running holder is restarted onto the new binary.
 */
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { backendError, invalidInput, permissionError } from '../../errors.js';
import { installedHelperPath, packageRoot } from '../../sys/paths.js';
import { notRootOnly, unsafeEntry } from '../../sys/root-only.js';
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

/** What the build reads, relative to the package's helper/ (the Makefile builds every src/*.c). */
const BUILD_INPUTS = ['Makefile', 'helper.acl.example', 'src'] as const;

function checkPath(what: string, p: string): string {
  if (!isAbsolute(p) || /[\s"'\\$`]/.test(p)) {
    throw invalidInput(`--${what} must be an absolute path without spaces, quotes or '$': ${JSON.stringify(p)}`);
  }
  return p;
}

/** helper/'s real path and the files of the build inputs under it, each checked; throws naming the first unsafe one. */
function safeBuildInputs(helperDir: string): { real: string; files: string[] } {
  const refuse = (why: string): never => {
    throw permissionError(`refusing to build the setuid helper from ${helperDir}: ${why}; nothing was installed`, [
      'whoever can write the helper sources, its Makefile or a directory above them could choose what root installs setuid',
      'install tunform where only root can write (for example npm install -g as root), or copy the package to such a directory, and run install-helper from there',
    ]);
  };
  // helper/ and every directory from / down to it (symlinks resolved: what matters is the real path, each of whose parts is checked).
  const why = notRootOnly(helperDir);
  if (why) refuse(why);
  const real = realpathSync(helperDir);
  const files: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(real, rel);
    const why = unsafeEntry(abs);
    if (why) refuse(why);
    if (lstatSync(abs).isDirectory()) for (const name of readdirSync(abs).sort()) walk(join(rel, name));
    else files.push(rel);
  };
  for (const input of BUILD_INPUTS) walk(input);
  return { real, files };
}

export async function runInstallHelper(opts: InstallHelperOptions, io: Io): Promise<number> {
  const prefix = checkPath('prefix', opts.prefix ?? '/usr/local');
  const destdir = opts.destdir !== undefined ? checkPath('destdir', opts.destdir) : undefined;
  if (process.getuid?.() !== 0) {
    throw permissionError('install-helper must run as root: it installs a setuid-root binary; nothing was changed');
  }
  const helperDir = join(packageRoot(), 'helper');
  const { real, files } = safeBuildInputs(helperDir);
  // A fresh root-only copy: nothing can change under the build, and no prebuilt object or binary comes along.
  const work = mkdtempSync(join(tmpdir(), 'tunform-install-helper-'));
  try {
    for (const rel of files) {
      mkdirSync(dirname(join(work, rel)), { recursive: true, mode: 0o700 });
      copyFileSync(join(real, rel), join(work, rel));
    }
    const args = ['-s', '-C', work, 'install', `PREFIX=${prefix}`, ...(destdir !== undefined ? [`DESTDIR=${destdir}`] : [])];
    const { exitCode: code, stdout: out, stderr: err, spawnError } = await runCommand('make', args);
    if (spawnError) throw backendError(`cannot run make: ${spawnError.message}`, { cause: spawnError });
    if (out) io.out(out);
    if (code !== 0) {
      throw backendError(`installing the helper failed (make exited with status ${code})`, { details: err.trim() ? err.trim().split('\n') : [] });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const installed = join(destdir ?? '/', installedHelperPath(prefix));
  io.out(
    `Built the setuid helper from ${helperDir} and installed it at ${installed}.\n` +
      'Users get access through its ACL (see docs/helper-acl.md); until an administrator adds allow lines, it denies everything.\n',
  );
  // A staged install (--destdir) is not the binary this machine runs: running holders stay as they are.
  if (destdir === undefined) reportHolderRestarts(await restartRunningHolders(installed), installed, io);
  else io.out('A staged install (--destdir): running holders were not restarted.\n');
  return 0;
}
