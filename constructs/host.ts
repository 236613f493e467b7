/**
 * TunformHost: the settings every tunform device of a stack shares — the
 * network namespace, which tunform CLI and node the provisioners run, and the
 * Terraform resource type that carries each device.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Construct, type IConstruct } from 'constructs';
import { TerraformStack, Token } from 'cdktf';
import type { SystemLookup } from '../src/spec/index.js';
import { netnsNameSchema } from '../src/spec/schema.js';
import { createSystemLookup } from '../src/live/system-lookup.js';
import type { Backend } from '../src/synth/format.js';

export type TunformBackend = Backend;

export interface TunformHostProps {
  /**
   * Named network namespace (`ip netns`) the devices live in. It must exist
   * when the stack is deployed; it is not checked at synth time.
   *
   * @default - the namespace Terraform runs in (the machine's own)
   */
  readonly netns?: string;

  /**
   * Path of the tunform CLI script the provisioners run.
   *
   * @default - this package's bin/tunform.js, as an absolute path
   */
  readonly cliPath?: string;

  /**
   * Node.js executable that runs the CLI.
   *
   * @default - the node running the synth (process.execPath)
   */
  readonly nodePath?: string;

  /**
   * tunform-helper binary, passed to the CLI as TUNFORM_HELPER.
   *
   * @default - the CLI's own helper/build/tunform-helper
   */
  readonly helperPath?: string;

  /**
   * Terraform resource type for each device. `terraform_data` is built into
   * Terraform >= 1.4 and OpenTofu >= 1.7 and needs no provider.
   * `null_resource` needs the hashicorp/null provider, which the stack must
   * declare (`new NullProvider(stack, 'null')`).
   *
   * @default 'terraform_data'
   */
  readonly backend?: TunformBackend;

  /**
   * Whether this host's devices own the tunform-managed devices of their
   * namespace: an extra resource (the inventory) deletes managed devices that
   * no device of this host declares, as `tunform apply` of a YAML file does.
   * This is what deletes a device whose TunNetdev was removed from the stack:
   * Terraform does not run the destroy-time provisioner of a resource removed
   * from the configuration. Set false when other stacks or spec files manage
   * devices in the same namespace; then delete a removed device with
   * `cdktf destroy --target` before removing it, or with `tunform destroy`.
   *
   * @default true
   */
  readonly prune?: boolean;

  /**
   * How user and group names are resolved while validating props at synth
   * time. Tests inject a fake system here.
   *
   * @default - /etc/passwd, /etc/group and /run/netns of the synth machine
   */
  readonly lookup?: SystemLookup;
}

/** Resolved settings, as the devices use them. */
export interface TunformHostSettings {
  readonly netns?: string;
  readonly cliPath: string;
  readonly nodePath: string;
  readonly helperPath?: string;
  readonly backend: TunformBackend;
  readonly prune: boolean;
  readonly lookup: SystemLookup;
}

const BACKENDS: readonly TunformBackend[] = ['terraform_data', 'null_resource'];
const DEFAULT_ID = 'TunformHost';

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

export class TunformHost extends Construct {
  /**
   * The host of the stack that contains scope: the only TunformHost in that
   * stack, or a default one created at the stack's root (id `TunformHost`).
   * With several hosts in one stack, pass `host` to each device instead.
   */
  static of(scope: IConstruct): TunformHost {
    const stack = TerraformStack.of(scope);
    const hosts = stack.node.findAll().filter((c): c is TunformHost => c instanceof TunformHost);
    if (hosts.length === 1) return hosts[0] as TunformHost;
    if (hosts.length > 1) {
      throw new Error(
        `${scope.node.path}: stack '${stack.node.path}' has ${hosts.length} TunformHost constructs (${hosts
          .map((h) => h.node.path)
          .join(', ')}); pass 'host' to say which one this device uses`
      );
    }
    return new TunformHost(stack, DEFAULT_ID, {});
  }

  readonly settings: TunformHostSettings;

  constructor(scope: Construct, id: string, props: TunformHostProps = {}) {
    super(scope, id);
    const problems: string[] = [];
    const backend = props.backend ?? 'terraform_data';
    if (!BACKENDS.includes(backend)) {
      problems.push(`${this.node.path}.backend: 'backend' (${JSON.stringify(backend)}) must be 'terraform_data' or 'null_resource'`);
    }
    if (props.netns !== undefined && !Token.isUnresolved(props.netns)) {
      const checked = netnsNameSchema.safeParse(props.netns);
      if (!checked.success) for (const issue of checked.error.issues) problems.push(`${this.node.path}.netns: ${issue.message}`);
    }
    for (const key of ['cliPath', 'nodePath', 'helperPath'] as const) {
      const v = props[key];
      if (v !== undefined && !Token.isUnresolved(v) && (typeof v !== 'string' || v === '')) {
        problems.push(`${this.node.path}.${key}: '${key}' (${JSON.stringify(v)}) must be a non-empty string; leave it out for the default`);
      }
    }
    if (problems.length > 0) {
      const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
      throw new Error(`invalid TunformHost props: ${count}\n  ${problems.join('\n  ')}`);
    }
    const settings: { -readonly [K in keyof TunformHostSettings]: TunformHostSettings[K] } = {
      cliPath: props.cliPath ?? join(tunformPackageRoot(), 'bin', 'tunform.js'),
      nodePath: props.nodePath ?? process.execPath,
      backend,
      prune: props.prune ?? true,
      lookup: props.lookup ?? createSystemLookup(),
    };
    // Provisioners run wherever Terraform runs: relative paths would depend on its working directory.
    const absolute = (p: string) => (Token.isUnresolved(p) ? p : resolve(p));
    settings.cliPath = absolute(settings.cliPath);
    if (props.netns !== undefined) settings.netns = props.netns;
    if (props.helperPath !== undefined) settings.helperPath = absolute(props.helperPath);
    this.settings = settings;
  }
}
