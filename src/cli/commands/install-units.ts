/**
 * `tunform install-units [--prefix DIR]`: installs tunform's systemd units
 * (docs/boot.md) into PREFIX/lib/systemd/system, filled in with this node,
 * this package's CLI and the helper (the installed setuid one when there is
 * one). It does not enable them: it prints the commands that do.
 *
 * systemd runs those paths as root at every boot, so each program the units
 * start, and each file the CLI loads, must be root's alone, as must every
 * directory above them (src/sys/root-only.ts): otherwise whoever could write
 * one would choose what root runs. The command refuses before writing
 * anything, naming the first path that is not.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { backendError, invalidInput, permissionError } from '../../errors.js';
import { helperPath, INSTALLED_HELPER_PATHS, isSetuidRoot, packageRoot } from '../../sys/paths.js';
import { notRootOnly } from '../../sys/root-only.js';
import { renderUnit, UNIT_NAMES, unitDir } from '../../boot/units.js';
import type { Io } from '../io.js';

export interface InstallUnitsOptions {
  readonly prefix?: string;
  readonly configDir?: string;
  readonly json?: boolean;
}

export const UNITS_PREFIX_DEFAULT = '/usr/local';

function absolute(option: string, p: string): string {
  // systemd splits ExecStart= on whitespace and expands '%' and '$': keep paths plain.
  if (!isAbsolute(p) || /[\s"'\\$%`]/.test(p)) {
    throw invalidInput(`'${option}' must be an absolute path without spaces, quotes, '%' or '$': ${JSON.stringify(p)}`);
  }
  return p;
}

/** What the CLI's ExecStart loads besides node: the launcher and the bundle it reads (bin/load-bundle.cjs). */
const CLI_FILES = ['bin/tunform.js', 'bin/load-bundle.cjs', 'dist/tunform.cjs', 'dist/tunform.cjs.cache'] as const;

/**
 * The helper the holder units run: $TUNFORM_HELPER when set, else the
 * installed setuid helper (root's, outside any project, and what
 * install-helper restarts holders onto), else the one beside this CLI.
 */
function unitHelper(): string {
  if (process.env.TUNFORM_HELPER) return process.env.TUNFORM_HELPER;
  return INSTALLED_HELPER_PATHS.find(isSetuidRoot) ?? helperPath();
}

/** Throws naming the first path systemd would run as root that someone other than root could change. */
function checkRootOnly(paths: readonly string[]): void {
  for (const p of paths) {
    const why = notRootOnly(p);
    if (why) {
      throw permissionError(`refusing to install units that make systemd run ${p} as root: ${why}; nothing was installed`, [
        'whoever can change that file, or rename an entry in a directory above it, would choose what root runs at every boot',
        "install tunform where only root can write (for example 'npm install -g' as root) and run install-units from there; for the helper, 'tunform install-helper' installs one that only root can change",
      ]);
    }
  }
}

export async function runInstallUnits(opts: InstallUnitsOptions, io: Io): Promise<number> {
  const prefix = absolute('--prefix', opts.prefix ?? UNITS_PREFIX_DEFAULT);
  const configDir = opts.configDir !== undefined ? absolute('--config-dir', opts.configDir) : undefined;
  const root = packageRoot();
  const values = { node: absolute('node', process.execPath), cli: absolute('cli', join(root, 'bin', 'tunform.js')), helper: absolute('helper', unitHelper()), ...(configDir ? { configDir } : {}) };
  checkRootOnly([values.node, ...CLI_FILES.map((f) => join(root, f)), values.helper]);
  const dir = unitDir(prefix);
  const written: string[] = [];
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    for (const name of UNIT_NAMES) {
      const text = renderUnit(await readFile(join(root, 'systemd', `${name}.in`), 'utf8'), values);
      const target = join(dir, name);
      // Write then rename: systemd never reads a half-written unit.
      await writeFile(`${target}.tmp`, text, { mode: 0o644 });
      await rename(`${target}.tmp`, target);
      written.push(target);
    }
  } catch (e) {
    const done = [written.length ? `installed: ${written.join(', ')}` : 'nothing was installed'];
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw permissionError(`install-units cannot write to ${dir} (run as root, or pass '--prefix DIR')`, done);
    }
    throw backendError(`installing the units into ${dir} failed: ${(e as Error).message}`, {
      details: done,
      cause: e,
    });
  }
  io.out(`Installed ${written.join(', ')}.\nEnable them with: systemctl daemon-reload && systemctl enable tunform.service (and tunform-holder.service, or tunform-holder@NETNS.service, to have systemd run the holders)\n`);
  return 0;
}
