/**
 * A hand-written binding of tunform's own Terraform provider (no `cdktf get`,
 * no generated code): the provider configuration and the `tunform_netdev`
 * resource. Attribute names come from the one camelCase <-> snake_case
 * mapping (src/provider/tunform/names.ts), so the binding lists no fields.
 */
import type { Construct } from 'constructs';
import { TerraformProvider, TerraformResource, TerraformStack, type TerraformMetaArguments } from './cdk.js';
import { RESOURCE_TYPE, PROVIDER_TYPE, PROVIDER_SOURCE } from '../src/provider/address.js';
import { attributeOf, toSnakeCase } from '../src/provider/tunform/names.js';
import { tunformVersion } from './package.js';
import { escapeDeep } from './template.js';

/** The provider's arguments, in the project's vocabulary. */
export interface TunformProviderConfig {
  /**
   * Named network namespace of the devices.
   *
   * @default - the namespace Terraform runs in
   */
  readonly netns?: string;
  /**
   * tunform-helper binary.
   *
   * @default - an installed setuid helper for an unprivileged Terraform, else the package's
   */
  readonly helperPath?: string;
  /**
   * Replace or delete devices even while other processes have them open.
   *
   * @default false
   */
  readonly force?: boolean;
  /**
   * Another machine, reached over SSH: `ssh://[user@]HOST[:PORT]`.
   *
   * @default - the machine Terraform runs on
   */
  readonly host?: string;
  /**
   * With host: the known_hosts file to trust.
   *
   * @default - ssh's
   */
  readonly knownHosts?: string;
  /**
   * With host: the private key to log in with.
   *
   * @default - ssh's own choice
   */
  readonly privateKeyPath?: string;
}

/** Attributes from props: the mapped name, the value with literal strings escaped for Terraform's templates. */
const attributes = (o: object, name: (key: string) => string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [name(k), escapeDeep(v)]));

/** Terraform's rule for a provider alias: an identifier. */
const aliasOf = (path: string): string => {
  const id = path.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
};

/**
 * `provider "tunform"`, required as PROVIDER_SOURCE at exactly this package's
 * version (what `tunform install-provider` installs). With one configuration
 * in the stack it is the default one; with several (one per TunformHost),
 * every one after the first gets an alias made of its host's construct path.
 */
export class TunformProvider extends TerraformProvider {
  readonly config: TunformProviderConfig;

  constructor(scope: Construct, id: string, config: TunformProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: PROVIDER_TYPE,
      terraformGeneratorMetadata: { providerName: PROVIDER_TYPE, providerVersion: tunformVersion() },
      terraformProviderSource: PROVIDER_SOURCE,
    });
    this.config = config;
  }

  override get alias(): string | undefined {
    const stack = TerraformStack.of(this);
    const all = stack.node.findAll().filter((c): c is TunformProvider => c instanceof TunformProvider);
    if (all[0] === this) return undefined;
    // Named after the construct that declared it (the TunformHost), which the user named.
    const owner = this.node.scope ?? this;
    return aliasOf(owner.node.path.slice(stack.node.path.length + 1));
  }

  override set alias(_value: string | undefined) {
    // The alias follows from the stack's providers; see the getter.
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return attributes(this.config, toSnakeCase);
  }
}

export interface TunformNetdevConfig extends TerraformMetaArguments {
  /** The device in the project's vocabulary (StoredDevice: defaults filled in, canonical addresses). */
  readonly device: object;
}

/** `resource "tunform_netdev"`: one device, its attributes the device's keys in snake_case. */
export class TunformNetdevResource extends TerraformResource {
  readonly device: object;

  constructor(scope: Construct, id: string, config: TunformNetdevConfig) {
    const { device, ...meta } = config;
    super(scope, id, { ...meta, terraformResourceType: RESOURCE_TYPE, terraformGeneratorMetadata: { providerName: PROVIDER_TYPE } });
    this.device = device;
  }

  /** The kernel's interface index, known after apply. */
  get ifindex(): number {
    return this.getNumberAttribute('ifindex');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return attributes(this.device, attributeOf);
  }
}
