/**
 * The shape of tunform's resources in a synthesized cdktf stack with a
 * record backend (TunformHost `backend: 'terraform_data' | 'null_resource'`).
 * Written by the constructs (constructs/applier.ts) and read back by
 * `tunform drift|apply --synth` (read-stack.ts): both sides import these
 * constants, so the format is stated once.
 *
 * One record per device stores, in `input` (terraform_data) or `triggers`
 * (null_resource):
 *   tunform     FORMAT_TAG, how the reader recognises our resources
 *   spec        the canonical spec document as JSON: {"netns"?, "devices": [one device]}
 *   generation  short sha256 of spec, so the reader can tell a hand-edited file
 * Records run nothing. One applier per host (APPLIER_TAG) stores the whole
 * set and runs the CLI once per deploy that changes it; see APPLY_COMMAND.
 * Values reach the provisioners only through `environment`; the commands are
 * these constants.
 */
import { sha256Hex } from '../sys/sha256.js';

export const FORMAT_TAG = 'tunform-device/v1';

/** Environment variable names the provisioners set. */
export const ENV = {
  spec: 'TUNFORM_SPEC',
  generation: 'TUNFORM_GENERATION',
  node: 'TUNFORM_NODE',
  cli: 'TUNFORM_CLI',
  helper: 'TUNFORM_HELPER',
} as const;

/**
 * Linux caps one environment string at 128 KiB (MAX_ARG_STRLEN), and a host's
 * whole spec (about 150 bytes a device) passes that near 850 devices. So the
 * applier hands the spec over in parts `TUNFORM_SPEC_0`, `_1`, ... of at most
 * SPEC_ENV_PART_CHARS characters (Terraform's substr counts characters, of at
 * most 4 bytes each), and `--spec-env VAR` reads VAR or, when VAR is unset,
 * VAR_0, VAR_1, ... joined. All of them together stay under the kernel's
 * ARG_MAX (2 MiB with the default stack): about 13,000 devices per host.
 */
export const SPEC_ENV_PART_CHARS = 30_000;
export const specEnvPart = (variable: string, index: number): string => `${variable}_${index}`;

/**
 * The host's applier resource: it stores the spec document of every device
 * of the host and is replaced whenever that document changes (its hash is
 * the replacement trigger). Its create-time provisioner applies the whole set
 * once, stamping every device's marker with the applier's own id (`self.id`:
 * a fresh value for every instance, even one replaced by hand); with the
 * host's `prune`, managed devices the set does not declare are deleted too.
 */
export const APPLIER_TAG = 'tunform-applier/v1';
export const APPLY_COMMAND = `exec "$${ENV.node}" "$${ENV.cli}" apply --spec-env ${ENV.spec}`;
export const APPLY_NO_PRUNE_COMMAND = `${APPLY_COMMAND} --no-prune`;
/**
 * The applier's destroy-time command, with TUNFORM_GENERATION = its id: the
 * CLI deletes only the devices whose marker still carries that id. Terraform
 * runs it when the stack (or the host) is destroyed, not when the applier is
 * replaced: the replaced object is "deposed" by create_before_destroy, and
 * Terraform runs no destroy-time provisioner of a deposed object, so an
 * in-place change never deletes anything.
 */
export const DESTROY_COMMAND = `exec "$${ENV.node}" "$${ENV.cli}" destroy --spec-env ${ENV.spec}`;

/** Keys of the record's stored map (input / triggers). */
export type RecordKey = 'tunform' | 'spec' | 'generation';
/** Keys of the applier's stored map. */
export type ApplierKey = 'tunform' | 'spec' | 'hash' | 'node' | 'cli' | 'helper';

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
  return sha256Hex(specJson).slice(0, GENERATION_LENGTH);
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

/** A spec document as the resources store it: exactly the YAML format. */
export function specDocument(netns: string | undefined, devices: readonly StoredDevice[]): { netns?: string; devices: readonly StoredDevice[] } {
  return netns === undefined ? { devices } : { netns, devices };
}
