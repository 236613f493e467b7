/** This package's root directory and version, as the synthesized configuration refers to them. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of this package (the one whose package.json says "tunform"). */
export function tunformPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tunform') return dir;
      } catch {
        /* not ours; keep walking */
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the tunform package above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The package version: `tunform install-provider` installs the provider under it, so the constructs require exactly it. */
export function tunformVersion(): string {
  return (JSON.parse(readFileSync(join(tunformPackageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
