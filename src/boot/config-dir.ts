/**
 * The boot configuration directory (docs/boot.md): every spec in it is
 * applied by `tunform apply-all`, which the tunform.service unit runs early in
 * boot. Layout, in the order applied:
 *
 *   DIR/*.yaml, DIR/*.yml         spec files, by name
 *   DIR/stacks/NAME/cdk.tf.json   synthesized cdktf stacks, by NAME
 *
 * Anything else (helper.acl, README, dot files) is ignored.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const CONFIG_DIR_DEFAULT = '/etc/tunform';
/** Selects another directory; the unit sets it, so a test can run the unit's exact command on a temporary one. */
export const CONFIG_DIR_ENV = 'TUNFORM_CONFIG_DIR';
export const STACKS_SUBDIR = 'stacks';
const SPEC_FILE = /^[^.].*\.ya?ml$/;

export type ConfigSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'stack'; readonly path: string };

async function names(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** The specs in dir, in the order they are applied; undefined when dir does not exist. */
export async function listConfigSources(dir: string): Promise<ConfigSource[] | undefined> {
  const top = await names(dir);
  if (top === undefined) return undefined;
  const sources: ConfigSource[] = top.filter((n) => SPEC_FILE.test(n)).map((n) => ({ kind: 'file', path: join(dir, n) }));
  for (const n of (await names(join(dir, STACKS_SUBDIR))) ?? []) {
    const path = join(dir, STACKS_SUBDIR, n);
    if (!n.startsWith('.') && (await isDir(path))) sources.push({ kind: 'stack', path });
  }
  return sources;
}
