/**
 * Where tunform's helper binary and runtime files live. The compiled code runs
 * from dist/src/apply/ and the sources from src/apply/ (vitest), so the package
 * root is found by walking up from this module to the directory holding
 * package.json, not by a fixed number of `..`.
 */
import { existsSync } from 'node:fs';
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

/** helper/build/tunform-helper in the package, or $TUNFORM_HELPER when set. */
export function helperPath(): string {
  const override = process.env.TUNFORM_HELPER;
  if (override) return override;
  return join(packageRoot(), 'helper', 'build', 'tunform-helper');
}

/** Per-namespace runtime directory: /run/tunform/netns/NAME, or /run/tunform/self. */
export function runDir(netns?: string): string {
  return netns === undefined ? join(RUN_DIR, 'self') : join(RUN_DIR, 'netns', netns);
}

export const holderSocketPath = (netns?: string): string => join(runDir(netns), 'holder.sock');
export const applyLockPath = (netns?: string): string => join(runDir(netns), 'apply.lock');

/** `--netns NAME` for the helper's command line, or nothing. */
export const netnsArgs = (netns?: string): string[] => (netns === undefined ? [] : ['--netns', netns]);
