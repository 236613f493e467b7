/**
 * Where and how the provider plugin is installed for Terraform: the layout of
 * a local filesystem mirror (Terraform's "unpacked" layout), derived from the
 * source address in address.ts. The folder holds everything that runs,
 * because Terraform's lock-file hash covers that folder and nothing else.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PLUGIN_NAME, PROVIDER_HOSTNAME, PROVIDER_NAMESPACE, PROVIDER_SOURCE, PROVIDER_TYPE } from './address.js';

/** Terraform's implicit local mirror in the user's home, searched by `terraform init` without any configuration. */
export const defaultPluginDir = (): string => join(homedir(), '.terraform.d', 'plugins');

/** Terraform's names for Node's process.arch values (Go's GOARCH). */
const TERRAFORM_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

export function terraformPlatform(arch: string = process.arch): string {
  const goArch = TERRAFORM_ARCH[arch];
  if (goArch === undefined) throw new Error(`Terraform has no build for this CPU architecture (${arch}); supported: ${Object.keys(TERRAFORM_ARCH).join(', ')}`);
  return `linux_${goArch}`;
}

/** The folder Terraform looks in for this version: DIR/HOST/NAMESPACE/TYPE/VERSION/OS_ARCH. */
export const pluginFolder = (dir: string, version: string, platform = terraformPlatform()): string =>
  join(dir, PROVIDER_HOSTNAME, PROVIDER_NAMESPACE, PROVIDER_TYPE, version, platform);

/** The executable Terraform runs: terraform-provider-TYPE_vVERSION. */
export const pluginExecutableName = (version: string): string => `${PLUGIN_NAME}_v${version}`;

/** The plugin's node entry point in the folder. Terraform runs the first file named terraform-provider-TYPE*, so no other file may be. */
const ENTRY = 'start-plugin.cjs';

/** What is copied from the package into the folder (destination name -> package path). */
export const PLUGIN_FILES: Readonly<Record<string, string>> = {
  [ENTRY]: `bin/${PLUGIN_NAME}.cjs`,
  'load-bundle.cjs': 'bin/load-bundle.cjs',
  'tunform-provider.cjs': 'dist/tunform-provider.cjs',
  'tunform-provider.cjs.cache': 'dist/tunform-provider.cjs.cache',
  // src/sys/paths.ts looks for the helper beside the running bundle.
  'tunform-helper': 'helper/build/tunform-helper',
};

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The launcher Terraform executes. It runs the node that installed it (Terraform's
 * environment may have another node, or none, on PATH) and finds the bundle
 * beside itself without starting another process (${0%/*}, not dirname).
 */
export const launcherScript = (nodePath: string): string =>
  `#!/bin/sh\n# tunform's Terraform provider plugin, installed by 'tunform install-provider'.\nexec ${shellQuote(nodePath)} "\${0%/*}/${ENTRY}" "$@"\n`;

export const requiredProvidersBlock = (version: string): string =>
  `terraform {\n  required_providers {\n    ${PROVIDER_TYPE} = {\n      source  = "${PROVIDER_SOURCE}"\n      version = "${version}"\n    }\n  }\n}\n`;

/** A CLI configuration that makes Terraform use a mirror directory that is not one of its implicit ones. */
export const mirrorCliConfig = (dir: string): string =>
  `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(dir)}\n    include = ["${PROVIDER_HOSTNAME}/*/*"]\n  }\n  direct {\n    exclude = ["${PROVIDER_HOSTNAME}/*/*"]\n  }\n}\n`;

export interface InstalledPlugin {
  readonly folder: string;
  readonly executable: string;
}

/**
 * Copies the plugin from the package at root into dir's mirror layout,
 * replacing an earlier install of the same version as a whole (staged in a
 * sibling folder, then renamed), so a half-copied folder is never used.
 */
export function installPlugin(root: string, dir: string, version: string, nodePath: string): InstalledPlugin {
  const missing = Object.values(PLUGIN_FILES).filter((p) => !existsSync(join(root, p)));
  if (missing.length > 0) throw new Error(`the package is not built (missing ${missing.join(', ')}): run 'npm run build' first`);
  const folder = pluginFolder(dir, version);
  const staging = `${folder}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o755 });
  try {
    for (const [name, from] of Object.entries(PLUGIN_FILES)) copyFileSync(join(root, from), join(staging, name));
    for (const name of Object.keys(PLUGIN_FILES)) chmodSync(join(staging, name), name === 'tunform-helper' ? 0o755 : 0o644);
    const executable = pluginExecutableName(version);
    writeFileSync(join(staging, executable), launcherScript(nodePath), { mode: 0o755 });
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(dirname(folder), { recursive: true });
    renameSync(staging, folder);
    return { folder, executable: join(folder, executable) };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** The package's version: the provider's version in Terraform. */
export const packageVersionAt = (root: string): string =>
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
