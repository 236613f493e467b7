/**
 * The shape of one tunform device resource in a synthesized cdktf stack.
 * Written by the constructs (constructs/tun-netdev.ts) and read back by
 * `tunform drift|apply --synth` (read-stack.ts): both sides import these
 * constants, so the format is stated once.
 *
 * A device resource stores, in `input` (terraform_data) or `triggers`
 * (null_resource):
 *   tunform     FORMAT_TAG, how the reader recognises our resources
 *   spec        the canonical spec document as JSON: {"netns"?, "devices": [one device]}
 *   generation  short sha256 of spec; also the replacement trigger and the marker generation
 *   node, cli   the node executable and tunform CLI the provisioners run
 *   helper      optional TUNFORM_HELPER override ('' = the CLI's default)
 * Values reach the provisioners only through `environment`; the commands are
 * these constants, identical for every device.
 */
import { createHash } from 'node:crypto';

export const FORMAT_TAG = 'tunform-device/v1';

/** Environment variable names the provisioners set. */
export const ENV = {
  spec: 'TUNFORM_SPEC',
  generation: 'TUNFORM_GENERATION',
  node: 'TUNFORM_NODE',
  cli: 'TUNFORM_CLI',
  helper: 'TUNFORM_HELPER',
} as const;

/** Create-time command: reconcile this one device, never prune others. */
export const CREATE_COMMAND = `exec "$${ENV.node}" "$${ENV.cli}" apply --spec-env ${ENV.spec} --no-prune`;
/**
 * Destroy-time command. TUNFORM_GENERATION makes the CLI delete the device
 * only while its marker still carries this resource's generation, so an old
 * resource replaced by a newer one (create_before_destroy) leaves it alone.
 */
export const DESTROY_COMMAND = `exec "$${ENV.node}" "$${ENV.cli}" destroy --spec-env ${ENV.spec}`;

/**
 * The host's inventory resource (TunformHost prop `prune`, default true).
 * Terraform does not run the destroy-time provisioner of a resource that was
 * removed from the configuration, so a removed TunNetdev cannot delete its own
 * device. The inventory resource is replaced whenever the set of declared
 * device names changes, and its create-time provisioner applies the whole
 * set without a generation (already-applied devices need nothing) and with
 * pruning, which deletes the managed devices no longer declared.
 */
export const INVENTORY_TAG = 'tunform-inventory/v1';
export const PRUNE_COMMAND = `unset ${ENV.generation}; exec "$${ENV.node}" "$${ENV.cli}" apply --spec-env ${ENV.spec}`;

/** Keys of the stored map (input / triggers). */
export type StoredKey = 'tunform' | 'spec' | 'generation' | 'node' | 'cli' | 'helper';

/** Resource types the constructs emit, per backend. */
export const RESOURCE_TYPES = { terraform_data: 'terraform_data', null_resource: 'null_resource' } as const;
export type Backend = keyof typeof RESOURCE_TYPES;
/** Where each backend keeps the stored map, as `self.<attr>` in destroy provisioners. */
export const STORED_ATTRIBUTE: Readonly<Record<Backend, 'input' | 'triggers'>> = {
  terraform_data: 'input',
  null_resource: 'triggers',
};

/** Hex digits of sha256 kept as the generation: 64 bits, ample for one stack's history. */
export const GENERATION_LENGTH = 16;

export function generationOf(specJson: string): string {
  return createHash('sha256').update(specJson, 'utf8').digest('hex').slice(0, GENERATION_LENGTH);
}

/**
 * Terraform interprets `${` and `%{` in every string of a .tf.json file. The
 * stored values are user data, so they are escaped (`$${`, `%%{`) on the way
 * in and unescaped by the reader; Terraform itself hands the provisioners the
 * unescaped text.
 */
export function escapeTemplate(s: string): string {
  // Replacement functions, not strings: in a replacement string `$$` means one `$`.
  return s.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

export function unescapeTemplate(s: string): string {
  return s.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

/** One device as stored: the project's vocabulary in a fixed key order, so equal specs hash equal. */
export interface StoredDevice {
  readonly name: unknown;
  readonly mode: unknown;
  readonly multiQueue: unknown;
  readonly keepCarrier: unknown;
  readonly packetInfo: unknown;
  readonly vnetHeader: unknown;
  readonly user?: unknown;
  readonly group?: unknown;
  readonly mtu?: unknown;
  readonly up: unknown;
  readonly addresses?: unknown;
}

/** The spec document a device resource stores: exactly the YAML format with one device. */
export function specDocument(netns: string | undefined, device: StoredDevice): { netns?: string; devices: StoredDevice[] } {
  return netns === undefined ? { devices: [device] } : { netns, devices: [device] };
}
