import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../sys/paths.js';

/** This tunform's version (package.json), what `--version` prints and `--host` compares with the remote's. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
