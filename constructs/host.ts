/**
 * TunformHost: the settings every tunform device of a stack shares — the
 * network namespace, the backend that carries the devices (tunform's own
 * Terraform provider, or records applied by one local-exec run), and what
 * that backend needs.
 */
import { join, resolve } from 'node:path';
import { Construct, type IConstruct } from 'constructs';
import { TerraformStack, Token } from './cdk.js';
import type { SystemLookup } from '../src/spec/index.js';
import { validateDevices } from '../src/spec/index.js';
import { netnsNameSchema } from '../src/spec/schema.js';
import { createSystemLookup } from '../src/live/system-lookup.js';
import { RESOURCE_TYPES, type Backend as RecordBackend } from '../src/synth/format.js';
import { TunformProvider, type TunformProviderConfig } from './provider.js';
import { parseSshTarget } from '../src/sys/ssh-target.js';
import { tunformPackageRoot } from './package.js';
import { createApplier } from './applier.js';
import type { TunNetdev } from './tun-netdev.js';
import { render, tokenPaths, withoutTokenProblems } from './problems.js';

/**
 * `provider`: each device is a `tunform_netdev` resource of tunform's own
 * Terraform provider. `terraform_data` / `null_resource`: each device is a
 * record of its spec, and one resource per host runs the tunform CLI once for
 * the whole set (for machines where the provider cannot be installed).
 */
export type TunformBackend = 'provider' | RecordBackend;
export type { RecordBackend };

/** How to reach a host over SSH (the provider's host, known_hosts and private_key_path). */
export interface TunformSshProps {
  /** Host name or address. */
  readonly host: string;
  /**
   * User to log in as.
   *
   * @default - ssh's (your ~/.ssh/config, else your user name)
   */
  readonly user?: string;
  /**
   * SSH port.
   *
   * @default 22
   */
  readonly port?: number;
  /**
   * Private key file to log in with.
   *
   * @default - ssh's own choice
   */
  readonly privateKeyPath?: string;
  /**
   * known_hosts file to trust; unknown host keys are refused.
   *
   * @default - ssh's (~/.ssh/known_hosts)
   */
  readonly knownHostsPath?: string;
}

/** The provider's `host` URL for ssh props. */
export const sshUrl = (ssh: TunformSshProps): string =>
  `ssh://${ssh.user !== undefined ? `${ssh.user}@` : ''}${ssh.host.includes(':') ? `[${ssh.host}]` : ssh.host}${ssh.port !== undefined ? `:${ssh.port}` : ''}`;

const sshCheck = (v: unknown): string | undefined => {
  const ssh = v as TunformSshProps;
  if (typeof ssh !== 'object' || ssh === null || typeof ssh.host !== 'string' || ssh.host === '') return "must be an object with a non-empty 'host'";
  if (ssh.port !== undefined && (!Number.isInteger(ssh.port) || ssh.port < 1 || ssh.port > 65535)) return `has 'port' ${JSON.stringify(ssh.port)}; it must be an integer from 1 to 65535`;
  for (const key of ['privateKeyPath', 'knownHostsPath'] as const) {
    if (ssh[key] !== undefined && (typeof ssh[key] !== 'string' || ssh[key] === '')) return `has '${key}' ${JSON.stringify(ssh[key])}; it must be a non-empty path`;
  }
  try {
    parseSshTarget(sshUrl(ssh), 'ssh');
  } catch (e) {
    return `is not a host tunform can reach: ${(e as Error).message}`;
  }
  return undefined;
};

export interface TunformHostProps {
  /**
   * Another machine, reached over SSH: the devices are managed by that
   * host's own tunform (the provider's `host`, `known_hosts` and
   * `private_key_path`). Each TunformHost is one provider alias, so one
   * deploy reconciles several hosts in parallel. Backend `provider` only.
   *
   * @default - the machine Terraform runs on
   */
  readonly ssh?: TunformSshProps;

  /**
   * Named network namespace (`ip netns`) the devices live in. It must exist
   * when the stack is deployed; it is not checked at synth time.
   *
   * @default - the namespace Terraform runs in (the machine's own)
   */
  readonly netns?: string;

  /**
   * What carries the devices. `provider` is tunform's own Terraform provider
   * (install it with `tunform install-provider`). `terraform_data` is built
   * into Terraform >= 1.4 and OpenTofu >= 1.7; `null_resource` uses
   * hashicorp/null. Both run the tunform CLI from a local-exec provisioner,
   * once per host and deploy.
   *
   * @default 'provider'
   */
  readonly backend?: TunformBackend;

  /**
   * tunform-helper binary: the provider's `helper_path`, or TUNFORM_HELPER
   * for the CLI the provisioners run.
   *
   * @default - the CLI's own choice: an installed setuid helper for an unprivileged run, else the package's
   */
  readonly helperPath?: string;

  /**
   * Backend `provider` only: replace or delete devices even while other
   * processes have them open (the CLI's `--force`).
   *
   * @default false
   */
  readonly force?: boolean;

  /**
   * Backends `terraform_data` and `null_resource` only: path of the tunform
   * CLI script the provisioner runs.
   *
   * @default - this package's bin/tunform.js, as an absolute path
   */
  readonly cliPath?: string;

  /**
   * Backends `terraform_data` and `null_resource` only: the Node.js
   * executable that runs the CLI.
   *
   * @default - the node running the synth (process.execPath)
   */
  readonly nodePath?: string;

  /**
   * Backends `terraform_data` and `null_resource` only: whether this host's
   * devices own the tunform-managed devices of their namespace, so that a
   * deploy deletes managed devices no device of this host declares (as
   * `tunform apply` of a YAML file does). This is what deletes the device of
   * a removed TunNetdev. Set false when other stacks or spec files manage
   * devices in the same namespace; then delete a device with `tunform
   * destroy` before or after removing its TunNetdev.
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
  readonly backend: TunformBackend;
  readonly helperPath?: string;
  readonly force: boolean;
  readonly cliPath: string;
  readonly nodePath: string;
  readonly prune: boolean;
  readonly lookup: SystemLookup;
}

export const DEFAULT_BACKEND: TunformBackend = 'provider';
const RECORD_BACKENDS = Object.keys(RESOURCE_TYPES) as RecordBackend[];
const BACKENDS: readonly TunformBackend[] = ['provider', ...RECORD_BACKENDS];
const DEFAULT_ID = 'TunformHost';

/** Props that only some backends use: setting one for another backend is a mistake worth reporting. */
const BACKEND_ONLY: Readonly<Partial<Record<keyof TunformHostProps, readonly TunformBackend[]>>> = {
  force: ['provider'],
  ssh: ['provider'],
  cliPath: RECORD_BACKENDS,
  nodePath: RECORD_BACKENDS,
  prune: RECORD_BACKENDS,
};

type Check = (value: unknown) => string | undefined;
const quotedList = (items: readonly string[], last: 'or' | 'and'): string => {
  const q = items.map((i) => `'${i}'`);
  return q.length < 2 ? q.join('') : `${q.slice(0, -1).join(', ')} ${last} ${q[q.length - 1]}`;
};
const nonEmptyString: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string; leave it out for the default');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const netnsName: Check = (v) => {
  const checked = netnsNameSchema.safeParse(v);
  return checked.success ? undefined : checked.error.issues.map((i) => i.message).join('; ');
};

/**
 * The per-prop rule, for the props that have one. A message that starts with
 * the quoted key is the spec's own and is used as is. A new prop is one line
 * here (and one in BACKEND_ONLY if only some backends use it), its field in
 * TunformHostProps and TunformHostSettings, and its use in the constructor.
 */
const CHECKS: Readonly<Partial<Record<keyof TunformHostProps, Check>>> = {
  backend: (v) => (BACKENDS.includes(v as TunformBackend) ? undefined : `must be ${quotedList(BACKENDS, 'or')}`),
  netns: netnsName,
  helperPath: nonEmptyString,
  force: boolean,
  ssh: sshCheck,
  cliPath: nonEmptyString,
  nodePath: nonEmptyString,
  prune: boolean,
};

function hostProblems(props: TunformHostProps, path: string): string[] {
  const problems: string[] = [];
  const backend = props.backend ?? DEFAULT_BACKEND;
  for (const [key, check] of Object.entries(CHECKS) as [keyof TunformHostProps, Check][]) {
    const value = props[key];
    if (value === undefined || Token.isUnresolved(value)) continue;
    const message = check(value);
    if (message !== undefined) {
      problems.push(`${path}.${key}: ${message.startsWith(`'${key}'`) ? message : `'${key}' (${JSON.stringify(value)}) ${message}`}`);
      continue;
    }
    const only = BACKEND_ONLY[key];
    if (only && !only.includes(backend)) {
      problems.push(
        `${path}.${key}: '${key}' (${JSON.stringify(value)}) is used only by backend ${quotedList(only, 'or')}, not by '${backend}'; leave it out`
      );
    }
  }
  return problems;
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
  /** Backend `provider`: the provider configuration this host's devices use. */
  readonly provider?: TunformProvider;
  /** The devices that use this host, in the order they were created. */
  readonly devices: TunNetdev[] = [];

  constructor(scope: Construct, id: string, props: TunformHostProps = {}) {
    super(scope, id);
    const problems = hostProblems(props, this.node.path);
    if (problems.length > 0) {
      const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
      throw new Error(`invalid TunformHost props: ${count}\n  ${problems.join('\n  ')}`);
    }
    // Provisioners run wherever Terraform runs: relative paths would depend on its working directory.
    const absolute = (p: string) => (Token.isUnresolved(p) ? p : resolve(p));
    const settings: { -readonly [K in keyof TunformHostSettings]: TunformHostSettings[K] } = {
      backend: props.backend ?? DEFAULT_BACKEND,
      force: props.force ?? false,
      cliPath: absolute(props.cliPath ?? join(tunformPackageRoot(), 'bin', 'tunform.js')),
      nodePath: props.nodePath ?? process.execPath,
      prune: props.prune ?? true,
      lookup: props.lookup ?? createSystemLookup(),
    };
    if (props.netns !== undefined) settings.netns = props.netns;
    if (props.helperPath !== undefined) settings.helperPath = absolute(props.helperPath);
    this.settings = settings;

    // Rules across devices (unique names and addresses) once every device has registered.
    this.node.addValidation({
      validate: () => {
        const items = this.devices.map((d) => ({ raw: d.rawProps, pathPrefix: d.node.path }));
        const result = validateDevices(items, settings.lookup);
        const skipped = this.devices.flatMap((d) => tokenPaths(d.rawProps, d.node.path));
        return withoutTokenProblems(result.problems, skipped).map(render);
      },
    });

    if (settings.backend === 'provider') {
      const providerProps: { -readonly [K in keyof TunformProviderConfig]: TunformProviderConfig[K] } = {};
      if (settings.netns !== undefined) providerProps.netns = settings.netns;
      if (settings.helperPath !== undefined) providerProps.helperPath = settings.helperPath;
      if (props.force !== undefined) providerProps.force = props.force;
      if (props.ssh !== undefined) {
        providerProps.host = sshUrl(props.ssh);
        if (props.ssh.knownHostsPath !== undefined) providerProps.knownHosts = absolute(props.ssh.knownHostsPath);
        if (props.ssh.privateKeyPath !== undefined) providerProps.privateKeyPath = absolute(props.ssh.privateKeyPath);
      }
      this.provider = new TunformProvider(this, 'Provider', providerProps);
    } else {
      createApplier(this, settings.backend);
    }
  }
}
