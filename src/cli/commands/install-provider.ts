/**
 * `tunform install-provider [--dir DIR]`: puts the Terraform provider plugin
 * where `terraform init` finds it with no network (Terraform's implicit local
 * mirror ~/.terraform.d/plugins, or DIR) and prints the required_providers
 * block to use.
 */
import { isAbsolute, resolve } from 'node:path';
import { backendError, invalidInput } from '../../errors.js';
import { packageRoot } from '../../sys/paths.js';
import { defaultPluginDir, installPlugin, mirrorCliConfig, packageVersionAt, requiredProvidersBlock } from '../../provider/install.js';
import type { Io } from '../io.js';

export interface InstallProviderOptions {
  /** Mirror directory (default ~/.terraform.d/plugins). */
  readonly dir?: string;
  /** Accepted for the CLI's common error handling; the output is text. */
  readonly json?: boolean;
}

export async function runInstallProvider(opts: InstallProviderOptions, io: Io): Promise<number> {
  if (opts.dir !== undefined && opts.dir.trim() === '') throw invalidInput("--dir must name a directory, got ''");
  const dir = opts.dir === undefined ? defaultPluginDir() : isAbsolute(opts.dir) ? opts.dir : resolve(opts.dir);
  const root = packageRoot();
  const version = packageVersionAt(root);
  let installed;
  try {
    installed = installPlugin(root, dir, version, process.execPath);
  } catch (e) {
    throw backendError(`installing the provider plugin into ${dir} failed: ${(e as Error).message}; nothing was installed`, { cause: e });
  }
  io.out(`Installed the tunform provider ${version} at ${installed.folder}\n\nUse it in your configuration with:\n\n${requiredProvidersBlock(version)}`);
  if (opts.dir !== undefined && dir !== defaultPluginDir()) {
    io.out(`\n${dir} is not a directory Terraform searches by itself: point it there with a CLI configuration file (TF_CLI_CONFIG_FILE) containing:\n\n${mirrorCliConfig(dir)}`);
  }
  return 0;
}
