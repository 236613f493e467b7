/**
 * Where tunform's helper binary and runtime files live. The compiled code runs
 * from dist/src/sys/ and the sources from src/sys/ (vitest), so the package
 * root is found by walking up from this module to the directory holding
 * package.json, not by a fixed number of `..`.
 */
import { backendError } from '../errors.js';
import { CAP_NET_ADMIN, hasCapability } from './capabilities.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of tunform's runtime state; the C helper uses the same constant. */
export const RUN_DIR = '/run/tunform';

let cachedRoot: string | undefined;

export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Where `make -C helper install` (and `tunform install-helper`) put the setuid helper, by prefix. */
export const INSTALLED_HELPER_PATHS: readonly string[] = [
  '/usr/local/libexec/tunform/tunform-helper',
  '/usr/libexec/tunform/tunform-helper',
];

/** The setuid helper's path under an install prefix. */
export const installedHelperPath = (prefix: string): string => join(prefix, 'libexec', 'tunform', 'tunform-helper');

/** Whether path is a regular file owned by root with the setuid bit: the helper's setuid mode. */
export function isSetuidRoot(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && st.uid === 0 && (st.mode & 0o4000) !== 0;
  } catch {
    return false;
  }
}

/**
 * The helper beside the running code: the provider plugin's folder, where
 * `tunform install-provider` copies it (that folder is all Terraform's lock
 * hash covers, and no package.json is above it).
 */
const helperBesideCode = (): string => join(dirname(fileURLToPath(import.meta.url)), 'tunform-helper');

/**
 * The helper binary: $TUNFORM_HELPER when set; otherwise, for a process
 * without CAP_NET_ADMIN, an installed setuid helper when there is one (the
 * unprivileged path, see docs/SECURITY.md); otherwise the one beside the
 * running code (an installed provider plugin); otherwise
 * helper/build/tunform-helper in the package (compiled when the package is
 * installed); otherwise, when that was not built (no gcc where it was
 * installed), an installed helper, which root runs like its own.
 */
export function helperPath(): string {
  const override = process.env.TUNFORM_HELPER;
  if (override) return override;
  if (!hasCapability(CAP_NET_ADMIN)) {
    const installed = INSTALLED_HELPER_PATHS.find(isSetuidRoot);
    if (installed) return installed;
  }
  const beside = helperBesideCode();
  if (existsSync(beside)) return beside;
  const own = join(packageRoot(), 'helper', 'build', 'tunform-helper');
  if (existsSync(own)) return own;
  return INSTALLED_HELPER_PATHS.find((p) => existsSync(p)) ?? own;
}

/**
 * helperPath(), compiling the package's own helper on first use when it is
 * missing: npm skips a dependency's install script unless the project allows
 * it, so the build at install time may not have run. The build is
 * scripts/build-helper.cjs, the same program npm's install step runs, which
 * says what to do when gcc or make is missing; its words end up in the error.
 */
export function requireHelper(): string {
  const bin = helperPath();
  if (existsSync(bin)) return bin;
  const root = packageRoot();
  const own = join(root, 'helper', 'build', 'tunform-helper');
  const script = join(root, 'scripts', 'build-helper.cjs');
  let why: string[] = [];
  if (bin === own && existsSync(script)) {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: HELPER_BUILD_TIMEOUT_MS });
    if (existsSync(own)) return own;
    why = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => l.trim() !== '');
  }
  throw backendError(`the helper ${bin} does not exist and could not be built`, {
    details: [
      ...(process.env.TUNFORM_HELPER ? ['TUNFORM_HELPER names it: unset it or point it at a built helper'] : []),
      ...why,
      `to build it by hand: install gcc and make, then run 'make -C ${join(root, 'helper')}'`,
      `or have an administrator install one: 'tunform install-helper' puts it at ${INSTALLED_HELPER_PATHS[0]}`,
    ],
  });
}

/** Compiling the helper takes a few seconds; a wedged compiler must not hang the CLI. */
const HELPER_BUILD_TIMEOUT_MS = 120_000;

/** The helper's exit status when its ACL refuses the caller the namespace (dump, lock, holder start): helper/src/helper.h EXIT_DENIED. */
export const HELPER_EXIT_DENIED = 3;

/**
 * Whether changes must go through the setuid helper: this process lacks
 * CAP_NET_ADMIN (so `ip -batch` would fail) and the helper it would run is
 * setuid root (so the helper can do them, as the ACL allows).
 */
export function useSetuidHelper(): boolean {
  return !hasCapability(CAP_NET_ADMIN) && isSetuidRoot(helperPath());
}

/**
 * Per-namespace runtime directory: /run/tunform/netns/NAME, or for the
 * namespace this process is in /run/tunform/self-DEV-INO, keyed by the
 * namespace's identity (nsfs device and inode) exactly as the helper computes
 * it (helper/src/netns.c, run_dir): /run is shared by every namespace, so a
 * plain `self` would give every `ip netns exec` the same holder and lock.
 */
export function runDir(netns?: string): string {
  if (netns !== undefined) return join(RUN_DIR, 'netns', netns);
  const st = statSync('/proc/self/ns/net');
  return join(RUN_DIR, `self-${st.dev}-${st.ino}`);
}

export const holderSocketPath = (netns?: string): string => join(runDir(netns), 'holder.sock');
export const applyLockPath = (netns?: string): string => join(runDir(netns), 'apply.lock');

/** `--netns NAME` for the helper's command line, or nothing. */
export const netnsArgs = (netns?: string): string[] => (netns === undefined ? [] : ['--netns', netns]);
