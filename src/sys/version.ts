import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.js';

/** Set by the bundler (scripts/bundle-cli.mjs); absent when the compiled modules run unbundled. */
declare const __TUNFORM_PACKAGE_VERSION__: string | undefined;

/** This tunform's version (package.json), what `--version` prints and `--host` compares with the remote's. */
export function packageVersion(): string {
  if (typeof __TUNFORM_PACKAGE_VERSION__ === 'string') return __TUNFORM_PACKAGE_VERSION__;
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
