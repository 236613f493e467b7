/**
 * A throwaway Terraform setup for provider tests: its own HOME, CLI config
 * file, data dir and working directory, with the tunform provider installed
 * by the real `tunform install-provider`. Nothing reaches the network: the
 * CLI config sends terraform.local/* to the test's mirror and nothing else
 * is used.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTunform, type CliResult } from './cli.js';

/** Fails (never skips) when terraform is missing: CI must have it. */
export function requireTerraform(): string {
  try {
    const out = execFileSync('terraform', ['version', '-json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    return (JSON.parse(out) as { terraform_version: string }).terraform_version;
  } catch (e) {
    throw new Error(`terraform (1.11) must be on PATH for the provider tests: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export interface TerraformSetupOptions {
  /** Install into HOME's implicit mirror (~/.terraform.d/plugins) instead of a --dir mirror named in the CLI config. */
  readonly implicitMirror?: boolean;
}

export class TerraformSetup {
  readonly root: string;
  readonly home: string;
  readonly mirror: string;
  readonly work: string;
  readonly cliConfig: string;

  constructor(tag: string, readonly options: TerraformSetupOptions = {}) {
    this.root = mkdtempSync(join(tmpdir(), `tunform-tf-${tag}-`));
    this.home = join(this.root, 'home');
    this.mirror = options.implicitMirror ? join(this.home, '.terraform.d', 'plugins') : join(this.root, 'mirror');
    this.work = join(this.root, 'work');
    this.cliConfig = join(this.root, 'terraform.rc');
    for (const d of [this.home, this.work]) mkdirSync(d, { recursive: true });
    writeFileSync(
      this.cliConfig,
      options.implicitMirror
        ? 'disable_checkpoint = true\n'
        : `disable_checkpoint = true\nprovider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(this.mirror)}\n    include = ["terraform.local/*/*"]\n  }\n}\n`,
    );
  }

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HOME: this.home,
      TF_CLI_CONFIG_FILE: this.cliConfig,
      TF_DATA_DIR: join(this.root, 'tf-data'),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      NO_COLOR: '1',
    };
  }

  /** `tunform install-provider`, into HOME's implicit mirror or with --dir. */
  installProvider(): Promise<CliResult> {
    return runTunform(['install-provider', ...(this.options.implicitMirror ? [] : ['--dir', this.mirror])], { env: this.env });
  }

  writeConfig(hcl: string, file = 'main.tf'): void {
    writeFileSync(join(this.work, file), hcl);
  }

  /** `extra.wrap` runs terraform through a command (e.g. `ip netns exec NS`); `extra.env` adds to its environment. */
  terraform(args: readonly string[], extra: { readonly wrap?: readonly string[]; readonly env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    // -no-color right after the subcommand: options after a plan file would be taken for arguments.
    const withColorOff = needsNoColor(args) ? [args[0]!, '-no-color', ...args.slice(1)] : args;
    const command = [...(extra.wrap ?? []), 'terraform', '-chdir=' + this.work, ...withColorOff];
    return new Promise((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), {
        env: { ...this.env, ...extra.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const COLOURLESS = new Set(['init', 'validate', 'plan', 'apply', 'destroy', 'import', 'refresh', 'show', 'output']);
const needsNoColor = (args: readonly string[]) => COLOURLESS.has(args[0] ?? '');

/** The required_providers block `tunform install-provider` prints, plus a provider block. */
export const PROVIDER_HEADER = (version: string, providerBody = '') =>
  `terraform {\n  required_providers {\n    tunform = {\n      source  = "terraform.local/tunform/tunform"\n      version = "${version}"\n    }\n  }\n}\n\nprovider "tunform" {\n${providerBody}}\n`;
