/**
 * A setuid copy of tunform-helper for tests: built with a test ACL path,
 * installed root-owned mode 4755 in a temp directory on a mount without
 * nosuid, run as `setpriv --reuid=nobody --regid=nogroup --clear-groups`.
 * The ACL lives apart, under /run: the helper refuses an ACL below any
 * directory others can write, and /tmp is one.
 * Shared by test/integration/setuid*.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/sys/paths.js';
import { ipn, isRoot } from './netns.js';

/** setpriv as nobody: no groups, no inheritable capabilities. */
export const NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all'];
export const NOBODY_UID = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
export const NOGROUP_GID = Number(execFileSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).split(':')[2]);

/** Why setuid tests cannot run with files under dir, or undefined. */
export function setuidSkipReason(dir: string): string | undefined {
  if (!isRoot()) return 'needs root (installs a setuid copy and creates namespaces)';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv (util-linux) is missing';
  const opts = execFileSync('findmnt', ['-n', '-o', 'OPTIONS', '-T', dir], { encoding: 'utf8' }).trim();
  if (opts.split(',').includes('nosuid')) return `${dir} is on a nosuid mount (${opts}): setuid cannot work there`;
  return undefined;
}

/**
 * A new temp directory (0755) whose every ancestor is root's and writable by
 * root only, as the helper requires above its ACL: under /run, not /tmp.
 */
export function rootOnlyTempDir(prefix: string): string {
  const dir = mkdtempSync(join('/run', prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export interface SetuidHelper {
  /** The temp directory (0755, root's): the binary and build files. */
  readonly dir: string;
  /** The ACL's temp directory (0755, root's, under /run); the ACL is in its `etc` (0755). */
  readonly aclRoot: string;
  /** The setuid-root copy. */
  readonly helper: string;
  /** The ACL path compiled into the copy. */
  readonly acl: string;
  /** Why the setuid tests must be skipped here, or undefined. */
  readonly skip: string | undefined;
  writeAcl(text: string, mode?: number): void;
  /** Removes the temp directory. */
  cleanup(): void;
}

/**
 * Builds and installs the copy (unless the suite must be skipped; then only
 * `skip` and `cleanup` are meaningful). /tmp is checked, not assumed: the
 * skip reason names the mount when it is nosuid. Under CI=true a reason to
 * skip throws instead, so the suite fails rather than skips. clientIdleMs
 * shortens the holder's idle-client timeout so a test can wait it out.
 */
export function installSetuidHelper(acl = '', opts: { readonly clientIdleMs?: number } = {}): SetuidHelper {
  const dir = mkdtempSync('/tmp/tunform-suid-');
  const skip = setuidSkipReason(dir);
  // In CI a missing prerequisite is a failure: the suite must not pass by skipping its attacks.
  if (skip && process.env.CI === 'true') {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`setuid tests cannot run under CI=true: ${skip}`);
  }
  const aclRoot = skip ? dir : rootOnlyTempDir('tunform-suid-acl-');
  if (!skip) {
    mkdirSync(join(aclRoot, 'etc'));
    chmodSync(join(aclRoot, 'etc'), 0o755);
  }
  const aclPath = join(aclRoot, 'etc', 'helper.acl');
  const helper = join(dir, 'tunform-helper');
  const writeAcl = (text: string, mode = 0o644): void => {
    writeFileSync(aclPath, text);
    chmodSync(aclPath, mode);
  };
  const cleanup = (): void => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(aclRoot, { recursive: true, force: true });
  };
  const h: SetuidHelper = { dir, aclRoot, helper, acl: aclPath, skip, writeAcl, cleanup };
  if (skip) return h;
  chmodSync(dir, 0o755); // nobody must reach the binary; the ACL's directory must not be writable by others
  const idle = opts.clientIdleMs !== undefined ? [`CLIENT_IDLE_MS=${opts.clientIdleMs}`] : [];
  execFileSync('make', ['-s', '-C', join(packageRoot(), 'helper'), `BUILD=${join(dir, 'build')}`, `ACL_PATH=${aclPath}`, ...idle], { stdio: 'pipe' });
  execFileSync('install', ['-o', 'root', '-g', 'root', '-m', '4755', join(dir, 'build', 'tunform-helper'), helper]);
  writeAcl(acl);
  return h;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs argv as nobody (argv[0] resolved by setpriv through PATH). */
export function runAsNobody(argv: readonly string[], input = '', env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): Run {
  const r = spawnSync(NOBODY[0]!, [...NOBODY.slice(1), ...argv], { input, encoding: 'utf8', env });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Link names in a namespace, sorted. */
export const linkNames = (ns: string): string[] =>
  (JSON.parse(ipn(ns, '-j', 'link', 'show')) as { ifname: string }[]).map((l) => l.ifname).sort();
