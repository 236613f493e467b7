/**
 * `tunform install-units [--prefix DIR]`: installs tunform's systemd units
 * (docs/boot.md) into PREFIX/lib/systemd/system, filled in with this node and
 * this package's CLI. It does not enable them: it prints the commands that do.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { backendError, invalidInput, permissionError } from '../../errors.js';
import { helperPath, packageRoot } from '../../sys/paths.js';
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

export async function runInstallUnits(opts: InstallUnitsOptions, io: Io): Promise<number> {
  const prefix = absolute('--prefix', opts.prefix ?? UNITS_PREFIX_DEFAULT);
  const configDir = opts.configDir !== undefined ? absolute('--config-dir', opts.configDir) : undefined;
  const root = packageRoot();
  const values = { node: absolute('node', process.execPath), cli: absolute('cli', join(root, 'bin', 'tunform.js')), helper: absolute('helper', helperPath()), ...(configDir ? { configDir } : {}) };
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
