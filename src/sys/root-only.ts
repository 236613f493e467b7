/**
 * Whether only root can change what a path names: what install-helper checks
 * before root builds a setuid binary from the package, and install-units
 * before it writes a path into a unit that systemd runs as root. Whoever can
 * write the file, or rename an entry in any directory above it, chooses what
 * root runs.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, sep } from 'node:path';

/**
 * Why this one entry is not root's alone, or undefined: a symlink, not owned
 * by root, missing, or writable by group or others (allowed for a sticky
 * directory above the checked path, like /tmp: nobody else can rename the
 * root-owned entry below it).
 */
export function unsafeEntry(path: string, stickyAllowed = false): string | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    return `${path} cannot be examined (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  if (st.isSymbolicLink()) return `${path} is a symlink`;
  if (st.uid !== 0) return `${path} is owned by uid ${st.uid}, not root`;
  if ((st.mode & 0o022) !== 0 && !(stickyAllowed && st.isDirectory() && (st.mode & 0o1000) !== 0)) {
    return `${path} is writable by ${(st.mode & 0o002) !== 0 ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}

/**
 * Why only root cannot be sure of path, or undefined: path resolved through
 * its symlinks (the real path is what gets opened), the file itself, and
 * every directory above it up to /.
 */
export function notRootOnly(path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    return `${path} cannot be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const why = unsafeEntry(dir, true);
    if (why) return why;
    if (dir === sep) break;
  }
  return unsafeEntry(real);
}
